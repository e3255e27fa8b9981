// The comparison's figures as typed Plotly specs: a list of named builders, each from a
// ComparisonResult to the plots of one figure. The HTML report embeds what they build and
// the browser page draws it (both through report/draw.ts), and the PNG files are
// screenshots of the report's figures: one figure code for every place a figure is shown.
//
// With several seeds, the builders that know about seeds (acrossSeeds) draw every seed:
// the accuracy spread, and the curves as a mean with a min–max band. The others draw the
// runs of the first seed, and say so.

import type { Annotations, Data, Dash, Layout, LayoutAxis, PlotData } from 'plotly.js';
import type { DeadLayer, Histogram, LayerOutput } from '../nn/analysis/index';
import { BASELINE } from './options';
import { deadUnitsApply, runLabel, runsInTrainingOrder, severalSeeds, type ComparisonResult, type RunResult } from './results';
import { seedsOf } from './seeds';

/** One Plotly plot: what Plotly.newPlot draws. */
export interface PlotSpec {
  data: Data[];
  layout: Partial<Layout>;
}

/** A figure of the comparison: one plot, or small multiples, under one heading. */
export interface Figure {
  /** Names the figure everywhere: its section (#name), its plots' element (#fig-name), its builder. */
  name: string;
  title: string;
  /** How to read it ('' when the title says enough). */
  note: string;
  /** The file in --out/figures the command line renders it to, for the figures kept as images. */
  png?: string;
  plots: PlotSpec[];
}

