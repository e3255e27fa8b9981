// The comparison's figures (experiment/figures.ts) are typed Plotly specs built from a
// ComparisonResult: every number drawn is the result's own, every plot has a title and
// both axis titles, every legend names every run, and a run keeps its colour across figures.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Annotations, Layout, PlotData } from 'plotly.js';
import { runComparison } from '../../experiment/compare';
import { comparisonFigures, curveBand, FIGURES, logBinCenters, nonZeroCounts, outputBars, runColor, translucent, type Figure, type PlotSpec } from '../../experiment/figures';
import { initializerTable } from '../../experiment/initializer-table';
import { comparisonSummary } from '../../experiment/summary';
import { DEFAULTS, parseActivations } from '../../experiment/options';
import type { ComparisonResult, RunResult } from '../../experiment/results';

let result: ComparisonResult;
let figures: Record<string, Figure>;
beforeAll(async () => {
  result = await runComparison({
    ...DEFAULTS,
    dataset: 'moons',
    activations: parseActivations('relu,tanh'),
    trainSize: 200,
    testSize: 100,
    epochs: 2,
    hidden: [8, 6],
    batch: 50,
    lr: 0.05,
    device: 'cpu',
    gradEveryEpoch: true,
    deadAtInitNetwork: { activation: 'relu', hidden: [32, 16, 16] },
  });
  figures = Object.fromEntries(comparisonFigures(result).map((figure) => [figure.name, figure]));
});

const LABELS = ['relu', 'tanh', 'none'];
const traces = (figure: Figure) => figure.plots.flatMap((plot) => plot.data as Partial<PlotData>[]);
const lines = (figure: Figure) => traces(figure).filter((t) => t.type !== 'bar');
const run = (label: string): RunResult => result.runs.find((r) => r.activation === label)!;
const titleText = (title: unknown) => (title as { text?: string } | undefined)?.text ?? '';
/** Every axis title of a plot: its 2-D axes (xaxis, xaxis2, ...) and its 3-D scene's. */
function axisTitles(layout: Partial<Layout>): { x: string[]; y: string[]; z: string[] } {
  const entries = Object.entries(layout) as [string, { title?: unknown; xaxis?: { title?: unknown }; yaxis?: { title?: unknown }; zaxis?: { title?: unknown } }][];
  const of = (prefix: string) => entries.filter(([key]) => new RegExp(`^${prefix}axis\\d*$`).test(key)).map(([, axis]) => titleText(axis.title)).filter((t) => t.length > 0);
  const scene = layout.scene as { xaxis?: { title?: unknown }; yaxis?: { title?: unknown }; zaxis?: { title?: unknown } } | undefined;
  const fromScene = (axis?: { title?: unknown }) => (axis ? [titleText(axis.title)] : []);
  return { x: [...of('x'), ...fromScene(scene?.xaxis)], y: [...of('y'), ...fromScene(scene?.yaxis)], z: fromScene(scene?.zaxis) };
}
/** The names a reader finds in a figure's legends: traces shown in a plot whose legend is on. */
const legendNames = (figure: Figure) =>
  figure.plots.filter((plot) => plot.layout.showlegend !== false).flatMap((plot) => (plot.data as Partial<PlotData>[]).filter((t) => t.showlegend !== false).map((t) => t.name));
const annotationTexts = (plot: PlotSpec) => ((plot.layout.annotations ?? []) as Partial<Annotations>[]).map((a) => a.text ?? '');

