// The custom activation editor in headless Chromium: a broken WGSL f' is rejected with
// the error at its line; the correct one is accepted, passes the device gradient check;
// a broken re-compile is rejected while the accepted version stays registered and
// trains (issue 15, item 17). The one-formula form (issue 16): a formula error names its
// column; a formula with a trainable parameter is derived, registered, plotted and trained.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { backendShown, openPage, outputValue, pageError, screenshot, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function setField(page: Page, id: string, value: string): Promise<void> {
  await page.$eval(`#${id}`, (el, v) => ((el as HTMLTextAreaElement).value = v), value);
}

async function waitStatus(page: Page, states: string[], timeout = 90_000): Promise<string> {
  await page.waitForFunction((s) => s.includes(document.getElementById('status')?.dataset.value ?? '') || !document.getElementById('error')?.hidden, { timeout }, states);
  expect(await pageError(page)).toBe('');
  return page.$eval('#status', (el) => (el as HTMLElement).dataset.value ?? '');
}

describe('custom activation editor', () => {
  it('rejects a shader with the error at its line, accepts a correct one, keeps it through a rejected re-compile; it trains and appears in the explorer', async () => {
    const { page, errors } = await openPage(h, 'editor/');
    const backend = await backendShown(page);
    const correctDf = await page.$eval('#wgsl-df', (el) => (el as HTMLTextAreaElement).value);

    // Line 3 of f' uses a variable that does not exist.
    await setField(page, 'name', 'browser_swish');
    await setField(page, 'wgsl-df', 'let s = 1.0 / (1.0 + exp(-p_beta(0u) * x));\nlet t = s * (1.0 - s);\nreturn s + p_beta(0u) * x * not_declared;');
    await page.click('#compile');
    expect(await waitStatus(page, ['rejected', 'registered'])).toBe('rejected');
    const where = await page.$eval('#err-df', (el) => ({ line: (el as HTMLElement).dataset.line, text: el.textContent }));
    expect(where.line).toBe('3');
    expect(where.text).toMatch(/not_declared/);
    const names = await page.evaluate(() => Array.from(document.querySelectorAll('#status')).map((e) => e.textContent));
    expect(names[0]).toMatch(/rejected/);

    // The correct f' is accepted: compiled on the device, f' matches finite differences there.
    await setField(page, 'wgsl-df', correctDf);
    await page.click('#compile');
    expect(await waitStatus(page, ['rejected', 'registered'])).toBe('registered');
    expect(await page.$eval('#err-df', (el) => (el as HTMLElement).dataset.line)).toBeUndefined();
    expect(await outputValue(page, 'gradcheck')).toBeLessThan(1e-2);

    // A re-compile that is rejected (a TypeScript f' twice too large) leaves the accepted version registered and usable.
    const correctCpuDf = await page.$eval('#cpu-df', (el) => (el as HTMLTextAreaElement).value);
    await setField(page, 'cpu-df', correctCpuDf.replace('return ', 'return 2 * '));
    await page.click('#compile');
    expect(await waitStatus(page, ['rejected', 'registered'])).toBe('rejected');
    expect(await page.$eval('#status', (el) => el.textContent)).toMatch(/rejected: .*browser_swish.*f' disagrees with finite differences.*; 'browser_swish' keeps its last accepted version/);

    await page.click('#train');
    expect(await waitStatus(page, ['trained'], 150_000)).toBe('trained');
    expect(await outputValue(page, 'train-result')).toBeGreaterThanOrEqual(0.9);
    await screenshot(page, 'editor');
    expect(backend.text).toMatch(/Backend: (WebGPU|CPU \(fell back)/);
    expect(errors).toEqual([]);
    await page.close();

    // The explorer registers the saved user activation too, and plots it on the device in agreement with the CPU.
    const explorer = await openPage(h, 'explorer/?activation=browser_swish');
    expect(await pageError(explorer.page)).toBe('');
    expect(await explorer.page.$eval('#focus', (el) => (el as HTMLSelectElement).value)).toBe('browser_swish');
    expect(await explorer.page.$eval('#formula', (el) => el.textContent)).toMatch(/^browser_swish/);
    const perActivation = await explorer.page.$eval('#agreement', (el) => JSON.parse((el as HTMLElement).dataset.perActivation!));
    expect(perActivation.browser_swish).toBeLessThan(1e-4);
    await screenshot(explorer.page, 'explorer-user-activation');
    expect(explorer.errors).toEqual([]);
    await explorer.page.close();
  });

  it('accepts one formula: a formula error names its column; the formula is derived, registered, plotted and trains', async () => {
    const { page, errors } = await openPage(h, 'editor/');
    await setField(page, 'name', 'browser_formula');
    await setField(page, 'param-name', 'beta');
    // 'y' is not a name the formula knows: the error points at its column (25).
    await setField(page, 'formula', 'x * sigmoid(beta * x) + y');
    await page.click('#compile-formula');
    expect(await waitStatus(page, ['rejected', 'registered'])).toBe('rejected');
    const error = await page.$eval('#err-formula', (el) => ({ column: (el as HTMLElement).dataset.column, text: el.textContent }));
    expect(error.column).toBe('25');
    expect(error.text).toMatch(/browser_formula.*unknown name 'y'/);

    await setField(page, 'formula', 'x * sigmoid(beta * x)');
    await page.click('#compile-formula');
    expect(await waitStatus(page, ['rejected', 'registered'])).toBe('registered');
    expect(await page.$eval('#err-formula', (el) => el.textContent)).toBe('');
    expect(await page.$eval('#derived', (el) => el.textContent)).toMatch(/^f′ = .*sigmoid.*; ∂f\/∂beta = /);
    expect(await outputValue(page, 'gradcheck')).toBeLessThan(1e-2);
    // Plotted: f and f′ over [−4, 4], f(4) = 4σ(1.5·4) as the formula says.
    const curves = await page.$eval('#plot-curves', (el) => (el as unknown as { data: { y: number[] }[] }).data.map((t) => t.y));
    expect(curves).toHaveLength(2);
    expect(curves[0][curves[0].length - 1]).toBeCloseTo(4 / (1 + Math.exp(-6)), 4);

    await page.click('#train');
    expect(await waitStatus(page, ['trained'], 150_000)).toBe('trained');
    expect(await outputValue(page, 'train-result')).toBeGreaterThanOrEqual(0.9);
    await screenshot(page, 'editor-formula');
    expect(errors).toEqual([]);
    await page.close();
  });
});
