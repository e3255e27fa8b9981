// The comparison experiment in headless Chromium: runComparison in the page, its table and curves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendShown, openPage, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('compare page', () => {
  it('runs the comparison on moons and shows one table row and curve per activation plus the baseline', async () => {
    const { page, errors } = await openPage(h, 'compare/');
    expect((await backendShown(page)).text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    await page.select('#dataset', 'moons');
    for (const [id, value] of [['activations', 'relu,tanh'], ['hidden', '16,16'], ['epochs', '4'], ['train-size', '400'], ['test-size', '200'], ['batch', '32'], ['lr', '0.05']]) {
      await page.$eval(`#${id}`, (el, v) => ((el as HTMLInputElement).value = v), value);
    }
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('progress')?.dataset.value === 'done' || !document.getElementById('error')?.hidden, { timeout: 180_000 });
    expect(await pageError(page)).toBe('');
    const rows = await page.$$eval('#results tr[data-activation]', (trs) =>
      trs.map((tr) => ({ activation: (tr as HTMLElement).dataset.activation, accuracy: Number((tr as HTMLElement).dataset.accuracy) })),
    );
    expect(rows.map((r) => r.activation).sort()).toEqual(['none', 'relu', 'tanh']);
    // Sorted best first; a nonlinear network beats chance clearly on moons.
    expect(rows[0].accuracy).toBeGreaterThanOrEqual(rows[rows.length - 1].accuracy);
    expect(Math.max(...rows.filter((r) => r.activation !== 'none').map((r) => r.accuracy))).toBeGreaterThan(0.8);
    const curves = await page.$eval('#plot-accuracy', (el) => (el as unknown as { data: { y: number[] }[] }).data.map((t) => t.y.length));
    expect(curves).toEqual([4, 4, 4]);
    await screenshot(page, 'compare');
    expect(errors).toEqual([]);
    await page.close();
  });
});