export interface FigureBuilder {
  name: string;
  title: string;
  png?: string;
  /** Whether the result has what the figure shows (default: always); a figure that does not apply is left out of the report. */
  applies?(result: ComparisonResult): boolean;
  note(result: ComparisonResult): string;
  plots(result: ComparisonResult): PlotSpec[];
  /** Draws the runs of every seed; without it a several-seed result shows the builder its first seed's runs only. */
  acrossSeeds?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const BASELINE_COLOR = '#444';

/**
 * Each run's colour, the same in every figure. Ten runs or fewer take the category-10
 * palette; more (the full protocol compares 28) spread evenly round the hue circle,
 * neighbours told apart by three lightnesses, so that no two runs share a colour.
 */
export function runColor(result: Pick<ComparisonResult, 'network'>, label: string): string {
  if (label === BASELINE) return BASELINE_COLOR;
  const labels = result.network.activationsCompared;
  const i = labels.indexOf(label);
  if (labels.length <= PALETTE.length) return PALETTE[i];
  return `hsl(${Math.round((i * 360) / labels.length)}, 75%, ${[36, 56, 46][i % 3]}%)`;
}

/** The baseline is dotted: it is the reference, not one of the activations. */
const dash = (label: string): Dash => (label === BASELINE ? 'dot' : 'solid');

const WIDE = { width: 1100, height: 480 };
const SMALL = { width: 420, height: 340 };
const BASE_LAYOUT: Partial<Layout> = { margin: { t: 40, r: 20, b: 50, l: 60 }, legend: { orientation: 'h', y: -0.2 }, font: { size: 12 } };

const layout = (title: string, x: string, y: string, rest: Partial<Layout> = {}): Partial<Layout> => ({
  ...BASE_LAYOUT,
  title: { text: title },
  ...rest,
  xaxis: { title: { text: x }, ...rest.xaxis },
  yaxis: { title: { text: y }, ...rest.yaxis },
});

/**
 * The x axis of the training curves: epochs, or optimizer steps for a run with a step
 * budget (the MNIST tutorial's curves, 004, are per step). `at(step)` places a step on it.
 */
function trainingAxis(result: ComparisonResult): { title: string; at(step: number): number } {
  if (result.options.steps != null) return { title: 'step', at: (step) => step };
  const stepsPerEpoch = Math.ceil(result.dataset.train / result.options.batch);
  return { title: 'epoch', at: (step) => step / stepsPerEpoch };
}

const loss: FigureBuilder = {
  name: 'loss',
  title: 'Loss curves',
  png: 'loss.png',
  acrossSeeds: true,
  note: (result) => (severalSeeds(result) ? bandNote(result) : ''),
  plots: (result) => {
    if (severalSeeds(result)) return lossBands(result);
    const axis = trainingAxis(result);
    return [
      {
        data: runsInTrainingOrder(result).flatMap((run): Data[] => {
          const label = runLabel(run);
          const color = runColor(result, label);
          return [
            {
              x: run.curves.stepLoss.map((_, i) => axis.at(i + 1)),
              y: run.curves.stepLoss,
              name: `${label} (per step)`,
              mode: 'lines',
              opacity: 0.35,
              line: { color, width: 1, dash: dash(label) },
              showlegend: false,
            },
            { x: run.curves.evalStep.map(axis.at), y: run.curves.testLoss, name: `${label} test`, mode: 'lines+markers', line: { color, width: 3, dash: dash(label) } },
          ];
        }),
        layout: layout(`Training loss per step (thin) and test loss per ${result.options.steps != null ? 'evaluation' : 'epoch'}`, axis.title, 'cross-entropy loss (nats)', WIDE),
      },
    ];
  },
};

const accuracy: FigureBuilder = {
  name: 'accuracy',
  title: 'Accuracy curves',
  png: 'accuracy.png',
  acrossSeeds: true,
  note: (result) =>
    [result.options.steps != null ? `Test accuracy every ${result.options.evalEvery ?? result.options.steps} steps on ${result.dataset.test} test samples.` : '', severalSeeds(result) ? bandNote(result) : '']
      .filter(Boolean)
      .join(' '),
  plots: (result) => {
    if (severalSeeds(result)) return accuracyBands(result);
    const axis = trainingAxis(result);
    const bySteps = result.options.steps != null;
    return [
      {
        data: runsInTrainingOrder(result).flatMap((run): Data[] => {
          const label = runLabel(run);
          const color = runColor(result, label);
          const test: Data = { x: run.curves.evalStep.map(axis.at), y: run.curves.testAccuracy.map((a) => 100 * a), name: `${label} test`, mode: 'lines+markers', line: { color, dash: dash(label), width: 3 } };
          // Per-epoch training accuracy only where the run trains whole epochs.
          if (bySteps) return [test];
          return [test, { x: run.curves.epoch, y: run.curves.trainAccuracy.map((a) => 100 * a), name: `${label} train`, mode: 'lines', line: { color, dash: 'dash', width: 1 }, showlegend: false }];
        }),
        layout: layout(bySteps ? 'Test accuracy per evaluation' : 'Test accuracy (thick) and training accuracy (dashed) per epoch', axis.title, 'accuracy (%)', WIDE),
      },
    ];
  },
};

/**
 * gs.analysis histograms are log-spaced over |g| (exact zeros count in the first bin):
 * each bin is placed at the log10 of its geometric centre.
 */
export function logBinCenters(histogram: Histogram): number[] {
  return histogram.counts.map((_, i) => Math.log10(Math.sqrt(Math.max(histogram.edges[i], 1e-45) * histogram.edges[i + 1])));
}

/** A log histogram's counts without its exact zeros (gs.analysis counts them in the first bin; histogram.zeros says how many). */
export function nonZeroCounts(histogram: Histogram): number[] {
  return histogram.counts.map((c, i) => (i === 0 ? c - (histogram.zeros ?? 0) : c));
}

/**
 * Where the "= 0" bars of a plot of log histograms stand: a decade and a half left of
 * the lowest bin drawn (the axis is log10 |g|; 0 has no place on it), with the axis ticks
 * that label the spot "= 0" and the decades to its right.
 */
export function zeroBarAxis(histograms: readonly Histogram[]): { x: number; tickvals: number[]; ticktext: string[] } {
  const lowest = Math.min(...histograms.map((h) => Math.log10(Math.max(h.edges[0], 1e-45))));
  const highest = Math.max(...histograms.map((h) => Math.log10(h.edges[h.edges.length - 1])));
  const x = Math.floor(lowest) - 1.5;
  const step = highest - lowest > 8 ? 2 : 1;
  const decades: number[] = [];
  for (let d = Math.ceil(lowest / step) * step; d <= highest; d += step) decades.push(d);
  return { x, tickvals: [x, ...decades], ticktext: ['= 0', ...decades.map(String)] };
}

/** Bars of the exact-zero counts, one per run side by side at `x`, in the runs' colours. */
function zeroBars(result: ComparisonResult, runs: readonly { label: string; zeros: number }[], x: number, axes: Partial<PlotData> = {}): Data[] {
  const width = 1.4 / runs.length;
  return runs.map(({ label, zeros }, i): Data => ({
    type: 'bar',
    x: [x + (i - (runs.length - 1) / 2) * width],
    y: [zeros],
    width: [width],
    name: `${label} = 0`,
    showlegend: false,
    marker: { color: runColor(result, label) },
    hovertemplate: `${label}: %{y} gradients exactly 0<extra></extra>`,
    ...axes,
  }));
}

/**
 * One small plot per Linear layer: the histogram of log10 |∂L/∂W| of every run, and
 * where a layer has gradients that are exactly 0 (units dead on the whole batch), a bar
 * of their count per run at "= 0" instead of a spike in the lowest bin.
 */
function gradientPlots(result: ComparisonResult, phase: 'start' | 'end'): PlotSpec[] {
  // Diverged runs have no statistics after training: draw the runs that do.
  const drawn = runsInTrainingOrder(result).filter((run) => run.gradients[phase].length > 0);
  const layers = drawn.length > 0 ? drawn[0].gradients[phase] : [];
  return layers.map((layer, li) => {
    const role = li === 0 ? 'input' : li === layers.length - 1 ? 'output' : 'hidden';
    const histograms = drawn.map((run) => run.gradients[phase][li].weight.histogram);
    const withZeros = histograms.some((h) => (h.zeros ?? 0) > 0);
    const zeroAxis = zeroBarAxis(histograms);
    const lines = drawn.map((run, r): Data => {
      const label = runLabel(run);
      return { x: logBinCenters(histograms[r]), y: nonZeroCounts(histograms[r]), name: label, mode: 'lines', line: { color: runColor(result, label), dash: dash(label) } };
    });
    const bars = withZeros ? zeroBars(result, drawn.map((run, r) => ({ label: runLabel(run), zeros: histograms[r].zeros ?? 0 })), zeroAxis.x) : [];
    return {
      data: [...lines, ...bars],
      // The first plot's legend names every run; the others share its colours.
      layout: layout(`layer ${layer.name} weight gradients (${role})`, 'log10 |∂L/∂W|', 'weights per bin (count)', {
        ...SMALL,
        showlegend: li === 0,
        legend: { orientation: 'h', y: -0.35 },
        barmode: 'overlay',
        ...(withZeros ? { xaxis: { tickvals: zeroAxis.tickvals, ticktext: zeroAxis.ticktext } } : {}),
      }),
    };
  });
}

const gradientsStart: FigureBuilder = {
  name: 'gradients-start',
  title: 'Gradient histograms per layer, before training',
  png: 'gradients-start.png',
  note: () =>
    "Histogram of log10 |∂L/∂W| per layer on a fixed batch, at initialisation (the same weights for every activation; 'none' is the network without activation). " +
    "Bins span 12 decades below each layer's largest |g|; gradients that are exactly 0 (a unit dead on the whole batch passes none back) are counted apart, as bars at '= 0'.",
  plots: (result) => gradientPlots(result, 'start'),
};

const gradientsEnd: FigureBuilder = {
  name: 'gradients-end',
  title: 'Gradient histograms per layer, after training',
  png: 'gradients-end.png',
  note: () => 'The same, after training.',
  plots: (result) => gradientPlots(result, 'end'),
};

/** 'the 60000 training samples': the set dead units are counted over. */
function deadSet(result: ComparisonResult): string {
  return result.options.deadOn === 'test' ? `the ${result.dataset.test} test samples` : `the ${result.dataset.train} training samples`;
}

/** Grouped bars of each run's dead units per hidden layer, in percent (the hover gives the count). */
function deadBars(result: ComparisonResult, layersOf: (run: RunResult) => readonly DeadLayer[] | undefined): Data[] {
  return runsInTrainingOrder(result)
    .filter((run) => run.activation !== BASELINE && layersOf(run) !== undefined)
    .map((run): Data => {
      const layers = layersOf(run)!;
      return {
        type: 'bar',
        x: layers.map((l) => `layer ${l.name} (${l.units} units)`),
        y: layers.map((l) => 100 * l.ratio),
        customdata: layers.map((l) => l.dead),
        // The count over each bar: a run with no dead unit shows its 0s instead of nothing.
        text: layers.map((l) => String(l.dead)),
        textposition: 'outside',
        cliponaxis: false,
        hovertemplate: `${runLabel(run)}: %{customdata} dead (%{y:.1f}%)<extra></extra>`,
        name: runLabel(run),
        marker: { color: runColor(result, runLabel(run)) },
      };
    });
}

const dead: FigureBuilder = {
  name: 'dead',
  title: 'Dead neurons per layer',
  png: 'dead-neurons.png',
  note: (result) =>
    deadUnitsApply(result)
      ? `A unit is dead when its output is exactly 0 on every one of ${deadSet(result)} (the chapter's calculate_disabled_neuron), after training and at initialisation.` +
        (result.deadAtInit ? ` The last plot is the chapter's ${result.deadAtInit.layers.length - 2}-layer ${result.deadAtInit.activation} network, counted at initialisation only.` : '')
      : 'Not applicable: the network has no hidden layer, so it has no hidden unit that could die.',
  plots: (result) => {
    const barLayout = (title: string, width = WIDE.width) => layout(title, 'hidden layer', 'dead units (%)', { width, height: 420, barmode: 'group', yaxis: { rangemode: 'tozero' } });
    const plots: PlotSpec[] = [{ data: deadBars(result, (run) => run.deadLayers), layout: barLayout(`Dead hidden units after training, over ${deadSet(result)}`) }];
    if (result.runs.some((run) => run.deadLayersStart !== undefined)) {
      plots.push({ data: deadBars(result, (run) => run.deadLayersStart), layout: barLayout(`Dead hidden units at initialisation (the same weights for every run), over ${deadSet(result)}`) });
    }
    const big = result.deadAtInit;
    if (big) {
      // In the colour of the run with the same activation, if there is one.
      const same = result.runs.find((run) => run.activation === big.activation);
      plots.push({
        data: [
          {
            type: 'bar',
            x: big.deadLayers.map((l) => `layer ${l.name} (${l.units} units)`),
            y: big.deadLayers.map((l) => 100 * l.ratio),
            text: big.deadLayers.map((l) => String(l.dead)),
            textposition: 'outside',
            hovertemplate: '%{text} dead (%{y:.1f}%)<extra></extra>',
            name: `${big.label} at initialisation`,
            marker: { color: same ? runColor(result, runLabel(same)) : PALETTE[0] },
          },
        ],
        layout: {
          ...barLayout(`${big.label} (${big.layers.join('-')}), untrained: dead units over ${deadSet(result)}`),
          showlegend: true,
        },
      });
    }
    return plots;
  },
};

const functions: FigureBuilder = {
  name: 'functions',
  title: "Activation functions f and derivatives f'",
  png: 'activations.png',
  note: () => "f' comes from the engine's autograd through each activation's own module.",
  plots: (result) =>
    (['f', 'df'] as const).map((key) => {
      const title = key === 'f' ? 'f(x)' : "f'(x)";
      return {
        data: result.activations.map((a): Data => ({ x: a.curve.x, y: a.curve[key], name: a.name, mode: 'lines', line: { color: runColor(result, a.name) } })),
        layout: layout(title, 'x', title, { width: 560, height: 400 }),
      };
    }),
};

const surfaces: FigureBuilder = {
  name: 'surfaces',
  title: 'Activation surfaces Z = f(x) + f(y) and their gradient magnitude |∇Z|',
  png: 'surfaces.png',
  note: () =>
    'Left: the 3-D surface Z = f(x) + f(y) over two inputs (drag to turn it); right: |∇Z| = √(f′(x)² + f′(y)²) from autograd: where it is near zero, gradients vanish.',
  plots: (result) =>
    result.activations.map((a): PlotSpec => {
      const n = a.surface.x.length;
      const rows = (values: readonly number[]) => a.surface.y.map((_, j) => values.slice(j * n, (j + 1) * n));
      const title = `${a.name}: ${a.formula}`;
      return {
        data: [
          { type: 'surface', x: a.surface.x, y: a.surface.y, z: rows(a.surface.z), colorscale: 'Viridis', showscale: false, name: `${a.name} Z` },
          { type: 'heatmap', x: a.surface.x, y: a.surface.y, z: rows(a.surface.gradMagnitude), colorscale: 'Hot', colorbar: { title: { text: '|∇Z|' }, x: 1.0, thickness: 12 }, name: `${a.name} |∇Z|` },
        ],
        // A formula can be long: a smaller title keeps it on the plot.
        layout: {
          ...BASE_LAYOUT,
          width: 590,
          height: 330,
          margin: { t: 40, r: 10, b: 45, l: 10 },
          title: { text: title, font: { size: 12 } },
          // The chapter's view: elevation 30°, azimuth 120°.
          scene: {
            domain: { x: [0, 0.5], y: [0, 1] },
            // Few, small ticks: a 3-D view this size has no room for more.
            xaxis: { title: { text: 'x' }, nticks: 5, tickfont: { size: 9 } },
            yaxis: { title: { text: 'y' }, nticks: 5, tickfont: { size: 9 } },
            zaxis: { title: { text: 'Z' }, nticks: 5, tickfont: { size: 9 } },
            camera: { eye: { x: -1.1, y: 1.9, z: 1.25 } },
          },
          xaxis: { domain: [0.62, 0.9], title: { text: 'x' } },
          yaxis: { title: { text: 'y' }, anchor: 'x' },
        },
      };
    }),
};

// --- several seeds: the spread, and curves as a mean with a band ---------------------------

/** The runs of each label across its seeds, labels in training order, seeds in order. */
function runsByLabel(result: ComparisonResult): Map<string, RunResult[]> {
  const byLabel = new Map<string, RunResult[]>();
  for (const run of runsInTrainingOrder(result)) byLabel.set(runLabel(run), [...(byLabel.get(runLabel(run)) ?? []), run]);
  return byLabel;
}

/** The mean, min and max across seeds at each point of a curve (the seeds' curves have the same points). */
export function curveBand(curves: readonly (readonly number[])[]): { mean: number[]; min: number[]; max: number[] } {
  const length = Math.min(...curves.map((curve) => curve.length));
  const at = (i: number) => curves.map((curve) => curve[i]);
  const points = Array.from({ length }, (_, i) => at(i));
  return {
    mean: points.map((values) => values.reduce((sum, v) => sum + v, 0) / values.length),
    min: points.map((values) => Math.min(...values)),
    max: points.map((values) => Math.max(...values)),
  };
}

/** A run's colour, see-through: the band around its mean curve. */
export function translucent(color: string, alpha: number): string {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color);
  const hex = short ? ['', ...short.slice(1).map((digit) => digit + digit)] : /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return `rgba(${parseInt(hex[1], 16)}, ${parseInt(hex[2], 16)}, ${parseInt(hex[3], 16)}, ${alpha})`;
  const hsl = /^hsl\((.*)\)$/.exec(color);
  if (hsl) return `hsla(${hsl[1]}, ${alpha})`;
  throw new Error(`translucent: a colour as runColor makes it (#rgb, #rrggbb or hsl(...)), got '${color}'`);
}

