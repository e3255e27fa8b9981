// The comparison's figures (experiment/figures.ts) are typed Plotly specs built from a
// ComparisonResult: every number drawn is the result's own, every plot has a title and
// both axis titles, every legend names every run, and a run keeps its colour across figures.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Layout, PlotData } from 'plotly.js';
import { runComparison } from '../../experiment/compare';
import { comparisonFigures, curveBand, FIGURES, logBinCenters, runColor, translucent, type Figure } from '../../experiment/figures';
import { comparisonSummary } from '../../experiment/summary';
import { DEFAULTS, parseActivations } from '../../experiment/options';
import type { ComparisonResult, RunResult } from '../../experiment/results';

let result: ComparisonResult;
let figures: Record<string, Figure>;
beforeAll(async () => {
  result = await runComparison({ ...DEFAULTS, dataset: 'moons', activations: parseActivations('relu,tanh'), trainSize: 200, testSize: 100, epochs: 2, hidden: [8, 6], batch: 50, lr: 0.05, device: 'cpu' });
  figures = Object.fromEntries(comparisonFigures(result).map((figure) => [figure.name, figure]));
});

const traces = (figure: Figure) => figure.plots.flatMap((plot) => plot.data as Partial<PlotData>[]);
const run = (label: string): RunResult => result.runs.find((r) => r.activation === label)!;
const axisTitle = (axis: Partial<Layout['xaxis']> | undefined) => (axis?.title as { text?: string } | undefined)?.text ?? '';
/** The names a reader finds in a figure's legends: traces shown in a plot whose legend is on. */
const legendNames = (figure: Figure) =>
  figure.plots.filter((plot) => plot.layout.showlegend !== false).flatMap((plot) => (plot.data as Partial<PlotData>[]).filter((t) => t.showlegend !== false).map((t) => t.name));

