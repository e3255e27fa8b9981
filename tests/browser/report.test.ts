// The self-contained report (report/html.ts) in headless Chromium, opened from a file as
// a user opens it: its embedded script draws every plot of every figure that
// experiment/figures.ts builds, with the spec's traces and axis titles, and no error; a
// screenshot of each figure goes into test-artifacts/report-NAME.png, to be looked at.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer';
import type { PlotData } from 'plotly.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComparison } from '../../experiment/compare';
import { comparisonFigures } from '../../experiment/figures';
import { DEFAULTS, parseActivations } from '../../experiment/options';
import type { ComparisonResult } from '../../experiment/results';
import { pngFigures, PNG_FIGURES, reportHtml, reportSections } from '../../report/html';
import { comparisonSummary } from '../../experiment/summary';
import { launchChromium } from './chromium';
import { screenshot } from './harness';

const work = mkdtempSync(join(tmpdir(), 'gradscope-report-test-'));
let browser: Browser;
let result: ComparisonResult;
beforeAll(async () => {
  // Every figure there is: the initializer densities, gradients per epoch, a network counted at initialisation.
  result = await runComparison({
    ...DEFAULTS,
    dataset: 'moons',
    activations: parseActivations('relu,tanh,gelu'),
    trainSize: 200,
    testSize: 100,
    epochs: 3,
    hidden: [8, 6],
    batch: 50,
    lr: 0.05,
    device: 'cpu',
    gradEveryEpoch: true,
    deadAtInitNetwork: { activation: 'relu', hidden: [64, 32, 32] },
    kind: 'initializers',
    initializerTable: {
      initializers: ['random_uniform', 'random_normal', 'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'zeros', 'ones'],
      fanIn: 200,
      fanOut: 100,
    },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

interface DrawnPlot {
  traces: { name: string; points: number }[];
  title: string;
  x: string;
  y: string;
}

describe('report.html', () => {
  it('draws every plot of every figure from the embedded specs, with their traces and axis titles', async () => {
    const path = join(work, 'report.html');
    writeFileSync(path, reportHtml(result));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({ width: 1240, height: 900 });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    await page.waitForFunction('window.__reportReady === true || window.__reportError !== undefined', { timeout: 120_000 });
    expect(await page.evaluate('window.__reportError')).toBeUndefined();

    expect(await page.$$eval('section', (els) => els.map((el) => [el.id, el.querySelector('h2')?.textContent]))).toEqual(Object.entries(reportSections(result)));
    // This result has every figure the report can have but the spread across seeds (one
    // seed; the two-seed report below draws it).
    const { 'fig-spread': _spread, ...oneSeedFigures } = PNG_FIGURES;
    expect(pngFigures(result)).toEqual(oneSeedFigures);
    for (const id of Object.keys(oneSeedFigures)) expect(await page.$(`#${id}`)).not.toBeNull();

    const figures = comparisonFigures(result);
    expect(await page.$$eval('.js-plotly-plot', (els) => els.length)).toBe(figures.reduce((n, f) => n + f.plots.length, 0));
    for (const figure of figures) {
      const drawn = await page.$$eval(`#fig-${figure.name} > .js-plotly-plot`, (els) =>
        els.map((el) => {
          const plot = el as unknown as { data: { name?: string; y?: unknown[]; z?: unknown[] }[]; layout: { title: { text: string }; xaxis: { title: { text: string } }; yaxis: { title: { text: string } } } };
          return {
            traces: plot.data.map((t) => ({ name: t.name ?? '', points: t.z ? t.z.length : (t.y ?? []).length })),
            title: plot.layout.title.text,
            x: plot.layout.xaxis.title.text,
            y: plot.layout.yaxis.title.text,
          } satisfies DrawnPlot;
        }),
      );
      const expected = figure.plots.map((plot): DrawnPlot => {
        const layout = plot.layout as { title: { text: string }; xaxis: { title: { text: string } }; yaxis: { title: { text: string } } };
        return {
          traces: (plot.data as Partial<PlotData>[]).map((t) => ({ name: t.name ?? '', points: t.z ? (t.z as unknown[]).length : (t.y as unknown[]).length })),
          title: layout.title.text,
          x: layout.xaxis.title.text,
          y: layout.yaxis.title.text,
        };
      });
      expect(drawn).toEqual(expected);
    }
    // The gelu run in its own colour in the accuracy plot, as the spec says.
    const gelu = (figures.find((f) => f.name === 'accuracy')!.plots[0].data as Partial<PlotData>[]).find((t) => t.name === 'gelu test')!;
    const drawnGelu = await page.$eval('#fig-accuracy-0', (el) => (el as unknown as { data: { name: string; line: { color: string } }[] }).data.find((t) => t.name === 'gelu test')!.line.color);
    expect(drawnGelu).toBe(gelu.line!.color);

    await screenshot(page, 'report');
    for (const [id, file] of Object.entries(oneSeedFigures)) {
      await (await page.$(`#${id}`))!.screenshot({ path: `test-artifacts/report-${file}` });
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with several seeds: the spread per run label, the curves as mean and min–max band, drawn without error', async () => {
    // The result as if trained with a second seed whose accuracies are 3 points lower.
    const second = result.runs.map((run) => ({ ...run, seed: 43, testAccuracy: run.testAccuracy - 0.03, curves: { ...run.curves, testAccuracy: run.curves.testAccuracy.map((a) => a - 0.03) } }));
    const runs = [...result.runs, ...second];
    const several: ComparisonResult = { ...result, options: { ...result.options, seeds: [42, 43] }, runs, summary: comparisonSummary(runs, result.network.activationsCompared) };
    const path = join(work, 'report-seeds.html');
    writeFileSync(path, reportHtml(several));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({ width: 1240, height: 900 });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    await page.waitForFunction('window.__reportReady === true || window.__reportError !== undefined', { timeout: 120_000 });
    expect(await page.evaluate('window.__reportError')).toBeUndefined();
    expect(await page.$$eval('section', (els) => els.map((el) => el.id))).toEqual(Object.keys(reportSections(several)));
    expect(Object.values(pngFigures(several))).toContain('spread.png');
    const boxes = await page.$eval('#fig-spread-0', (el) => (el as unknown as { data: { type: string; name: string; y: number[] }[] }).data.map((t) => [t.type, t.name, t.y.length]));
    expect(boxes).toEqual(several.summary!.map((entry) => ['box', entry.label, 2]));
    const band = await page.$eval('#fig-accuracy-0', (el) => (el as unknown as { data: { name: string; fill?: string }[] }).data.filter((t) => t.fill === 'tonexty').map((t) => t.name));
    expect(band).toEqual(result.network.activationsCompared.map((label) => `${label} test min`));
    await screenshot(page, 'report-seeds');
    expect(errors).toEqual([]);
    await page.close();
  });
});