function bandNote(result: ComparisonResult): string {
  const n = seedsOf(result.options).length;
  return `Each line is the mean over the ${n} seeds; the shaded band spans the lowest to the highest seed at each point (min–max, not ±std: with few seeds the range hides nothing).`;
}

/** A mean curve with its min–max band: the band's two edges (the upper one first, the lower filled up to it), then the mean. */
function band(x: number[], curves: number[][], label: string, color: string, name: string, width: number): Data[] {
  const { mean, min, max } = curveBand(curves);
  const edge = { mode: 'lines' as const, line: { width: 0, color }, showlegend: false, hoverinfo: 'skip' as const };
  return [
    { ...edge, x, y: max, name: `${name} max` },
    { ...edge, x, y: min, name: `${name} min`, fill: 'tonexty', fillcolor: translucent(color, 0.2) },
    { x, y: mean, name, mode: 'lines+markers', line: { color, width, dash: dash(label) } },
  ];
}

function lossBands(result: ComparisonResult): PlotSpec[] {
  const axis = trainingAxis(result);
  return [
    {
      data: [...runsByLabel(result)].flatMap(([label, runs]): Data[] => {
        const color = runColor(result, label);
        const steps = curveBand(runs.map((run) => run.curves.stepLoss));
        return [
          { x: steps.mean.map((_, i) => axis.at(i + 1)), y: steps.mean, name: `${label} (per step, mean)`, mode: 'lines', opacity: 0.35, line: { color, width: 1, dash: dash(label) }, showlegend: false },
          ...band(runs[0].curves.evalStep.map(axis.at), runs.map((run) => run.curves.testLoss), label, color, `${label} test`, 3),
        ];
      }),
      layout: layout(`Training loss per step (thin) and test loss per ${result.options.steps != null ? 'evaluation' : 'epoch'}: mean over seeds, min–max band`, axis.title, 'cross-entropy loss (nats)', WIDE),
    },
  ];
}

