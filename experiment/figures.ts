// The comparison's figures as typed Plotly specs: a list of named builders, each from a
// ComparisonResult to the plots of one figure. The HTML report embeds what they build and
// the browser page draws it (both through report/draw.ts), and the PNG files are
// screenshots of the report's figures: one figure code for every place a figure is shown.
//
// With several seeds, the builders that know about seeds (acrossSeeds) draw every seed:
// the accuracy spread, and the curves as a mean with a min–max band. The others draw the
// runs of the first seed, and say so.

import type { Data, Dash, Layout } from 'plotly.js';
import type { Histogram } from '../nn/analysis/index';
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
  note(result: ComparisonResult): string;
  plots(result: ComparisonResult): PlotSpec[];
  /** Whether the figure has anything to show for this result (default: always). */
  applies?(result: ComparisonResult): boolean;
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

/** One small plot per Linear layer: the histogram of log10 |∂L/∂W| of every run. */
function gradientPlots(result: ComparisonResult, phase: keyof RunResult['gradients']): PlotSpec[] {
  // Diverged runs have no statistics after training: draw the runs that do.
  const drawn = runsInTrainingOrder(result).filter((run) => run.gradients[phase].length > 0);
  const layers = drawn.length > 0 ? drawn[0].gradients[phase] : [];
  return layers.map((layer, li) => {
    const role = li === 0 ? 'input' : li === layers.length - 1 ? 'output' : 'hidden';
    return {
      data: drawn.map((run): Data => {
        const histogram = run.gradients[phase][li].weight.histogram;
        const label = runLabel(run);
        return { x: logBinCenters(histogram), y: histogram.counts, name: label, mode: 'lines', line: { color: runColor(result, label), dash: dash(label) } };
      }),
      // The first plot's legend names every run; the others share its colours.
      layout: layout(`layer ${layer.name} weight gradients (${role})`, 'log10 |∂L/∂W|', 'weights per bin (count)', {
        ...SMALL,
        showlegend: li === 0,
        legend: { orientation: 'h', y: -0.35 },
      }),
    };
  });
}

const gradientsStart: FigureBuilder = {
  name: 'gradients-start',
  title: 'Gradient histograms per layer, before training',
  note: () =>
    "Histogram of log10 |∂L/∂W| per layer on a fixed batch, at initialisation (the same weights for every activation). Bins span 12 decades below each layer's largest |g|; gradients that are exactly 0 count in the leftmost bin.",
  plots: (result) => gradientPlots(result, 'start'),
};

const gradientsEnd: FigureBuilder = {
  name: 'gradients-end',
  title: 'Gradient histograms per layer, after training',
  png: 'gradients-end.png',
  note: () => 'The same, after training.',
  plots: (result) => gradientPlots(result, 'end'),
};

const dead: FigureBuilder = {
  name: 'dead',
  title: 'Dead neurons per layer',
  png: 'dead-neurons.png',
  note: (result) => (deadUnitsApply(result) ? '' : 'Not applicable: the network has no hidden layer, so it has no hidden unit that could die.'),
  plots: (result) => [
    {
      data: runsInTrainingOrder(result)
        .filter((run) => run.activation !== BASELINE)
        .map((run): Data => ({
          type: 'bar',
          x: run.deadLayers.map((l) => `layer ${l.name} (${l.units} units)`),
          y: run.deadLayers.map((l) => 100 * l.ratio),
          name: runLabel(run),
          marker: { color: runColor(result, runLabel(run)) },
        })),
      layout: layout(`Dead hidden units after training (output exactly 0 on every ${result.options.deadOn === 'test' ? 'test' : 'training'} sample)`, 'hidden layer', 'dead units (%)', {
        ...WIDE,
        barmode: 'group',
        yaxis: { rangemode: 'tozero' },
      }),
    },
  ],
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
  title: 'Gradient-magnitude surfaces |∇(f(x) + f(y))|',
  note: () => 'Z = f(x) + f(y): where |∇Z| is near zero, gradients vanish.',
  plots: (result) =>
    result.activations.map((a) => {
      const n = a.surface.x.length;
      const z = a.surface.y.map((_, j) => a.surface.gradMagnitude.slice(j * n, (j + 1) * n));
      const title = `${a.name}: ${a.formula}`;
      return {
        data: [{ type: 'heatmap', x: a.surface.x, y: a.surface.y, z, colorscale: 'Viridis', colorbar: { title: { text: '|∇Z|' } } }],
        // A formula can be long: a smaller title keeps it on the plot.
        layout: layout(title, 'x', 'y', { width: 420, height: 360, title: { text: title, font: { size: 12 } } }),
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

/** Every figure of the comparison, in the order the report and the page show them. */
export const FIGURES: readonly FigureBuilder[] = [spread, loss, accuracy, gradientsStart, gradientsEnd, dead, functions, surfaces];

/** The result as a builder that draws one seed sees it: the runs of the first seed only. */
function firstSeedOnly(result: ComparisonResult): ComparisonResult {
  return { ...result, runs: result.runs.filter((run) => run.seed === result.options.seed) };
}

/** The builders that have something to show for this result, in order. */
export function figureBuilders(result: ComparisonResult): FigureBuilder[] {
  return FIGURES.filter((builder) => builder.applies?.(result) ?? true);
}

export function comparisonFigures(result: ComparisonResult): Figure[] {
  const seeds = seedsOf(result.options);
  const firstSeed = seeds.length > 1 ? firstSeedOnly(result) : result;
  return figureBuilders(result).map((builder) => {
    const shown = builder.acrossSeeds ? result : firstSeed;
    const oneOfSeveral = !builder.acrossSeeds && seeds.length > 1 ? `Seed ${result.options.seed}, the first of the ${seeds.length} seeds.` : '';
    return { name: builder.name, title: builder.title, note: [builder.note(shown), oneOfSeveral].filter(Boolean).join(' '), png: builder.png, plots: builder.plots(shown) };
  });
}
