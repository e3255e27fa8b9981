// The results table printed at the end of a comparison (plain text, aligned columns).

import type { ComparisonResult, RunResult } from './results';

export const TABLE_COLUMNS = ['activation', 'test acc', 'train loss', 'time', 'time/epoch', 'dead %', 'grad ratio in/out'] as const;

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

/** One table row's cells, as printed (the tests compare them with results.json). */
export function tableRow(run: RunResult): string[] {
  return [
    run.diverged ? `${run.activation} (diverged)` : run.activation,
    formatPercent(run.testAccuracy),
    formatNumber(run.finalTrainLoss),
    formatSeconds(run.totalSeconds),
    formatSeconds(run.secondsPerEpoch),
    run.deadRatio === null ? 'n/a' : `${(100 * run.deadRatio).toFixed(1)}%`,
    formatNumber(run.gradientRatio, 3),
  ];
}

/**
 * With --jobs above 1 the runs trained at the same time on shared cores: their times are
 * comparable with each other's, not with a run made alone. Undefined for sequential runs.
 */
export function timingNote(result: Pick<ComparisonResult, 'options'>): string | undefined {
  const jobs = result.options.jobs ?? 1;
  return jobs > 1 ? `times: ${jobs} runs trained at once on shared CPU cores (--jobs ${jobs}); compare them only among the runs of this invocation` : undefined;
}

/** Why the dead % column says n/a, when it does. */
export function deadNote(result: Pick<ComparisonResult, 'runs'>): string | undefined {
  return result.runs.some((run) => run.deadRatio === null)
    ? 'dead %: n/a, the network has no hidden layer (so no activation is applied: every run is the linear baseline)'
    : undefined;
}

export function formatTable(result: ComparisonResult): string {
  const rows = [TABLE_COLUMNS.slice(), ...result.runs.map(tableRow)];
  const widths = TABLE_COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = [deadNote(result), timingNote(result)].filter((note) => note !== undefined);
  return [line(rows[0]), rule, ...rows.slice(1).map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