function accuracyBands(result: ComparisonResult): PlotSpec[] {
  const axis = trainingAxis(result);
  const bySteps = result.options.steps != null;
  return [
    {
      data: [...runsByLabel(result)].flatMap(([label, runs]): Data[] => {
        const color = runColor(result, label);
        const test = band(runs[0].curves.evalStep.map(axis.at), runs.map((run) => run.curves.testAccuracy.map((a) => 100 * a)), label, color, `${label} test`, 3);
        if (bySteps) return test;
        const train = curveBand(runs.map((run) => run.curves.trainAccuracy.map((a) => 100 * a)));
        return [...test, { x: runs[0].curves.epoch, y: train.mean, name: `${label} train`, mode: 'lines', line: { color, dash: 'dash', width: 1 }, showlegend: false }];
      }),
      layout: layout(
        `${bySteps ? 'Test accuracy per evaluation' : 'Test accuracy (thick) and training accuracy (dashed) per epoch'}: mean over seeds, min–max band`,
        axis.title,
        'accuracy (%)',
        WIDE,
      ),
    },
  ];
}

const spread: FigureBuilder = {
  name: 'spread',
  title: 'Test accuracy across seeds',
  png: 'spread.png',
  acrossSeeds: true,
  applies: severalSeeds,
  note: (result) => {
    const tied = (result.summary ?? []).filter((entry) => entry.tiedForFirst === true).map((entry) => entry.label);
    return (
      `One point per seed, a box of their quartiles and a dashed line at their mean; best mean first. ` +
      (tied.length > 0 ? `Tied for first (no paired test across seeds tells them apart from the best at p < 0.05): ${tied.join(', ')}.` : '')
    );
  },
  plots: (result) => {
    const byLabel = runsByLabel(result);
    // Best mean first, as the table: the summary's order (training order without one).
    const order = result.summary?.map((entry) => entry.label) ?? [...byLabel.keys()];
    return [
      {
        data: order.map((label): Data => {
          const runs = byLabel.get(label) ?? [];
          return {
            type: 'box',
            name: label,
            y: runs.map((run) => 100 * run.testAccuracy),
            text: runs.map((run) => `seed ${run.seed}`),
            boxpoints: 'all',
            jitter: 0.4,
            pointpos: 0,
            boxmean: true,
            marker: { color: runColor(result, label), size: 7 },
            line: { color: runColor(result, label), width: 1 },
          };
        }),
        layout: layout(`Test accuracy of every seed (${seedsOf(result.options).length} seeds per run)`, 'activation', 'test accuracy (%)', { ...WIDE, showlegend: false }),
      },
    ];
  },
};


