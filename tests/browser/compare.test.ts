// The comparison experiment in headless Chromium: runComparison in the page, its table and curves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIGURES } from '../../experiment/figures';
import { formatPercent, TABLE_COLUMNS } from '../../experiment/table';
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
    // The one results table: the command line's headers and precision.
    const headers = await page.$$eval('#results th', (ths) => ths.map((th) => th.textContent));
    expect(headers).toEqual([...TABLE_COLUMNS]);
    const cells = await page.$$eval('#results tr[data-activation]', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    cells.forEach((row, i) => {
      expect(row).toHaveLength(TABLE_COLUMNS.length);
      expect(row[0]).toBe(rows[i].activation);
      expect(row[1]).toBe(formatPercent(rows[i].accuracy));
    });
    // The report's figures, drawn by the same code: every run's test and training accuracy, one point per epoch.
    const curves = await page.$eval('#fig-accuracy-0', (el) => (el as unknown as { data: { name: string; y: number[] }[] }).data.map((t) => [t.name, t.y.length]));
    expect(curves).toEqual(['relu', 'tanh', 'none'].flatMap((run) => [[`${run} test`, 4], [`${run} train`, 4]]));
    const sections = await page.$$eval('#report section', (els) => els.map((el) => el.id));
    // Every figure this result has data for: not the spread (one seed), the per-epoch
    // gradients (not recorded by default) or the initializer densities (no initializer table).
    const absent = ['spread', 'gradients-epochs', 'initializer-densities'];
    expect(sections).toEqual(['results', ...FIGURES.filter((figure) => !absent.includes(figure.name)).map((figure) => figure.name)]);
    await screenshot(page, 'compare');
    expect(errors).toEqual([]);
    await page.close();
  });
});
