// The index page and the activation explorer in headless Chromium on WebGPU (SwiftShader).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendShown, openPage, outputValue, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('examples index', () => {
  it('links every example page and finds a WebGPU adapter in headless Chromium', async () => {
    const page = await h.browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(h.server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('gpu')?.dataset.adapter !== undefined, { timeout: 30_000 });
    expect(await page.$eval('#gpu', (el) => (el as HTMLElement).dataset.adapter)).toBe('yes');
    const links = await page.$$eval('#pages a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['explorer/', 'surfaces/', 'playground/', 'fashion/', 'editor/', 'compare/', 'inside/', 'backprop/']);
    await screenshot(page, 'index');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('activation explorer', () => {
  it('plots f and f′ of every activation, agreeing with the CPU, and redraws on its controls', async () => {
    const { page, errors } = await openPage(h, 'explorer/');
    expect(await pageError(page)).toBe('');
    const backend = await backendShown(page);
    expect(backend.text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    const names = await page.$$eval('#focus option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names).toEqual(expect.arrayContaining(['relu', 'tanh', 'sigmoid']));
    // f' from backward() on the page's backend matches the CPU reference.
    expect(await outputValue(page, 'agreement')).toBeLessThan(1e-4);
    // The note on softmax's f′ shows only while softmax is drawn.
    expect(await page.$eval('#df-note', (el) => (el as HTMLElement).hidden)).toBe(true);

    // Overlay every activation: one trace each, still agreeing.
    for (const name of names) {
      await page.$eval(`#overlay input[data-activation="${name}"]`, (el) => (el as HTMLInputElement).click());
    }
    await page.waitForFunction((n) => document.getElementById('plot-f')?.dataset.traces === String(n), { timeout: 60_000 }, names.length);
    const perActivation = await page.$eval('#agreement', (el) => JSON.parse((el as HTMLElement).dataset.perActivation!));
    for (const name of names) expect(perActivation[name], name).toBeLessThan(1e-4);
    expect(await outputValue(page, 'agreement')).toBeLessThan(1e-4);

    // The plotted tanh curve is tanh: read the data back from the Plotly figure.
    await page.select('#focus', 'tanh');
    await page.waitForFunction(() => document.getElementById('formula')?.textContent?.startsWith('tanh'), { timeout: 30_000 });
    const curve = await page.$eval('#plot-f', (el) => {
      const trace = (el as unknown as { data: { name: string; x: number[]; y: number[] }[] }).data.find((t) => t.name === 'tanh')!;
      return { x: trace.x, y: trace.y };
    });
    const worst = Math.max(...curve.x.map((x, i) => Math.abs(Math.tanh(x) - curve.y[i])));
    expect(worst).toBeLessThan(1e-5);

    // softmax: f is the softmax of the whole grid, f′ the diagonal of its Jacobian sᵢ(1 − sᵢ)
    // as tutorial 000 draws it (backward() of Σ softmax would be 0: the outputs sum to 1).
    await page.select('#focus', 'softmax');
    await page.waitForFunction(() => document.getElementById('formula')?.textContent?.startsWith('softmax'), { timeout: 30_000 });
    const soft = await page.evaluate(() => {
      const traces = (id: string) => (document.getElementById(id) as unknown as { data: { name: string; x: number[]; y: number[] }[] }).data;
      return { f: traces('plot-f').find((t) => t.name === 'softmax')!, df: traces('plot-df').find((t) => t.name === 'softmax′')! };
    });
    const m = Math.max(...soft.f.x);
    const total = soft.f.x.reduce((s, x) => s + Math.exp(x - m), 0);
    const s = soft.f.x.map((x) => Math.exp(x - m) / total);
    expect(Math.max(...s.map((v, i) => Math.abs(v - soft.f.y[i])))).toBeLessThan(1e-6);
    expect(Math.max(...s.map((v, i) => Math.abs(v * (1 - v) - soft.df.y[i])))).toBeLessThan(1e-6);
    expect(Math.max(...soft.df.y)).toBeGreaterThan(0.01);
    const note = await page.$eval('#df-note', (el) => ({ hidden: (el as HTMLElement).hidden, text: el.textContent ?? '' }));
    expect(note.hidden).toBe(false);
    expect(note.text).toMatch(/diagonal of (its|the) Jacobian/);
    await screenshot(page, 'explorer');
    expect(errors).toEqual([]);
    await page.close();
  });
});
