// The results table: one model (headers, rows, the formatting of every cell, the notes a
// reader needs) for every place it is shown. The command line prints it as text
// (cli/table-text.ts); the report and the browser page show it as HTML (report/markup.ts).

import { deadUnitsApply, runLabel, type ComparisonResult, type RunResult } from './results';

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
 * comparable with each other's, not with a run made alone. Undefined for sequential runs.
 */
export function timingNote(result: Pick<ComparisonResult, 'options'>): string | undefined {
  const jobs = result.options.jobs ?? 1;
  return jobs > 1 ? `times: ${jobs} runs trained at once on shared CPU cores (--jobs ${jobs}); compare them only among the runs of this invocation` : undefined;
}

/** What the dead % column counts (over which set), or why it says n/a. */
export function deadNote(result: Pick<ComparisonResult, 'runs' | 'options'>): string {
  if (!deadUnitsApply(result)) return 'dead %: n/a, the network has no hidden layer (so no activation is applied: every run is the linear baseline)';
  return `dead %: hidden units whose output is exactly 0 on every ${result.options.deadOn === 'test' ? 'test' : 'training'} sample (--dead-on ${result.options.deadOn ?? 'test'})`;
}

export interface ResultsTable {
  columns: readonly TableColumn[];
  /** One per run, best first (as results.json sorts them). */
  rows: { run: RunResult; cells: string[] }[];
  /** What a reader needs to read the numbers right, when anything. */
  notes: string[];
}

export function resultsTable(result: ComparisonResult): ResultsTable {
  return {
    columns: COLUMNS,
    rows: result.runs.map((run) => ({ run, cells: tableRow(run) })),
    notes: [deadNote(result), timingNote(result)].filter((note) => note !== undefined),
  };
}
