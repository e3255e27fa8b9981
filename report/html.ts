// The comparison's report: ONE self-contained HTML file that opens offline. Plotly
// (plotly.js-dist-min, read from node_modules at run time) is inlined into the page,
// the results are embedded as JSON, and a small script draws every figure from them.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ComparisonResult } from '../experiment/results';
import { deadNote, TABLE_COLUMNS, tableRow, timingNote } from '../experiment/table';

/** The report's sections, in page order: id → heading. Tests check that each is present. */
export const REPORT_SECTIONS = {
  results: 'Results',
  loss: 'Loss curves',
  accuracy: 'Accuracy curves',
  'gradients-start': 'Gradient histograms per layer, before training',
  'gradients-end': 'Gradient histograms per layer, after training',
  dead: 'Dead neurons per layer',
  functions: "Activation functions f and derivatives f'",
  surfaces: 'Gradient-magnitude surfaces |∇(f(x) + f(y))|',
} as const;

/** The figures rendered to PNG as well (element id → file name). */
export const PNG_FIGURES: Record<string, string> = {
  'fig-loss': 'loss.png',
  'fig-accuracy': 'accuracy.png',
  'fig-gradients-end': 'gradients-end.png',
  'fig-dead': 'dead-neurons.png',
  'fig-functions': 'activations.png',
};

export function readPlotlySource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function resultsTable(result: ComparisonResult): string {
  const head = TABLE_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = result.runs.map((run) => `<tr>${tableRow(run).map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

// The page's drawing code, run in the browser over the embedded results.
const DRAW = String.raw`
const R = JSON.parse(document.getElementById('results-data').textContent);
const palette = ['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
const names = R.network.activationsCompared;
// Ten runs or fewer take the category-10 palette; more (the full protocol compares 28)
// spread evenly round the hue circle, neighbours told apart by three lightnesses, so no
// two runs share a colour.
const color = (name) => {
  if (name === 'none') return '#444';
  const i = names.indexOf(name);
  if (names.length <= palette.length) return palette[i];
  return 'hsl(' + Math.round((i * 360) / names.length) + ', 75%, ' + [36, 56, 46][i % 3] + '%)';
};
const byName = Object.fromEntries(R.runs.map((r) => [r.activation, r]));
const ordered = names.map((n) => byName[n]);
const base = { margin: { t: 40, r: 20, b: 50, l: 60 }, legend: { orientation: 'h', y: -0.2 }, font: { size: 12 } };
// The PNG renderer opens the page as report.html#png: no mode bar in the images.
const config = { displaylogo: false, responsive: false, displayModeBar: location.hash === '#png' ? false : 'hover' };
const plots = [];
function plot(id, traces, layout) { plots.push(Plotly.newPlot(id, traces, Object.assign({}, base, layout), config)); }
const dash = (name) => name === 'none' ? 'dot' : 'solid';

plot('fig-loss', ordered.flatMap((r) => [
  { x: r.curves.stepLoss.map((_, i) => (i + 1) / (r.curves.stepLoss.length / R.options.epochs)), y: r.curves.stepLoss, name: r.activation + ' (per step)', mode: 'lines', opacity: 0.35, line: { color: color(r.activation), width: 1, dash: dash(r.activation) }, showlegend: false },
  { x: r.curves.epoch, y: r.curves.testLoss, name: r.activation + ' test', mode: 'lines+markers', line: { color: color(r.activation), width: 3, dash: dash(r.activation) } },
]), { title: { text: 'Training loss per step (thin) and test loss per epoch' }, xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'cross-entropy' } } });

plot('fig-accuracy', ordered.flatMap((r) => [
  { x: r.curves.epoch, y: r.curves.testAccuracy.map((a) => 100 * a), name: r.activation + ' test', mode: 'lines+markers', line: { color: color(r.activation), dash: dash(r.activation), width: 3 } },
  { x: r.curves.epoch, y: r.curves.trainAccuracy.map((a) => 100 * a), name: r.activation + ' train', mode: 'lines', line: { color: color(r.activation), dash: 'dash', width: 1 }, showlegend: false },
]), { title: { text: 'Test accuracy (thick) and training accuracy (dashed) per epoch' }, xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'accuracy %' } } });

// gs.analysis histograms are log-spaced over |g| (zeros count in the first bin): plot each
// bin at the log10 of its geometric centre.
const logCenters = (h) => h.counts.map((_, i) => Math.log10(Math.sqrt(Math.max(h.edges[i], 1e-45) * h.edges[i + 1])));
for (const phase of ['start', 'end']) {
  const container = document.getElementById('fig-gradients-' + phase);
  // Diverged runs have no statistics after training: draw the runs that do.
  const drawn = ordered.filter((r) => r.gradients[phase].length > 0);
  const layers = drawn.length > 0 ? drawn[0].gradients[phase] : [];
  layers.forEach((layer, li) => {
    const div = document.createElement('div');
    div.id = 'fig-gradients-' + phase + '-' + li;
    div.className = 'small';
    container.appendChild(div);
    plot(div.id, drawn.map((r) => ({ x: logCenters(r.gradients[phase][li].weight.histogram), y: r.gradients[phase][li].weight.histogram.counts, name: r.activation, mode: 'lines', line: { color: color(r.activation), dash: dash(r.activation) } })),
      { title: { text: 'layer ' + layer.name + ' weight gradients (' + (li === 0 ? 'input' : li === layers.length - 1 ? 'output' : 'hidden') + ')' }, xaxis: { title: { text: 'log10 |dL/dW|' } }, yaxis: { title: { text: 'count' } }, width: 420, height: 340, showlegend: li === 0, legend: { orientation: 'h', y: -0.35 } });
  });
}

