// Gradient-flow surfaces in headless Chromium: the plotted surface and |∇| are the math.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendShown, openPage, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('gradient-flow surfaces', () => {
  it('draws f(x)+f(y) and |∇| side by side for the chosen activations', async () => {
    const { page, errors } = await openPage(h, 'surfaces/');
    expect((await backendShown(page)).text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    // Choose exactly tanh and relu, then redraw.
    await page.$$eval('#choices input', (inputs) => {
      for (const input of inputs as HTMLInputElement[]) input.checked = ['tanh', 'relu'].includes(input.dataset.activation!);
    });
    await page.click('#draw');
    await page.waitForFunction(() => document.getElementById('rows')?.dataset.drawn?.split(',').sort().join() === 'relu,tanh' || !document.getElementById('error')?.hidden, { timeout: 60_000 });
    expect(await pageError(page)).toBe('');
    const tanh = await page.evaluate(() => {
      const surface = (document.getElementById('surface-tanh') as unknown as { data: { x: number[]; y: number[]; z: number[][] }[] }).data[0];
      const grad = (document.getElementById('gradient-tanh') as unknown as { data: { z: number[][] }[] }).data[0];
      return { x: surface.x, y: surface.y, z: surface.z, g: grad.z };
    });
    let worstZ = 0;
    let worstG = 0;
    const dtanh = (v: number) => 1 - Math.tanh(v) ** 2;
    tanh.y.forEach((y, j) =>
      tanh.x.forEach((x, i) => {
        worstZ = Math.max(worstZ, Math.abs(tanh.z[j][i] - (Math.tanh(x) + Math.tanh(y))));
        worstG = Math.max(worstG, Math.abs(tanh.g[j][i] - Math.hypot(dtanh(x), dtanh(y))));
      }),
    );
    expect(worstZ).toBeLessThan(1e-5);
    expect(worstG).toBeLessThan(1e-5);
    // relu's gradient map is 0 where both inputs are negative and √2 where both are positive.
    const reluG = await page.$eval('#gradient-relu', (el) => (el as unknown as { data: { z: number[][] }[] }).data[0].z);
    const n = reluG.length;
    expect(reluG[0][0]).toBe(0);
    expect(reluG[n - 1][n - 1]).toBeCloseTo(Math.SQRT2, 5);
    expect(await page.$eval('#softmax-note', (el) => (el as HTMLElement).hidden)).toBe(true);

    // softmax (over the grid of points, as tutorial 000): its |∇| map is drawn from the
    // diagonal of its Jacobian, sᵢ(1 − sᵢ), with a note; backward() of Σ softmax would be 0.
    await page.$$eval('#choices input', (inputs) => {
      for (const input of inputs as HTMLInputElement[]) input.checked = input.dataset.activation === 'softmax';
    });
    await page.click('#draw');
    await page.waitForFunction(() => document.getElementById('rows')?.dataset.drawn === 'softmax' || !document.getElementById('error')?.hidden, { timeout: 60_000 });
    expect(await pageError(page)).toBe('');
    const soft = await page.evaluate(() => {
      const surface = (document.getElementById('surface-softmax') as unknown as { data: { x: number[]; z: number[][] }[] }).data[0];
      const grad = (document.getElementById('gradient-softmax') as unknown as { data: { z: number[][] }[] }).data[0];
      return { x: surface.x, z: surface.z, g: grad.z };
    });
    const top = Math.max(...soft.x);
    const total = soft.x.reduce((s, x) => s + Math.exp(x - top), 0);
    const s = soft.x.map((x) => Math.exp(x - top) / total);
    const d = s.map((v) => v * (1 - v));
    let worstSoftZ = 0;
    let worstSoftG = 0;
    s.forEach((sy, j) => s.forEach((sx, i) => {
      worstSoftZ = Math.max(worstSoftZ, Math.abs(soft.z[j][i] - (sx + sy)));
      worstSoftG = Math.max(worstSoftG, Math.abs(soft.g[j][i] - Math.hypot(d[i], d[j])));
    }));
    expect(worstSoftZ).toBeLessThan(1e-6);
    expect(worstSoftG).toBeLessThan(1e-6);
    expect(Math.max(...soft.g.flat())).toBeGreaterThan(0.05);
    const note = await page.$eval('#softmax-note', (el) => ({ hidden: (el as HTMLElement).hidden, text: el.textContent ?? '' }));
    expect(note.hidden).toBe(false);
    expect(note.text).toMatch(/diagonal of (its|the) Jacobian/);
    await screenshot(page, 'surfaces');
    expect(errors).toEqual([]);
    await page.close();
  });
});