describe('comparisonFigures', () => {
  it('builds every figure of FIGURES that applies, in order, with the names the report and the PNG files use', () => {
    expect(FIGURES.map((b) => b.name)).toEqual(['initializer-densities', 'spread', 'loss', 'accuracy', 'timing', 'gradients-start', 'gradients-end', 'gradients-epochs', 'dead', 'layer-outputs', 'functions', 'surfaces']);
    expect(FIGURES.flatMap((b) => (b.png ? [b.png] : []))).toEqual([
      'initializers.png',
      'spread.png',
      'loss.png',
      'accuracy.png',
      'timing.png',
      'gradients-start.png',
      'gradients-end.png',
      'gradients-epochs.png',
      'dead-neurons.png',
      'layer-outputs.png',
      'activations.png',
      'surfaces.png',
    ]);
    // No initializer table and one seed in this comparison: those figures are left out, every other one is built.
    expect(comparisonFigures(result).map((f) => f.name)).toEqual(FIGURES.map((b) => b.name).filter((name) => name !== 'initializer-densities' && name !== 'spread'));
    // Without --grad-every-epoch (and in results files of earlier versions) there are no epoch histograms.
    const without = { ...result, runs: result.runs.map((r) => ({ ...r, gradients: { start: r.gradients.start, end: r.gradients.end }, layerOutputs: undefined })) };
    expect(comparisonFigures(without).map((f) => f.name)).not.toContain('gradients-epochs');
    expect(comparisonFigures(without).map((f) => f.name)).not.toContain('layer-outputs');
  });

  it('gives every plot a title and axis titles with their units', () => {
    for (const figure of Object.values(figures)) {
      expect(figure.plots.length).toBeGreaterThan(0);
      for (const plot of figure.plots) {
        expect(titleText(plot.layout.title).length).toBeGreaterThan(0);
        const { x, y } = axisTitles(plot.layout);
        expect(x.length, `${figure.name}: an x axis title`).toBeGreaterThan(0);
        expect(y.length, `${figure.name}: a y axis title`).toBeGreaterThan(0);
      }
    }
    const only = (name: string, plot = 0) => axisTitles(figures[name].plots[plot].layout);
    expect(only('loss').y).toEqual(['cross-entropy loss (nats)']);
    expect(only('accuracy').y).toEqual(['accuracy (%)']);
    expect(only('timing').x).toEqual(['seconds per epoch (s)']);
    expect(only('gradients-start').x).toEqual(['log10 |∂L/∂W|']);
    expect(only('gradients-start').y).toEqual(['weights per bin (count)']);
    for (const plot of figures.dead.plots) expect(axisTitles(plot.layout).y).toEqual(['dead units (%)']);
    expect(only('gradients-epochs').y).toEqual(['weights per bin (count)', 'weights per bin (count)', 'weights per bin (count)']);
    expect(only('layer-outputs').x).toContain('output value');
    expect(only('layer-outputs').y).toContain('outputs per bin (%)');
    expect(only('surfaces').z).toEqual(['Z']);
  });

  it('names every run in the legends or row labels (the baseline too, except where it cannot have dead units)', () => {
    expect(legendNames(figures.loss).sort()).toEqual(LABELS.map((l) => `${l} test`).sort());
    expect(legendNames(figures.accuracy).sort()).toEqual(LABELS.map((l) => `${l} test`).sort());
    expect(legendNames(figures['gradients-start']).sort()).toEqual([...LABELS].sort());
    expect(legendNames(figures['gradients-end']).sort()).toEqual([...LABELS].sort());
    const [after, atInit, big] = figures.dead.plots;
    expect(after.data.map((t) => t.name).sort()).toEqual(['relu', 'tanh']);
    expect(atInit.data.map((t) => t.name).sort()).toEqual(['relu', 'tanh']);
    expect(big.data.map((t) => t.name)).toEqual(['relu [32, 16, 16] at initialisation']);
    for (const plot of figures.functions.plots) expect(plot.data.map((t) => t.name)).toEqual(['relu', 'tanh']);
    expect(figures.surfaces.plots.map((plot) => titleText(plot.layout.title))).toEqual(result.activations.map((a) => `${a.name}: ${a.formula}`));
    // Small multiples: a row per run, labelled with it; the legend names the epochs.
    for (const name of ['gradients-epochs', 'layer-outputs']) {
      const texts = annotationTexts(figures[name].plots[0]);
      for (const label of LABELS) expect(texts, name).toContain(`<b>${label}</b>`);
    }
    expect(legendNames(figures['gradients-epochs'])).toEqual(['before training', 'epoch 1', 'epoch 2']);
    expect(traces(figures.timing).map((t) => t.y![0]).sort()).toEqual([...LABELS].sort());
  });

  it("draws the result's own curves: loss per step and per epoch, accuracy in percent", () => {
    for (const label of LABELS) {
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

  it('draws one gradient histogram per layer, each bin at the log10 of its geometric centre, exact zeros left out of the lines', () => {
    for (const phase of ['start', 'end'] as const) {
      const figure = figures[`gradients-${phase}`];
      expect(figure.plots).toHaveLength(3);
      figure.plots.forEach((plot, layer) => {
        for (const t of (plot.data as Partial<PlotData>[]).filter((d) => d.type !== 'bar')) {
          const histogram = run(t.name!).gradients[phase][layer].weight.histogram;
          expect(t.y).toEqual(nonZeroCounts(histogram));
          expect(t.x).toEqual(logBinCenters(histogram));
          expect((t.x as number[])[3]).toBeCloseTo(Math.log10(Math.sqrt(histogram.edges[3] * histogram.edges[4])), 12);
        }
      });
    }
    expect(logBinCenters({ edges: [0, 1e-3, 1e-1], counts: [1, 2] } as never)).toEqual([Math.log10(Math.sqrt(1e-45 * 1e-3)), -2]);
    expect(nonZeroCounts({ edges: [1e-13, 1e-3, 1e-1], counts: [7, 2], zeros: 5, scale: 'log' })).toEqual([2, 2]);
  });

  it('draws exactly-zero gradients as "= 0" bars with their count, at a tick labelled "= 0"', () => {
    // Say the relu run's first layer had 5 weights whose gradient is exactly 0 on the batch.
    const withZeros = {
      ...result,
      runs: result.runs.map((r) => {
        if (r.activation !== 'relu') return r;
        const [first, ...rest] = r.gradients.start;
        const histogram = { ...first.weight.histogram, zeros: 5, counts: first.weight.histogram.counts.map((c, i) => (i === 0 ? c + 5 : c)) };
        return { ...r, gradients: { ...r.gradients, start: [{ ...first, weight: { ...first.weight, histogram } }, ...rest] } };
      }),
    };
    const plot = comparisonFigures(withZeros).find((f) => f.name === 'gradients-start')!.plots[0];
    const bars = (plot.data as Partial<PlotData>[]).filter((t) => t.type === 'bar');
    expect(bars.map((b) => b.name)).toEqual(['relu = 0', 'tanh = 0', 'none = 0']);
    expect(bars.map((b) => (b.y as number[])[0])).toEqual([5, 0, 0]);
    const relu = (plot.data as Partial<PlotData>[]).find((t) => t.name === 'relu')!;
    expect(relu.y).toEqual(run('relu').gradients.start[0].weight.histogram.counts);
    const axis = plot.layout.xaxis!;
    expect(axis.ticktext![0]).toBe('= 0');
    expect((bars[0].x as number[])[0]).toBeCloseTo((axis.tickvals as number[])[0], 0);
    expect((axis.tickvals as number[])[0]).toBeLessThan(Math.min(...(relu.x as number[])));
    // Without zeros anywhere, no bars and the plain axis.
    expect(figures['gradients-start'].plots[0].data.some((t) => t.type === 'bar')).toBe(run('relu').gradients.start[0].weight.histogram.zeros! > 0);
  });

  it('draws the gradient histograms of every epoch: a row per run, a column per layer, before training first', () => {
    const data = traces(figures['gradients-epochs']);
    const layers = result.runs[0].gradients.start.length;
    expect(data).toHaveLength(LABELS.length * layers * 3);
    for (const r of result.runs) expect(r.gradients.epochs).toHaveLength(2);
    // Rows in training order (relu, tanh, none); in each cell: before training, epoch 1, epoch 2.
    LABELS.forEach((label, row) => {
      for (let layer = 0; layer < layers; layer++) {
        const cell = data.slice((row * layers + layer) * 3, (row * layers + layer + 1) * 3);
        const series = [run(label).gradients.start, ...run(label).gradients.epochs!];
        cell.forEach((t, phase) => {
          const histogram = series[phase][layer].weight.histogram;
          expect(t.y).toEqual(nonZeroCounts(histogram));
          expect(t.x).toEqual(logBinCenters(histogram));
          const n = row * layers + layer + 1;
          expect(t.xaxis).toBe(n === 1 ? 'x' : `x${n}`);
        });
      }
    });
    // The epoch histograms are new measurements: after training they equal the end's.
    expect(run('tanh').gradients.epochs![1][0].weight.histogram.counts).toEqual(run('tanh').gradients.end[0].weight.histogram.counts);
  });

  it('draws dead units per hidden layer in percent, after training and at initialisation, and the big network at initialisation', () => {
    const [after, atInit, big] = figures.dead.plots;
    for (const [plot, phase] of [[after, 'deadLayers'], [atInit, 'deadLayersStart']] as const) {
      for (const t of plot.data as Partial<PlotData>[]) {
        const layers = run(t.name!)[phase]!;
        expect(t.x).toEqual(layers.map((l) => `layer ${l.name} (${l.units} units)`));
        expect(t.y).toEqual(layers.map((l) => 100 * l.ratio));
        expect(t.customdata).toEqual(layers.map((l) => l.dead));
      }
    }
    const deadAtInit = result.deadAtInit!;
    expect(deadAtInit.layers).toEqual([2, 32, 16, 16, 2]);
    expect(deadAtInit.samples).toBe(200);
    expect((big.data[0] as Partial<PlotData>).y).toEqual(deadAtInit.deadLayers.map((l) => 100 * l.ratio));
    expect(deadAtInit.deadLayers.map((l) => l.units)).toEqual([32, 16, 16]);
    expect(titleText(after.layout.title)).toBe('Dead hidden units after training, over the 200 training samples');
    expect(figures.dead.note).toMatch(/after training and at initialisation/);
    const linear = { ...result, runs: result.runs.map((r) => ({ ...r, deadRatio: null, deadLayers: [] })) };
    expect(comparisonFigures(linear).find((f) => f.name === 'dead')!.note).toMatch(/^Not applicable: the network has no hidden layer/);
  });

  it("draws each layer's outputs as shares in percent, exact zeros apart", () => {
    const data = traces(figures['layer-outputs']);
    const outputs = run('relu').layerOutputs!;
    // Two hidden layers after their activation, then the logits.
    expect(outputs.map((o) => o.shape)).toEqual([[8], [6], [2]]);
    const reluTraces = data.filter((t) => t.name!.startsWith('relu layer'));
    expect(reluTraces).toHaveLength(3);
    reluTraces.forEach((t, i) => {
      const bars = outputBars(outputs[i]);
      expect(t.x).toEqual(bars.x);
      expect(t.y).toEqual(bars.y);
      // Every output is in a bar or among the zeros.
      expect(bars.y.reduce((a, b) => a + b, 0) + bars.zeroPercent).toBeCloseTo(100, 6);
      expect(bars.zeroPercent).toBeCloseTo(100 * outputs[i].zeroFraction, 9);
    });
    expect(outputs[0].stats.count).toBe(100 * 8);
    expect(outputs[0].zeros).toBeGreaterThan(0); // relu outputs are 0 for about half the inputs
    const zeroNotes = annotationTexts(figures['layer-outputs'].plots[0]).filter((t) => t.startsWith('= 0'));
    expect(zeroNotes).toContain(`= 0: ${((100 * outputs[0].zeros) / outputs[0].stats.count).toFixed(1)}%`);
  });

  it('draws the seconds per epoch of every run, fastest at the top', () => {
    const data = traces(figures.timing);
    for (const t of data) expect(t.x).toEqual([run(t.y![0] as string).secondsPerEpoch]);
    const order = figures.timing.plots[0].layout.yaxis!.categoryarray as string[];
    const seconds = order.map((label) => run(label).secondsPerEpoch);
    expect(seconds).toEqual(seconds.slice().sort((a, b) => b - a));
  });

  it("draws f and f' of each activation, its 3-D surface and its gradient-magnitude map row by row", () => {
    const [f, df] = figures.functions.plots;
    result.activations.forEach((a, i) => {
      expect(f.data[i]).toMatchObject({ x: a.curve.x, y: a.curve.f });
      expect(df.data[i]).toMatchObject({ x: a.curve.x, y: a.curve.df });
      const [surface, heatmap] = figures.surfaces.plots[i].data as Partial<PlotData>[];
      const n = a.surface.x.length;
      expect(surface.type).toBe('surface');
      expect((surface.z as number[][]).flat()).toEqual(a.surface.z);
      expect(heatmap.type).toBe('heatmap');
      const z = heatmap.z as number[][];
      expect(z).toHaveLength(a.surface.y.length);
      expect(z[5][7]).toBe(a.surface.gradMagnitude[5 * n + 7]);
      expect(z.flat()).toEqual(a.surface.gradMagnitude);
    });
  });

  it('draws the density of every initializer that has one, and names those that are a single value', () => {
    const settings = { initializers: ['glorot_uniform', 'he_normal', 'zeros'], fanIn: 100, fanOut: 50 };
    const withTable = { ...result, initializers: initializerTable(settings, 1) };
    const figure = comparisonFigures(withTable).find((f) => f.name === 'initializer-densities')!;
    const data = traces(figure);
    expect(data.map((t) => t.name)).toEqual(['glorot_uniform', 'he_normal']);
    for (const t of data) {
      const { edges, density } = withTable.initializers.find((row) => row.initializer === t.name)!.density!;
      expect(t.y).toEqual(density);
      expect(t.x).toEqual(density.map((_, k) => (edges[k] + edges[k + 1]) / 2));
      // A density: its integral over the bins is 1.
      expect(density.reduce((sum, d, k) => sum + d * (edges[k + 1] - edges[k]), 0)).toBeCloseTo(1, 9);
    }
    // glorot_uniform(100, 50): uniform on ±√(6/150) = ±0.2, density 1/0.4 = 2.5 on average.
    const glorot = withTable.initializers[0].density!;
    expect(glorot.edges[0]).toBeGreaterThan(-0.2);
    expect(glorot.edges[glorot.edges.length - 1]).toBeLessThan(0.2);
    expect(glorot.density.reduce((a, b) => a + b, 0) / glorot.density.length).toBeCloseTo(2.5, 1);
    expect(withTable.initializers[2].density).toBeNull();
    expect(figure.note).toMatch(/Not drawn: zeros \(every weight 0\)/);
    expect(annotationTexts(figure.plots[0])).toEqual(['glorot_uniform', 'he_normal']);
    expect(axisTitles(figure.plots[0].layout).x).toContain('weight value');
    expect(axisTitles(figure.plots[0].layout).y).toContain('probability density');
  });

  it('leaves a diverged run out of the histograms after training only (it has no statistics then)', () => {
    const diverged = { ...result, runs: result.runs.map((r) => (r.activation === 'relu' ? { ...r, diverged: true, gradients: { ...r.gradients, end: [] } } : r)) };
    const [start, end] = ['gradients-start', 'gradients-end'].map((name) => comparisonFigures(diverged).find((f) => f.name === name)!);
    expect(new Set(lines(start).map((t) => t.name))).toEqual(new Set(LABELS));
    expect(new Set(lines(end).map((t) => t.name))).toEqual(new Set(['tanh', 'none']));
  });

  it('keeps each run in one colour across the figures, the baseline dark grey and dotted', () => {
    const colorOf = (t: Partial<PlotData>) => t.marker?.color ?? t.line?.color;
    for (const label of LABELS) {
      const colors = new Set(
        ['loss', 'accuracy', 'timing', 'gradients-start', 'gradients-end', 'dead', 'layer-outputs']
          .flatMap((name) => traces(figures[name]).filter((t) => (t.name ?? (t.y as string[])[0]).split(' ')[0] === label && !t.name?.includes('[')).map(colorOf)),
      );
      expect([...colors]).toEqual([runColor(result, label)]);
    }
    expect(runColor(result, 'none')).toBe('#444');
    expect(traces(figures.accuracy).find((t) => t.name === 'none test')!.line!.dash).toBe('dot');
    expect(new Set(LABELS.map((l) => runColor(result, l))).size).toBe(3);
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
