// The comparison's report: ONE self-contained HTML file that opens offline. Plotly
// (plotly.js-dist-min, read from node_modules at run time) is inlined into the page; the
// figures (experiment/figures.ts) are embedded as Plotly specs in JSON, and report/draw.ts,
// embedded as its own source text, draws them.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { comparisonFigures, FIGURES } from '../experiment/figures';
import { describeTraining } from '../experiment/options';
import type { ComparisonResult } from '../experiment/results';
import { seedsOf } from '../experiment/seeds';
import { drawFigures, startReport } from './draw';
import { comparisonSectionsHtml, escapeHtml, INITIALIZERS_SECTION, RESULTS_SECTION } from './markup';

/** Every section a report can have, in page order: id → heading (the initializer table's only with one). */
export const REPORT_SECTIONS: Readonly<Record<string, string>> = {
  [RESULTS_SECTION.id]: RESULTS_SECTION.title,
  ...Object.fromEntries(FIGURES.map((figure) => [figure.name, figure.title])),
};

/** Every figure that can be rendered to PNG as well (element id → file name). */
export const PNG_FIGURES: Readonly<Record<string, string>> = Object.fromEntries(
  FIGURES.flatMap((figure) => (figure.png ? [[`fig-${figure.name}`, figure.png]] : [])),
);

/** The figures of this result's report, among FIGURES: those that apply to it (a figure of data it lacks is left out). */
const figuresOf = (result: ComparisonResult) => FIGURES.filter((figure) => figure.applies?.(result) ?? true);

/** The sections of this result's report, in page order: id → heading. */
export function reportSections(result: ComparisonResult): Record<string, string> {
  return {
    ...(result.initializers ? { [INITIALIZERS_SECTION.id]: INITIALIZERS_SECTION.title } : {}),
    [RESULTS_SECTION.id]: RESULTS_SECTION.title,
    ...Object.fromEntries(figuresOf(result).map((figure) => [figure.name, figure.title])),
  };
}

/** The PNG figures of this result's report (element id → file name). */
export function pngFigures(result: ComparisonResult): Record<string, string> {
  return Object.fromEntries(figuresOf(result).flatMap((figure) => (figure.png ? [[`fig-${figure.name}`, figure.png]] : [])));
}

/** The seeds line of the report's header: the one seed, or every seed. */
function seedsText(result: ComparisonResult): string {
  const seeds = seedsOf(result.options);
  return seeds.length === 1 ? `seed ${seeds[0]}` : `one set per seed, ${seeds.length} seeds: ${seeds.join(', ')}`;
}

/** Where a shard's or a merge's results came from, for the report's header. */
function provenance(result: ComparisonResult): string {
  if (result.shard) return `<dt>partial</dt><dd>shard ${result.shard.index}/${result.shard.count}: ${result.shard.cells.length} of the ${result.shard.grid.length} runs (gradscope merge puts the shards together)</dd>\n`;
  if (result.mergedFrom) return `<dt>merged</dt><dd>${result.mergedFrom.map((shard) => `shard ${shard.index}/${shard.count} (${escapeHtml(shard.folder)}, ${shard.totalSeconds.toFixed(1)} s)`).join('; ')}</dd>\n`;
  return '';
}

export function readPlotlySource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function reportHtml(result: ComparisonResult, plotlySource = readPlotlySource()): string {
  const o = result.options;
  const figures = comparisonFigures(result);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gradscope compare: ${escapeHtml(result.dataset.name)}, ${result.runs.length} runs</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.7rem; }
.note { color: #555; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
</style>
<script>${plotlySource}</script>
</head>
<body>
<h1>Activation comparison</h1>
<dl>
<dt>protocol</dt><dd>${escapeHtml(o.protocol)}</dd>
<dt>data</dt><dd>${escapeHtml(result.dataset.description)}; split: ${escapeHtml(result.dataset.split)}; inputs: ${escapeHtml(result.dataset.normalization)}</dd>
<dt>network</dt><dd>${result.network.layers.join(' → ')} (the same initial weights for every activation, ${seedsText(result)}; init ${escapeHtml(o.init)})</dd>
<dt>training</dt><dd>${escapeHtml(describeTraining(o))}</dd>
<dt>backend</dt><dd>${escapeHtml(result.backend)}</dd>
<dt>created</dt><dd>${escapeHtml(result.createdAt)}, ${result.totalSeconds.toFixed(1)} s in all</dd>
${provenance(result)}</dl>
${comparisonSectionsHtml(result, figures)}
<script type="application/json" id="figures-data">${scriptJson(figures)}</script>
<script>(${startReport})(Plotly, ${drawFigures}, window);</script>
</body>
</html>
`;
}
