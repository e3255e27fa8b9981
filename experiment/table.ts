// The results table: one model (headers, rows, the formatting of every cell, the notes a
// reader needs) for every place it is shown. The command line prints it as text
// (cli/table-text.ts); the report and the browser page show it as HTML (report/markup.ts).
// One row per run with one seed (or in a shard's partial results); one row per run label
// with several seeds: mean ± std across the seeds, and which runs are tied for first.

import { deadUnitsApply, runLabel, severalSeeds, type ComparisonResult, type RunResult } from './results';
import { seedsOf } from './seeds';
import type { SummaryEntry } from './statistics';

export interface TableColumn {
  header: string;
  /** Text lines up on the left; numbers on the right, so that their digits line up. */
  align: 'left' | 'right';
  cell(run: RunResult): string;
}

export function formatPercent(v: number): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : String(v);
}

export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return v.toExponential(2);
  return v.toFixed(digits);
}

export function formatSeconds(v: number): string {
  return `${v.toFixed(1)}s`;
}

export const COLUMNS: readonly TableColumn[] = [
  { header: 'activation', align: 'left', cell: (run) => (run.diverged ? `${runLabel(run)} (diverged)` : runLabel(run)) },
  { header: 'test acc', align: 'right', cell: (run) => formatPercent(run.testAccuracy) },
  { header: 'train loss', align: 'right', cell: (run) => formatNumber(run.finalTrainLoss) },
  { header: 'time', align: 'right', cell: (run) => formatSeconds(run.totalSeconds) },
  { header: 'time/epoch', align: 'right', cell: (run) => formatSeconds(run.secondsPerEpoch) },
  { header: 'dead %', align: 'right', cell: (run) => (run.deadRatio === null ? 'n/a' : `${(100 * run.deadRatio).toFixed(1)}%`) },
  { header: 'grad ratio in/out', align: 'right', cell: (run) => formatNumber(run.gradientRatio, 3) },
];

export const TABLE_COLUMNS: readonly string[] = COLUMNS.map((column) => column.header);

/** One table row's cells, as shown (the tests compare them with results.json). */
export function tableRow(run: RunResult): string[] {
  return COLUMNS.map((column) => column.cell(run));
}

/**
 * With --jobs above 1 the runs trained at the same time on shared cores: their times are
 * comparable with each other's, not with a run made alone. Merged shards may have trained
 * on different machines. Undefined for sequential runs of one process.
 */
export function timingNote(result: Pick<ComparisonResult, 'options'> & Partial<Pick<ComparisonResult, 'mergedFrom'>>): string | undefined {
  if (result.mergedFrom) {
    const jobs = result.mergedFrom.map((shard) => shard.jobs).join(', ');
    return `times: measured in ${result.mergedFrom.length} shards (gradscope merge; --jobs ${jobs}), maybe on different machines: a run's time compares only with those of its own shard (results.json: mergedFrom)`;
  }
  const jobs = result.options.jobs ?? 1;
  return jobs > 1 ? `times: ${jobs} runs trained at once on shared CPU cores (--jobs ${jobs}); compare them only among the runs of this invocation` : undefined;
}

/** What the dead % column counts (over which set), or why it says n/a. */
export function deadNote(result: Pick<ComparisonResult, 'runs' | 'options'>): string {
  if (!deadUnitsApply(result)) return 'dead %: n/a, the network has no hidden layer (so no activation is applied: every run is the linear baseline)';
  return `dead %: hidden units whose output is exactly 0 on every ${result.options.deadOn === 'test' ? 'test' : 'training'} sample (--dead-on ${result.options.deadOn ?? 'test'})`;
}

export interface ResultsTable {
  columns: readonly Pick<TableColumn, 'header' | 'align'>[];
  /** One per run (one seed, or a shard's runs) or per run label (several seeds), best first. */
  rows: TableRow[];
  /** What a reader needs to read the numbers right, when anything. */
  notes: string[];
}

export interface TableRow {
  /** The run's label, its activation, and the test accuracy the row shows (the mean over seeds; null when not finite). */
  label: string;
  activation: string;
  accuracy: number | null;
  /** The run the row shows (one row per run). */
  run?: RunResult;
  /** The run label across its seeds the row shows (one row per label, several seeds). */
  entry?: SummaryEntry;
  cells: string[];
}

/** A column of the several-seed table: a run label across its seeds (its summary entry and its runs). */
export interface SummaryColumn {
  header: string;
  align: 'left' | 'right';
  cell(entry: SummaryEntry, runs: readonly RunResult[]): string;
}

