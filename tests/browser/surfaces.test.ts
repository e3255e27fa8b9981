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
    await screenshot(page, 'surfaces');
    expect(errors).toEqual([]);
    await page.close();
  });
});
