// The playground in headless Chromium: choose moons, train, and reach >= 95% accuracy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendShown, openPage, outputValue, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('playground', () => {
  it('trains an MLP on moons to >= 95% accuracy, drawing boundary, loss, gradient norms and dead units', async () => {
    const { page, errors } = await openPage(h, 'playground/');
    expect((await backendShown(page)).text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    await page.select('#dataset', 'moons');
    await page.select('#activation', 'tanh');
    for (const [id, value] of [['depth', '2'], ['width', '16'], ['lr', '0.1'], ['momentum', '0.9'], ['steps', '300'], ['seed', '1']]) {
      await page.$eval(`#${id}`, (el, v) => ((el as HTMLInputElement).value = v), value);
    }
    await page.click('#train');
    await page.waitForFunction(() => ['done', 'stopped'].includes(document.getElementById('state')?.dataset.value ?? '') || !document.getElementById('error')?.hidden, {
      timeout: 150_000,
    });
    expect(await pageError(page)).toBe('');
    expect(await outputValue(page, 'step')).toBe(300);
    const accuracy = await outputValue(page, 'accuracy');
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    // Every plot has data: boundary heat map + both classes, loss curve, one gradient-norm line per Linear.
    const traces = await page.evaluate(() =>
      ['plot-boundary', 'plot-loss', 'plot-grads', 'plot-dead'].map((id) => (document.getElementById(id) as unknown as { data?: unknown[] }).data?.length ?? 0),
    );
    expect(traces).toEqual([3, 1, 3, 2]);
    const firstLoss = await page.$eval('#plot-loss', (el) => (el as unknown as { data: { y: number[] }[] }).data[0].y);
    expect(firstLoss[firstLoss.length - 1]).toBeLessThan(firstLoss[0]);
    await screenshot(page, 'playground');
    expect(errors).toEqual([]);
    await page.close();
  });
});