describe('comparisonFigures', () => {
  it('builds every figure of FIGURES, in order, with the names the report and the PNG files use', () => {
    // The spread across seeds only where there are several seeds (see below).
    expect(comparisonFigures(result).map((f) => f.name)).toEqual(FIGURES.map((b) => b.name).filter((name) => name !== 'spread'));
    expect(FIGURES.map((b) => b.name)).toEqual(['spread', 'loss', 'accuracy', 'gradients-start', 'gradients-end', 'dead', 'functions', 'surfaces']);
    expect(FIGURES.flatMap((b) => (b.png ? [b.png] : []))).toEqual(['spread.png', 'loss.png', 'accuracy.png', 'gradients-end.png', 'dead-neurons.png', 'activations.png']);
  });

  it('gives every plot a title and both axis titles, with their units', () => {
    for (const figure of Object.values(figures)) {
      expect(figure.plots.length).toBeGreaterThan(0);
      for (const plot of figure.plots) {
        expect((plot.layout.title as { text: string }).text.length).toBeGreaterThan(0);
        expect(axisTitle(plot.layout.xaxis).length).toBeGreaterThan(0);
        expect(axisTitle(plot.layout.yaxis).length).toBeGreaterThan(0);
      }
    }
    expect(axisTitle(figures.loss.plots[0].layout.yaxis)).toBe('cross-entropy loss (nats)');
    expect(axisTitle(figures.accuracy.plots[0].layout.yaxis)).toBe('accuracy (%)');
    expect(axisTitle(figures.dead.plots[0].layout.yaxis)).toBe('dead units (%)');
  });

  it('names every run in the legends (the baseline too, except where it cannot have dead units)', () => {
    const labels = ['relu', 'tanh', 'none'];
    expect(legendNames(figures.loss).sort()).toEqual(labels.map((l) => `${l} test`).sort());
    expect(legendNames(figures.accuracy).sort()).toEqual(labels.map((l) => `${l} test`).sort());
    expect(legendNames(figures['gradients-start']).sort()).toEqual([...labels].sort());
    expect(legendNames(figures['gradients-end']).sort()).toEqual([...labels].sort());
    expect(legendNames(figures.dead).sort()).toEqual(['relu', 'tanh']);
    for (const plot of figures.functions.plots) expect(plot.data.map((t) => t.name)).toEqual(['relu', 'tanh']);
    expect(figures.surfaces.plots.map((plot) => (plot.layout.title as { text: string }).text)).toEqual(result.activations.map((a) => `${a.name}: ${a.formula}`));
  });

  it("draws the result's own curves: loss per step and per epoch, accuracy in percent", () => {
    for (const label of ['relu', 'tanh', 'none']) {
      const { curves } = run(label);
      const test = traces(figures.loss).find((t) => t.name === `${label} test`)!;
      expect(test.x).toEqual(curves.epoch);
      expect(test.y).toEqual(curves.testLoss);
      const steps = traces(figures.loss).find((t) => t.name === `${label} (per step)`)!;
      expect(steps.y).toEqual(curves.stepLoss);
      // Steps are placed in epochs: 4 steps per epoch here, the last one at epoch 2.
      expect(steps.x).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
      const accuracy = traces(figures.accuracy).find((t) => t.name === `${label} test`)!;
      expect(accuracy.y).toEqual(curves.testAccuracy.map((a) => 100 * a));
      const train = traces(figures.accuracy).find((t) => t.name === `${label} train`)!;
      expect(train.y).toEqual(curves.trainAccuracy.map((a) => 100 * a));
    }
  });

  it('draws one gradient histogram per layer, each bin at the log10 of its geometric centre', () => {
    for (const phase of ['start', 'end'] as const) {
      const figure = figures[`gradients-${phase}`];
      expect(figure.plots).toHaveLength(3);
      figure.plots.forEach((plot, layer) => {
        for (const t of plot.data as Partial<PlotData>[]) {
          const histogram = run(t.name!).gradients[phase][layer].weight.histogram;
          expect(t.y).toEqual(histogram.counts);
          expect(t.x).toEqual(logBinCenters(histogram));
          expect((t.x as number[])[3]).toBeCloseTo(Math.log10(Math.sqrt(histogram.edges[3] * histogram.edges[4])), 12);
        }
      });
    }
    expect(logBinCenters({ edges: [0, 1e-3, 1e-1], counts: [1, 2] } as never)).toEqual([Math.log10(Math.sqrt(1e-45 * 1e-3)), -2]);
  });

  it('leaves a diverged run out of the histograms after training only (it has no statistics then)', () => {
    const diverged = { ...result, runs: result.runs.map((r) => (r.activation === 'relu' ? { ...r, diverged: true, gradients: { ...r.gradients, end: [] } } : r)) };
    const [start, end] = ['gradients-start', 'gradients-end'].map((name) => comparisonFigures(diverged).find((f) => f.name === name)!);
    expect(new Set(traces(start).map((t) => t.name))).toEqual(new Set(['relu', 'tanh', 'none']));
    expect(new Set(traces(end).map((t) => t.name))).toEqual(new Set(['tanh', 'none']));
  });

  it('draws dead units per hidden layer in percent, and says when a network has none', () => {
    for (const t of traces(figures.dead)) {
      const layers = run(t.name!).deadLayers;
      expect(t.x).toEqual(layers.map((l) => `layer ${l.name} (${l.units} units)`));
      expect(t.y).toEqual(layers.map((l) => 100 * l.ratio));
    }
    expect(figures.dead.note).toBe('');
    const linear = { ...result, runs: result.runs.map((r) => ({ ...r, deadRatio: null, deadLayers: [] })) };
    expect(comparisonFigures(linear).find((f) => f.name === 'dead')!.note).toMatch(/^Not applicable: the network has no hidden layer/);
  });

  it("draws f and f' of each activation, and its gradient-magnitude surface row by row", () => {
    const [f, df] = figures.functions.plots;
    result.activations.forEach((a, i) => {
      expect(f.data[i]).toMatchObject({ x: a.curve.x, y: a.curve.f });
      expect(df.data[i]).toMatchObject({ x: a.curve.x, y: a.curve.df });
      const heatmap = figures.surfaces.plots[i].data[0] as Partial<PlotData>;
      const z = heatmap.z as number[][];
      const n = a.surface.x.length;
      expect(z).toHaveLength(a.surface.y.length);
      expect(z[5][7]).toBe(a.surface.gradMagnitude[5 * n + 7]);
      expect(z.flat()).toEqual(a.surface.gradMagnitude);
    });
  });

  it('keeps each run in one colour across the figures, the baseline dark grey and dotted', () => {
    const colorOf = (t: Partial<PlotData>) => t.marker?.color ?? t.line?.color;
    for (const label of ['relu', 'tanh', 'none']) {
      const colors = new Set(
        ['loss', 'accuracy', 'gradients-start', 'gradients-end', 'dead'].flatMap((name) => traces(figures[name]).filter((t) => t.name?.split(' ')[0] === label).map(colorOf)),
      );
      expect([...colors]).toEqual([runColor(result, label)]);
    }
    expect(runColor(result, 'none')).toBe('#444');
    expect(traces(figures.accuracy).find((t) => t.name === 'none test')!.line!.dash).toBe('dot');
    expect(new Set(['relu', 'tanh', 'none'].map((l) => runColor(result, l))).size).toBe(3);
  });

  it('gives every run of a large comparison its own colour (the full protocol compares 29 runs)', () => {
    const labels = Array.from({ length: 28 }, (_, i) => `activation${i}`).concat('none');
    const many = { network: { layers: [], activationsCompared: labels } };
    expect(new Set(labels.map((l) => runColor(many, l))).size).toBe(29);
  });
});

