// The initializer table of the Keras appendix (003): each initializer drawn into one
// Dense kernel (fan_in × fan_out weights, 1000 × 1000 there), described as pandas'
// DataFrame.describe() does: count, mean, std (n − 1), min, 25%, 50%, 75% (linear
// interpolation, numpy's default) and max. Printed as describe() prints it, one column
// per initializer.

import jStat from 'jstat';
import { initValues } from '../nn/init';
import type { InitializerTableSettings } from './options';
import { describe } from './statistics';

export interface InitializerDescription {
  initializer: string;
  count: number;
  mean: number;
  std: number;
  min: number;
  q25: number;
  q50: number;
  q75: number;
  max: number;
  /**
   * The values' density, as 003 plots it (pandas' plot(kind='density')): a histogram of
   * DENSITY_BINS equal bins over [min, max], each count / (count × bin width). null for an
   * initializer whose values are all one number (zeros, ones): a point, with no density.
   * Absent in results files of earlier versions.
   */
  density?: { edges: number[]; density: number[] } | null;
}

export const DENSITY_BINS = 100;

/** The rows describe() prints, in its order, with the field each reads. */
export const DESCRIBE_ROWS: readonly [label: string, key: Exclude<keyof InitializerDescription, 'initializer' | 'density'>][] = [
  ['count', 'count'],
  ['mean', 'mean'],
  ['std', 'std'],
  ['min', 'min'],
  ['25%', 'q25'],
  ['50%', 'q50'],
  ['75%', 'q75'],
  ['max', 'max'],
];

/** Draws every initializer's kernel (seed + its position) and describes its values. */
export function initializerTable(settings: InitializerTableSettings, seed: number): InitializerDescription[] {
  const { fanIn, fanOut } = settings;
  return settings.initializers.map((initializer, i) => {
    const values = initValues(initializer, [fanOut, fanIn], { fanIn, fanOut, kind: 'weight' }, seed + i);
    const sorted = Float64Array.from(values).sort();
    const { mean, std } = describe(Array.from(sorted));
    const [q25, q50, q75] = jStat.quantiles(sorted, [0.25, 0.5, 0.75], 1, 1);
    return { initializer, count: values.length, mean: mean!, std: std!, min: sorted[0], q25, q50, q75, max: sorted[sorted.length - 1], density: densityOf(sorted) };
  });
}

/** The density of sorted values as a histogram of DENSITY_BINS bins over [min, max] (the last bin holds max). */
export function densityOf(sorted: Float64Array): { edges: number[]; density: number[] } | null {
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  if (!(hi > lo)) return null;
  const width = (hi - lo) / DENSITY_BINS;
  const counts = jStat.histogram(sorted, DENSITY_BINS);
  return {
    edges: Array.from({ length: DENSITY_BINS + 1 }, (_, i) => lo + i * width),
    density: counts.map((c) => c / (sorted.length * width)),
  };
}

/** The table as pandas prints describe(): a column per initializer, six decimals (the count as an integer). */
export function initializerTableText(rows: readonly InitializerDescription[]): string {
  const cell = (key: string, v: number) => (key === 'count' ? String(v) : (Object.is(v, -0) ? 0 : v).toFixed(6));
  const table = [['', ...rows.map((r) => r.initializer)], ...DESCRIBE_ROWS.map(([label, key]) => [label, ...rows.map((r) => cell(key, r[key]))])];
  const widths = table[0].map((_, c) => Math.max(...table.map((line) => line[c].length)));
  return table.map((line) => line.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  ')).join('\n');
}