// --- small multiples: one plot, a grid of independent axes -----------------------------------

/** The axis names of the cell at (row, column) of a grid plot: 'x', 'y' for the first, then 'x2', 'y2', ... row by row. */
function cellAxes(row: number, column: number, columns: number): { x: string; y: string; xaxis: `xaxis${string}`; yaxis: `yaxis${string}` } {
  const n = row * columns + column + 1;
  const suffix = n === 1 ? '' : String(n);
  return { x: `x${suffix}`, y: `y${suffix}`, xaxis: `xaxis${suffix}`, yaxis: `yaxis${suffix}` };
}

interface GridOptions {
  title: string;
  rows: number;
  columns: number;
  /** Titles of the bottom row's x axes and the first column's y axes (every cell has the same axes). */
  xTitle: string;
  yTitle: string;
  cellHeight: number;
  /** Over each row's first cell (a run's label, in its colour). */
  rowLabels?: readonly { text: string; color: string }[];
  /** Over the top row's cells. */
  columnLabels?: readonly string[];
  /** Over every cell, instead of row and column labels. */
  cellLabels?: readonly string[];
  width?: number;
  axis?: Partial<LayoutAxis>;
}

/** The layout of a grid plot: every cell's axes, titles on the outer ones, labels over rows, columns or cells. */
function gridLayout(options: GridOptions): Partial<Layout> {
  const { rows, columns, cellHeight } = options;
  const result: Partial<Layout> & Record<string, unknown> = {
    ...BASE_LAYOUT,
    // At the very top: the legend sits between it and the column labels.
    title: { text: options.title, yref: 'container', y: 1, yanchor: 'top', pad: { t: 12 } },
    width: options.width ?? WIDE.width,
    height: 140 + rows * cellHeight,
    margin: { t: 110, r: 20, b: 60, l: 70 },
    grid: { rows, columns, pattern: 'independent', roworder: 'top to bottom', xgap: 0.12, ygap: Math.min(0.6, 60 / cellHeight) },
    // Between the title and the column labels, clear of both.
    legend: { orientation: 'h', y: 1 + 38 / (rows * cellHeight - 30), yanchor: 'bottom', x: 1, xanchor: 'right' },
  };
  const annotations: Partial<Annotations>[] = [];
  const label = (text: string, row: number, column: number, at: 'left' | 'center', color = '#222', shift = 0): Partial<Annotations> => {
    const axes = cellAxes(row, column, columns);
    return { text, xref: `${axes.x} domain` as Annotations['xref'], yref: `${axes.y} domain` as Annotations['yref'], x: at === 'left' ? 0 : 0.5, y: 1, xanchor: at, yanchor: 'bottom', yshift: shift, showarrow: false, font: { size: 11, color } };
  };
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const axes = cellAxes(row, column, columns);
      result[axes.xaxis] = { ...options.axis, title: { text: row === rows - 1 ? options.xTitle : '' }, tickfont: { size: 9 } };
      result[axes.yaxis] = { title: { text: column === 0 ? options.yTitle : '' }, tickfont: { size: 9 }, rangemode: 'tozero' };
      if (options.cellLabels?.[row * columns + column] !== undefined) annotations.push(label(options.cellLabels[row * columns + column], row, column, 'center'));
    }
    const rowLabel = options.rowLabels?.[row];
    if (rowLabel) annotations.push(label(`<b>${rowLabel.text}</b>`, row, 0, 'left', rowLabel.color));
  }
  options.columnLabels?.forEach((text, column) => annotations.push(label(text, 0, column, 'center', '#222', options.rowLabels ? 16 : 0)));
  result.annotations = annotations;
  return result;
}