plot('fig-dead', ordered.filter((r) => r.activation !== 'none').map((r) => ({ type: 'bar', x: r.deadLayers.map((l) => 'layer ' + l.name + ' (' + l.units + ' units)'), y: r.deadLayers.map((l) => 100 * l.ratio), name: r.activation, marker: { color: color(r.activation) } })),
  { title: { text: 'Dead hidden units after training (output exactly 0 on every test sample)' }, barmode: 'group', yaxis: { title: { text: 'dead %' }, rangemode: 'tozero' } });

const fns = document.getElementById('fig-functions');
for (const [key, title] of [['f', 'f(x)'], ['df', "f'(x)"]]) {
  const div = document.createElement('div');
  div.id = 'fig-functions-' + key;
  div.className = 'half';
  fns.appendChild(div);
  plot(div.id, R.activations.map((a) => ({ x: a.curve.x, y: a.curve[key], name: a.name, mode: 'lines', line: { color: color(a.name) } })),
    { title: { text: title }, xaxis: { title: { text: 'x' } }, width: 560, height: 400 });
}

const surf = document.getElementById('fig-surfaces');
R.activations.forEach((a, i) => {
  const div = document.createElement('div');
  div.id = 'fig-surface-' + i;
  div.className = 'small';
  surf.appendChild(div);
  const n = a.surface.x.length;
  const z = [];
  for (let j = 0; j < a.surface.y.length; j++) z.push(a.surface.gradMagnitude.slice(j * n, (j + 1) * n));
  plot(div.id, [{ type: 'heatmap', x: a.surface.x, y: a.surface.y, z, colorscale: 'Viridis', colorbar: { title: { text: '|∇Z|' } } }],
    { title: { text: a.name + ': ' + a.formula, font: { size: 12 } }, xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } }, width: 420, height: 360 });
});

Promise.all(plots).then(() => { window.__reportReady = true; }, (e) => { window.__reportError = String(e); });
`;

export function reportHtml(result: ComparisonResult, plotlySource = readPlotlySource()): string {
  const o = result.options;
  const section = (id: keyof typeof REPORT_SECTIONS, body: string, note = '') =>
    `<section id="${id}"><h2>${escapeHtml(REPORT_SECTIONS[id])}</h2>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}${body}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gradscope compare: ${escapeHtml(result.dataset.name)}, ${result.runs.length} runs</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.figure { width: 1100px; height: 480px; }
.grid { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.small, .half { display: inline-block; }
.note { color: #555; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
</style>
<script>${plotlySource}</script>
</head>
<body>
<h1>Activation comparison</h1>
<dl>
<dt>data</dt><dd>${escapeHtml(result.dataset.description)}</dd>
<dt>network</dt><dd>${result.network.layers.join(' → ')} (the same initial weights for every activation, seed ${o.seed}, init ${escapeHtml(o.init)})</dd>
<dt>training</dt><dd>SGD lr ${o.lr}, momentum ${o.momentum}, batch ${o.batch}, ${o.epochs} epoch(s)</dd>
<dt>backend</dt><dd>${escapeHtml(result.backend)}</dd>
<dt>created</dt><dd>${escapeHtml(result.createdAt)}, ${result.totalSeconds.toFixed(1)} s in all${timingNote(result) ? ` (${escapeHtml(timingNote(result)!)})` : ''}</dd>
</dl>
${section('results', resultsTable(result), 'Sorted by test accuracy. grad ratio in/out = ‖∂L/∂W‖ of the input layer over that of the output layer on a fixed batch after training (≪ 1: vanishing gradients). "none" is the same network without any activation: a linear model.')}
${section('loss', '<div id="fig-loss" class="figure"></div>')}
${section('accuracy', '<div id="fig-accuracy" class="figure"></div>')}
${section('gradients-start', '<div id="fig-gradients-start" class="grid"></div>', 'Histogram of log10 |∂L/∂W| per layer on a fixed batch, at initialisation (the same weights for every activation). Bins span 12 decades below each layer\'s largest |g|; gradients that are exactly 0 count in the leftmost bin.')}
${section('gradients-end', '<div id="fig-gradients-end" class="grid"></div>', 'The same, after training.')}
${section('dead', '<div id="fig-dead" class="figure"></div>', deadNote(result) ? 'Not applicable: the network has no hidden layer, so it has no hidden unit that could die.' : '')}
${section('functions', '<div id="fig-functions" class="grid"></div>', "f' comes from the engine's autograd through each activation's own module.")}
${section('surfaces', '<div id="fig-surfaces" class="grid"></div>', 'Z = f(x) + f(y): where |∇Z| is near zero, gradients vanish.')}
<script type="application/json" id="results-data">${scriptJson(result)}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}
