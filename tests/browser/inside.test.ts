// Loss landscapes and shaders in headless Chromium: the landscape's centre is the
// trained model's loss, for both activations; the shader view shows the WGSL the
// backend generates from the chosen activation's spec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendShown, openPage, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('loss landscapes and shaders page', () => {
  it('maps two trained networks and shows the generated WGSL', async () => {
    const { page, errors } = await openPage(h, 'inside/', { readyTimeout: 180_000 });
    expect((await backendShown(page)).text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    expect(await pageError(page)).toBe('');
    const rows = await page.$$eval('#landscapes .row', (els) =>
      els.map((el) => ({ activation: (el as HTMLElement).dataset.activation, model: Number((el as HTMLElement).dataset.modelLoss), centre: Number((el as HTMLElement).dataset.centreLoss) })),
    );
    expect(rows.map((r) => r.activation)).toEqual(['relu', 'tanh']);
    for (const r of rows) {
      expect(r.model).toBeLessThan(0.4); // trained: well below ln 2
      expect(Math.abs(r.centre - r.model)).toBeLessThan(1e-5 * Math.max(1, r.model));
    }
    // The loss rises away from the trained weights (the corners of the plane).
    const corners = await page.$eval('#contour-a', (el) => {
      const z = (el as unknown as { data: { z: number[][] }[] }).data[0].z;
      const n = z.length;
      return { centre: z[(n - 1) / 2][(n - 1) / 2], corners: [z[0][0], z[0][n - 1], z[n - 1][0], z[n - 1][n - 1]] };
    });
    for (const c of corners.corners) expect(c).toBeGreaterThan(corners.centre);
    // The shader view: gelu's fused linear forward embeds the spec's f body.
    const shader = await page.$eval('#shaders', (el) => ({ activation: (el as HTMLElement).dataset.activation, text: el.textContent ?? '' }));
    expect(shader.activation).toBe('gelu');
    expect(shader.text).toMatch(/fused linear forward/);
    expect(shader.text).toMatch(/@compute/);
    await page.select('#shader-act', 'mish');
    expect(await page.$eval('#shaders', (el) => (el as HTMLElement).dataset.activation)).toBe('mish');
    await screenshot(page, 'inside');
    expect(errors).toEqual([]);
    await page.close();
  });
});