describe('comparisonFigures with several seeds', () => {
  /** The one-seed result as if trained with seeds 42 and 43: the second seed's curves and accuracies shifted. */
  function twoSeeds(): ComparisonResult {
    const shifted = (run: RunResult): RunResult => ({
      ...run,
      seed: 43,
      testAccuracy: run.testAccuracy - 0.02,
      curves: { ...run.curves, testAccuracy: run.curves.testAccuracy.map((a) => a - 0.02), testLoss: run.curves.testLoss.map((l) => l + 0.1), stepLoss: run.curves.stepLoss.map((l) => l + 0.1) },
    });
    const runs = [...result.runs, ...result.runs.map(shifted)];
    return { ...result, options: { ...result.options, seeds: [42, 43] }, runs, summary: comparisonSummary(runs, result.network.activationsCompared) };
  }

  it('adds the spread: one box per run label with one point per seed, best mean first', () => {
    const several = twoSeeds();
    const [spread] = comparisonFigures(several);
    expect(spread.name).toBe('spread');
    const boxes = traces(spread);
    expect(boxes.map((t) => t.name)).toEqual(several.summary!.map((entry) => entry.label));
    for (const box of boxes) {
      const runs = several.runs.filter((r) => r.label === box.name).sort((a, b) => a.seed - b.seed);
      expect(box.type).toBe('box');
      expect(box.y).toEqual(runs.map((r) => 100 * r.testAccuracy));
      expect(box.text).toEqual(['seed 42', 'seed 43']);
    }
  });

  it('draws the curves as the mean over seeds with a min–max band, and says so; other figures show the first seed', () => {
    const several = twoSeeds();
    const byName = Object.fromEntries(comparisonFigures(several).map((figure) => [figure.name, figure]));
    const accuracy = traces(byName.accuracy);
    for (const label of ['relu', 'tanh', 'none']) {
      const seeds = several.runs.filter((r) => r.label === label);
      const upper = accuracy.find((t) => t.name === `${label} test max`)!;
      const lower = accuracy.find((t) => t.name === `${label} test min`)!;
      const mean = accuracy.find((t) => t.name === `${label} test`)!;
      const curves = seeds.map((r) => r.curves.testAccuracy.map((a) => 100 * a));
      expect(mean.y).toEqual(curves[0].map((_, i) => (curves[0][i] + curves[1][i]) / 2));
      expect(upper.y).toEqual(curves[0].map((_, i) => Math.max(curves[0][i], curves[1][i])));
      expect(lower.y).toEqual(curves[0].map((_, i) => Math.min(curves[0][i], curves[1][i])));
      expect(lower.fill).toBe('tonexty');
    }
    expect(byName.loss.note).toContain('min–max');
    expect(byName.accuracy.note).toContain('mean over the 2 seeds');
    expect(byName.dead.note).toContain('Seed 42, the first of the 2 seeds.');
    // The one-seed figures of the first seed are those of a one-seed result.
    expect(byName.dead.plots).toEqual(figures.dead.plots);
  });

  it('curveBand and translucent: the band of equal curves is the curve; colours as runColor makes them', () => {
    expect(curveBand([[1, 2], [3, 6]])).toEqual({ mean: [2, 4], min: [1, 2], max: [3, 6] });
    expect(translucent('#1f77b4', 0.2)).toBe('rgba(31, 119, 180, 0.2)');
    expect(translucent('#444', 0.5)).toBe('rgba(68, 68, 68, 0.5)');
    expect(translucent('hsl(10, 50%, 40%)', 0.2)).toBe('hsla(10, 50%, 40%, 0.2)');
  });
});
