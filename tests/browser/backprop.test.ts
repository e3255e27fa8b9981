// "Backprop, step by step" in headless Chromium: three backward steps, and the gradients
// shown (computed on the page's backend) equal the CPU reference's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendShown, openPage, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('backprop step by step', () => {
  it('steps backward three nodes; every upstream gradient equals the CPU reference', async () => {
    const { page, errors } = await openPage(h, 'backprop/');
    expect(await pageError(page)).toBe('');
    expect((await backendShown(page)).text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    expect(await page.evaluate(() => document.querySelectorAll('#graph canvas').length)).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (let step = 1; step <= 3; step++) {
      await page.click('#step');
      const shown = await page.$eval('#node-table', (el) => ({
        node: (el as HTMLElement).dataset.node!,
        grad: JSON.parse((el as HTMLElement).dataset.grad!) as number[],
        reference: JSON.parse((el as HTMLElement).dataset.reference!) as number[],
      }));
      expect(await page.$eval('#position', (el) => Number((el as HTMLElement).dataset.value))).toBe(step);
      seen.add(shown.node);
      expect(shown.grad.length).toBeGreaterThan(0);
      expect(shown.grad.length).toBe(shown.reference.length);
      shown.grad.forEach((g, i) => expect(Math.abs(g - shown.reference[i])).toBeLessThan(1e-5));
    }
    expect(seen.size).toBe(3);
    await screenshot(page, 'backprop');
    expect(errors).toEqual([]);
    await page.close();
  });
});
