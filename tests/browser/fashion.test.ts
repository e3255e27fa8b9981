// FashionMNIST in headless Chromium: the seed network trains in the page and its test
// accuracy rises above 70% within the test's budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendShown, openPage, outputValue, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('FashionMNIST page', () => {
  it('trains the seed network (Adam) to > 70% test accuracy with curves, gradient histograms, dead neurons and predictions', async () => {
    const { page, errors } = await openPage(h, 'fashion/', { readyTimeout: 120_000 });
    expect((await backendShown(page)).text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    for (const [id, value] of [['train-size', '2000'], ['test-size', '500'], ['epochs', '2'], ['batch', '32'], ['lr', '0.001'], ['measure-every', '40']]) {
      await page.$eval(`#${id}`, (el, v) => ((el as HTMLInputElement).value = v), value);
    }
    await page.select('#activation', 'relu');
    await page.select('#optimizer', 'adam');
    await page.click('#train');
    await page.waitForFunction(() => ['done', 'stopped'].includes(document.getElementById('state')?.dataset.value ?? '') || !document.getElementById('error')?.hidden, {
      timeout: 180_000,
    });
    await screenshot(page, 'fashion');
    expect(await pageError(page)).toBe('');
    expect(await outputValue(page, 'accuracy')).toBeGreaterThan(0.7);
    const accuracyCurve = await page.$eval('#plot-accuracy', (el) => (el as unknown as { data: { y: number[] }[] }).data[0].y);
    expect(accuracyCurve[accuracyCurve.length - 1]).toBeGreaterThan(accuracyCurve[0]);
    expect(await page.$eval('#plot-grads', (el) => (el as unknown as { data: unknown[] }).data.length)).toBe(5);
    expect(await page.$eval('#plot-dead', (el) => (el as unknown as { data: { x: unknown[] }[] }).data[0].x.length)).toBe(4);
    expect(await page.$$eval('#samples canvas', (c) => c.length)).toBe(12);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