/** Light to dark blue, for an ordered series (epoch 1 light, the last dark). */
function sequentialColor(i: number, n: number): string {
  const t = n <= 1 ? 1 : i / (n - 1);
  const [from, to] = [[158, 202, 225], [8, 48, 107]];
  const channel = (k: number) => Math.round(from[k] + (to[k] - from[k]) * t);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

const gradientsEpochs: FigureBuilder = {
  name: 'gradients-epochs',
  title: 'Gradient histograms per layer during training, epoch by epoch',
  png: 'gradients-epochs.png',
  applies: (result) => result.runs.some((run) => (run.gradients.epochs?.length ?? 0) > 0),
  note: () =>
    'Histogram of log10 |∂L/∂W| on the fixed batch before training (grey, dotted) and at the end of every epoch (light to dark): one row per run, one column per layer (--grad-every-epoch). ' +
    'Gradients that are exactly 0 are left out here; the figures before and after training count them.',
  plots: (result) => {
    const runs = runsInTrainingOrder(result).filter((run) => (run.gradients.epochs?.length ?? 0) > 0);
    const layers = runs[0].gradients.start;
    const epochs = Math.max(...runs.map((run) => run.gradients.epochs!.length));
    const phases = ['before training', ...Array.from({ length: epochs }, (_, e) => `epoch ${e + 1}`)];
    const data = runs.flatMap((run, row) => {
      const series = [run.gradients.start, ...run.gradients.epochs!];
      return layers.flatMap((_, column) => {
        const axes = cellAxes(row, column, layers.length);
        return series.map((stats, phase): Data => {
          const histogram = stats[column].weight.histogram;
          return {
            x: logBinCenters(histogram),
            y: nonZeroCounts(histogram),
            name: phases[phase],
            legendgroup: phases[phase],
            // The legend names each epoch once; the rows are labelled with their runs.
            showlegend: row === 0 && column === 0,
            mode: 'lines',
            line: phase === 0 ? { color: '#999', dash: 'dot', width: 1.5 } : { color: sequentialColor(phase - 1, epochs), width: 1.5 },
            hovertemplate: `${runLabel(run)}, layer ${layers[column].name}, ${phases[phase]}: %{y} weights at log10 |g| = %{x:.1f}<extra></extra>`,
            xaxis: axes.x,
            yaxis: axes.y,
          };
        });
      });
    });
    return [
      {
        data,
        layout: gridLayout({
          title: 'Weight-gradient histograms per epoch (rows: runs; columns: layers)',
          rows: runs.length,
          columns: layers.length,
          xTitle: 'log10 |∂L/∂W|',
          yTitle: 'weights per bin (count)',
          cellHeight: 150,
          rowLabels: runs.map((run) => ({ text: runLabel(run), color: runColor(result, runLabel(run)) })),
          columnLabels: layers.map((layer, i) => `layer ${layer.name} (${i === 0 ? 'input' : i === layers.length - 1 ? 'output' : 'hidden'})`),
        }),
      },
    ];
  },
};

/**
 * A layer-output histogram for drawing: the bins' centres and widths, each bin's share of
 * all outputs in percent with the exact zeros taken out of the bin that holds 0, and empty
 * bins trimmed from both ends (gs.analysis widens the streamed bins beyond the first batch).
 */
export function outputBars(output: LayerOutput): { x: number[]; width: number[]; y: number[]; zeroPercent: number } {
  const { edges, counts } = output.stats.histogram;
  const total = output.stats.count;
  const zeroBin = edges.findIndex((e, i) => i < counts.length && e <= 0 && (0 < edges[i + 1] || i === counts.length - 1));
  const shares = counts.map((c, i) => (100 * (i === zeroBin ? c - output.zeros : c)) / total);
  let first = shares.findIndex((v) => v > 0);
  let last = shares.length - 1 - [...shares].reverse().findIndex((v) => v > 0);
  if (first < 0) [first, last] = [0, -1];
  const bins = Array.from({ length: last - first + 1 }, (_, k) => first + k);
  return {
    x: bins.map((i) => (edges[i] + edges[i + 1]) / 2),
    width: bins.map((i) => edges[i + 1] - edges[i]),
    y: bins.map((i) => shares[i]),
    zeroPercent: (100 * output.zeros) / total,
  };
}

const layerOutputsFigure: FigureBuilder = {
  name: 'layer-outputs',
  title: "Distribution of each layer's outputs, trained networks",
  png: 'layer-outputs.png',
  applies: (result) => result.runs.some((run) => (run.layerOutputs?.length ?? 0) > 0),
  note: (result) =>
    `Each layer's outputs over the ${result.dataset.test} test samples after training (the chapter's get_model_outputs): the hidden layers after their activation, then the output layer's logits. ` +
    'Bars: share of all outputs per bin; outputs that are exactly 0 are counted apart ("= 0" in each plot).',
  plots: (result) => {
    const runs = runsInTrainingOrder(result).filter((run) => (run.layerOutputs?.length ?? 0) > 0);
    const columns = Math.max(...runs.map((run) => run.layerOutputs!.length));
    const annotations: Partial<Annotations>[] = [];
    const data = runs.flatMap((run, row) =>
      run.layerOutputs!.map((output, column): Data => {
        const axes = cellAxes(row, column, columns);
        const bars = outputBars(output);
        const label = runLabel(run);
        if (bars.zeroPercent > 0) {
          annotations.push({ text: `= 0: ${bars.zeroPercent.toFixed(1)}%`, xref: `${axes.x} domain` as Annotations['xref'], yref: `${axes.y} domain` as Annotations['yref'], x: 1, y: 1, xanchor: 'right', yanchor: 'top', showarrow: false, font: { size: 10, color: '#555' } });
        }
        return {
          type: 'bar',
          x: bars.x,
          y: bars.y,
          width: bars.width,
          name: `${label} layer ${output.name}`,
          showlegend: false,
          marker: { color: runColor(result, label) },
          hovertemplate: `${label}, layer ${output.name} (${output.kind}): %{y:.2f}% of outputs near %{x:.3g}<extra></extra>`,
          xaxis: axes.x,
          yaxis: axes.y,
        };
      }),
    );
    const first = runs[0].layerOutputs!;
    const grid = gridLayout({
      title: 'Layer outputs after training (rows: runs; columns: layers)',
      rows: runs.length,
      columns,
      xTitle: 'output value',
      yTitle: 'outputs per bin (%)',
      cellHeight: 140,
      rowLabels: runs.map((run) => ({ text: runLabel(run), color: runColor(result, runLabel(run)) })),
      columnLabels: first.map((output, i) => `${i === first.length - 1 ? 'output layer' : `hidden layer ${i + 1}`} (${output.shape.join('×')} ${i === first.length - 1 ? 'logits' : 'units'})`),
    });
    return [{ data, layout: { ...grid, bargap: 0, annotations: [...(grid.annotations ?? []), ...annotations] } }];
  },
};

const timing: FigureBuilder = {
  name: 'timing',
  title: 'Training time per activation',
  png: 'timing.png',
  note: (result) => {
    const jobs = result.options.jobs ?? 1;
    return (
      "Seconds per epoch of training steps alone (the test evaluation and the measurements excluded): the cost of each function's forward and backward on this backend, as the Keras appendix's timing figure (003)." +
      (jobs > 1 ? ` ${jobs} runs trained at once on shared cores (--jobs ${jobs}): compare these times only with each other.` : '')
    );
  },
  plots: (result) => {
    const runs = result.runs.slice().sort((a, b) => a.secondsPerEpoch - b.secondsPerEpoch);
    const labels = runs.map(runLabel);
    return [
      {
        data: runs.map((run): Data => {
          const label = runLabel(run);
          return {
            type: 'bar',
            orientation: 'h',
            y: [label],
            x: [run.secondsPerEpoch],
            text: [`${run.secondsPerEpoch < 1 ? run.secondsPerEpoch.toPrecision(2) : run.secondsPerEpoch.toFixed(run.secondsPerEpoch < 10 ? 2 : 1)} s`],
            textposition: 'outside',
            cliponaxis: false,
            name: label,
            showlegend: false,
            customdata: [run.totalSeconds],
            hovertemplate: `${label}: %{x:.2f} s per epoch, %{customdata:.1f} s in all<extra></extra>`,
            marker: { color: runColor(result, label) },
          };
        }),
        layout: layout('Seconds per epoch of training, fastest first', 'seconds per epoch (s)', 'activation', {
          width: 820,
          height: 130 + 26 * runs.length,
          margin: { t: 40, r: 70, b: 50, l: 60 },
          // Fastest at the top: a horizontal bar chart lists its first category at the bottom.
          yaxis: { categoryorder: 'array', categoryarray: labels.slice().reverse(), automargin: true },
          xaxis: { rangemode: 'tozero' },
        }),
      },
    ];
  },
};

const initializers: FigureBuilder = {
  name: 'initializer-densities',
  title: 'Initializer densities',
  png: 'initializers.png',
  applies: (result) => (result.initializers ?? []).some((row) => row.density),
  note: (result) => {
    const points = (result.initializers ?? []).filter((row) => row.density === null).map((row) => `${row.initializer} (every weight ${row.min})`);
    return (
      "The density of each initializer's weights in one Dense kernel, as the Keras appendix plots them (003: df.plot(kind='density')): a histogram of 100 bins, each count / (weights × bin width)." +
      (points.length ? ` Not drawn: ${points.join(', ')}, one value each, with no density.` : '')
    );
  },
  plots: (result) => {
    const rows = (result.initializers ?? []).filter((row) => row.density);
    const columns = 2;
    return [
      {
        data: rows.map((row, i): Data => {
          const axes = cellAxes(Math.floor(i / columns), i % columns, columns);
          const { edges, density } = row.density!;
          return {
            x: density.map((_, k) => (edges[k] + edges[k + 1]) / 2),
            y: density,
            name: row.initializer,
            showlegend: false,
            mode: 'lines',
            line: { color: PALETTE[i % PALETTE.length], shape: 'hvh' },
            hovertemplate: `${row.initializer}: density %{y:.3g} at %{x:.4f}<extra></extra>`,
            xaxis: axes.x,
            yaxis: axes.y,
          };
        }),
        layout: gridLayout({
          title: `Densities of the initializers' weights (${result.initializers![0].count} each)`,
          rows: Math.ceil(rows.length / columns),
          columns,
          xTitle: 'weight value',
          yTitle: 'probability density',
          cellHeight: 190,
          width: 900,
          cellLabels: rows.map((row) => row.initializer),
        }),
      },
    ];
  },
};

/** Every figure of the comparison, in the order the report and the page show them. */
export const FIGURES: readonly FigureBuilder[] = [initializers, spread, loss, accuracy, timing, gradientsStart, gradientsEnd, gradientsEpochs, dead, layerOutputsFigure, functions, surfaces];


/** The result as a builder that draws one seed sees it: the runs of the first seed only. */
function firstSeedOnly(result: ComparisonResult, seed: number): ComparisonResult {
  return { ...result, runs: result.runs.filter((run) => run.seed === seed) };
}

/** The builders that have something to show for this result, in order. */
export function figureBuilders(result: ComparisonResult): FigureBuilder[] {
  return FIGURES.filter((builder) => builder.applies?.(result) ?? true);
}

export function comparisonFigures(result: ComparisonResult): Figure[] {
  const seeds = seedsOf(result.options);
  // A shard may lack the first seed's runs: its first seed that has runs.
  const shownSeed = seeds.find((seed) => result.runs.some((run) => run.seed === seed)) ?? result.options.seed;
  const firstSeed = seeds.length > 1 ? firstSeedOnly(result, shownSeed) : result;
  return figureBuilders(result).map((builder) => {
    const shown = builder.acrossSeeds ? result : firstSeed;
    const oneOfSeveral = !builder.acrossSeeds && seeds.length > 1 ? `Seed ${shownSeed}, the first of the ${seeds.length} seeds${shownSeed === seeds[0] ? '' : ' with runs here'}.` : '';
    return { name: builder.name, title: builder.title, note: [builder.note(shown), oneOfSeveral].filter(Boolean).join(' '), png: builder.png, plots: builder.plots(shown) };
  });
}