/** 'mean ± std' of a summary measure, each formatted as the one-seed table formats a value; the mean alone when no spread is known. */
function meanAndStd(measure: SummaryEntry['testAccuracy'], format: (v: number) => string, unit = ''): string {
  if (measure.mean === null) return `n/a (${measure.nonFinite} not finite)`;
  const strip = (text: string) => (unit && text.endsWith(unit) ? text.slice(0, -unit.length) : text);
  return measure.std === null ? format(measure.mean) : `${strip(format(measure.mean))} ± ${format(measure.std)}`;
}

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  {
    header: 'activation',
    align: 'left',
    cell: (entry, runs) => {
      const diverged = runs.filter((run) => run.diverged).length;
      return diverged > 0 ? `${entry.label} (diverged: ${diverged} of ${runs.length})` : entry.label;
    },
  },
  { header: 'n', align: 'right', cell: (entry) => String(entry.n) },
  { header: 'test acc', align: 'right', cell: (entry) => meanAndStd(entry.testAccuracy, formatPercent, '%') },
  { header: 'train loss', align: 'right', cell: (entry) => meanAndStd(entry.finalTrainLoss, (v) => formatNumber(v)) },
  { header: 'time/epoch', align: 'right', cell: (entry) => meanAndStd(entry.secondsPerEpoch, formatSeconds, 's') },
  {
    header: 'dead %',
    align: 'right',
    cell: (_entry, runs) => (runs.some((run) => run.deadRatio === null) ? 'n/a' : `${((100 * runs.reduce((sum, run) => sum + run.deadRatio!, 0)) / runs.length).toFixed(1)}%`),
  },
  { header: 'p vs best', align: 'right', cell: (entry) => (entry.versusBest === null ? '' : entry.versusBest.pValue === null ? 'n/a' : formatPValue(entry.versusBest.pValue)) },
  { header: 'tied for first', align: 'left', cell: (entry) => (entry.versusBest === null && entry.tiedForFirst ? 'best' : entry.tiedForFirst === null ? 'n/a' : entry.tiedForFirst ? 'yes' : 'no') },
];

/** A p-value to three decimals, small ones as '< 0.001'. */
export function formatPValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** Under a several-seed table: what mean ± std is, and the rule and the test behind "tied for first". */
export function seedsNotes(result: Pick<ComparisonResult, 'options' | 'summary'>): string[] {
  const seeds = seedsOf(result.options);
  const summary = result.summary ?? [];
  const best = summary.find((entry) => entry.versusBest === null && entry.tiedForFirst === true);
  const spread = `mean ± std over ${seeds.length} seeds (${seeds.join(', ')}; each seed: the same initial weights and batches for every run): std is the sample standard deviation (n − 1); results.json's summary adds 95% intervals, interquartile means and probabilities of improvement`;
  if (!best) return [spread, 'tied for first: n/a, no run has a finite mean test accuracy'];
  const tests = new Set(summary.flatMap((entry) => (entry.versusBest?.test ? [entry.versusBest.test] : [])));
  const described = [...tests]
    .map((test) =>
      test === 'sign-flip'
        ? 'the exact sign-flip permutation test of the per-seed differences (every one of the 2^n sign patterns)'
        : 'the paired t-test of the per-seed differences (with fewer than 6 seeds the sign-flip test cannot reach p < 0.05 and is not used)',
    )
    .join('; or ');
  return [
    spread,
    `tied for first: cannot be told apart from ${best.label} (the highest mean test accuracy): its p vs best ≥ 0.05, two-sided, by ${described || 'no test (fewer than two paired seeds)'}; ` +
      `"no": worse than ${best.label} at p < 0.05; a tie is not proof of equality, only of too little evidence`,
  ];
}

/** Under a one-seed table: the spread across seeds is unknown. */
export function oneSeedNote(result: Pick<ComparisonResult, 'options'>): string {
  return `one seed (${result.options.seed}): no spread is known, so differences between runs may be noise; --seeds N trains every run N times (5 or more) and marks those tied for first`;
}

/** Under a shard's table: a part of a comparison. */
export function shardNote(result: Pick<ComparisonResult, 'shard'>): string | undefined {
  const shard = result.shard;
  return shard && `partial results: shard ${shard.index}/${shard.count}, ${shard.cells.length} of the ${shard.grid.length} runs; gradscope merge puts the shards together and summarises them`;
}

export function resultsTable(result: ComparisonResult): ResultsTable {
  const summary = result.summary;
  const notes = (first: (string | undefined)[]) => [...first, deadNote(result), timingNote(result)].filter((note) => note !== undefined);
  if (severalSeeds(result) && summary) {
    return {
      columns: SUMMARY_COLUMNS,
      rows: summary.map((entry) => {
        const runs = result.runs.filter((run) => runLabel(run) === entry.label);
        return { label: entry.label, activation: runs[0]?.activation ?? entry.label, accuracy: entry.testAccuracy.mean, entry, cells: SUMMARY_COLUMNS.map((column) => column.cell(entry, runs)) };
      }),
      notes: notes(seedsNotes(result)),
    };
  }
  // One row per run: one seed, or a shard's runs (named with their seeds when there are several).
  const columns: readonly TableColumn[] = severalSeeds(result) ? [COLUMNS[0], { header: 'seed', align: 'right', cell: (run) => String(run.seed) }, ...COLUMNS.slice(1)] : COLUMNS;
  return {
    columns,
    rows: result.runs.map((run) => ({ label: runLabel(run), activation: run.activation, accuracy: run.testAccuracy, run, cells: columns.map((column) => column.cell(run)) })),
    notes: notes([result.shard ? shardNote(result) : oneSeedNote(result)]),
  };
}
