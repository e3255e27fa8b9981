// Summary statistics of a tensor (or of a stream of tensors), reduced on the device:
// only a handful of numbers and the histogram counts come back to the host.

import { noGrad } from '../../engine/autograd';
import type { Tensor } from '../../engine/tensor';
import * as untracked from '../../engine/untracked';
import { readScalars } from './device';

export interface Histogram {
  /** bins + 1 bin edges; log-scaled histograms have edges over |value|. */
  edges: number[];
  counts: number[];
  scale: 'linear' | 'log';
  /**
   * tensorStats' log histograms: how many values are exactly 0 (±0). They count in the
   * first bin with the values below the floor, so a figure can draw them apart (a dead
   * ReLU unit's gradients are exactly 0, not small).
   */
  zeros?: number;
}

export interface Stats {
  count: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Mean of |value|. */
  meanAbs: number;
  /** √Σ value² */
  l2: number;
  min: number;
  max: number;
  histogram: Histogram;
}

export interface HistogramOptions {
  /** Number of bins (default 30). */
  bins?: number;
  /**
   * 'linear': equal bins over [min, max] (or `range`); 'log': log-spaced bins over |value|
   * from max|value|·1e-12 (values smaller, zeros included, count in the first bin).
   */
  scale?: 'linear' | 'log';
  /** Fixed [lo, hi] for linear bins instead of the data's [min, max]. */
  range?: readonly [number, number];
}

const LOG_FLOOR = 1e-12;

/** Sum, Σx², Σ|x|, min and max of t as five scalar tensors (not on the tape). */
function moments(t: Tensor): Tensor[] {
  return noGrad(() => {
    const sq = t.mul(t);
    const a = t.abs();
    const out = [t.sum(), sq.sum(), a.sum(), t.max(), t.min()];
    sq.dispose();
    a.dispose();
    return out;
  });
}

function finish(count: number, sum: number, sumSq: number, sumAbs: number, min: number, max: number, histogram: Histogram): Stats {
  const mean = sum / count;
  return {
    count,
    mean,
    std: Math.sqrt(Math.max(0, sumSq / count - mean * mean)),
    meanAbs: sumAbs / count,
    l2: Math.sqrt(sumSq),
    min,
    max,
    histogram,
  };
}

function linearEdges(lo: number, hi: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}

/** [lo, hi] for linear bins: the given range, or the data's, widened when it is a point. */
function binRange(min: number, max: number, range?: readonly [number, number]): [number, number] {
  if (range) {
    if (!(range[1] > range[0])) throw new Error(`histogram: range [${range[0]}, ${range[1]}] must have lo < hi`);
    return [range[0], range[1]];
  }
  if (max > min) return [min, max];
  return [min - 0.5, max + 0.5];
}

/** Histogram of t on the device: linear bins over [lo, hi], or log bins over |t| up to maxAbs. */
function histogramTensor(t: Tensor, bins: number, scale: 'linear' | 'log', lo: number, hi: number): { counts: Tensor; edges: number[] } {
  if (scale === 'linear') return { counts: untracked.histogram(t, bins, lo, hi), edges: linearEdges(lo, hi, bins) };
  const { bottom, top } = logBounds(lo, hi);
  const counts = noGrad(() => {
    const a = t.abs();
    const floored = a.maximum(10 ** bottom);
    const logs = floored.log();
    // log10 via ln: bin edges are decades of |value|.
    const c = untracked.histogram(logs, bins, bottom * Math.LN10, top * Math.LN10);
    for (const x of [a, floored, logs]) x.dispose();
    return c;
  });
  return { counts, edges: logEdges(lo, hi, bins) };
}

/** Statistics and a histogram of one tensor. */
export async function tensorStats(t: Tensor, options: HistogramOptions = {}): Promise<Stats> {
  const { bins = 30, scale = 'linear' } = options;
  if (scale !== 'linear' && scale !== 'log') throw new Error(`histogram scale must be 'linear' or 'log', got '${String(scale)}'`);
  if (t.size === 0) throw new Error('stats: the tensor is empty');
  const [sum, sumSq, sumAbs, max, min] = await readScalars(moments(t));
  const [lo, hi] = scale === 'log' ? [min, max] : binRange(min, max, options.range);
  const h = histogramTensor(t, bins, scale, lo, hi);
  const zeros = scale === 'log' ? zeroCount(t) : null;
  // Both read back together: one wait.
  const [counts, zeroCountRead] = await Promise.all([h.counts.toArray(), zeros?.item()]);
  h.counts.dispose();
  zeros?.dispose();
  const histogram: Histogram = { edges: h.edges, counts: Array.from(counts), scale };
  if (zeroCountRead !== undefined) histogram.zeros = zeroCountRead;
  return finish(t.size, sum, sumSq, sumAbs, min, max, histogram);
}

/** How many of t's values are exactly 0, as a one-element tensor on the device. */
function zeroCount(t: Tensor): Tensor {
  return noGrad(() => {
    const isZero = untracked.binary('eq', t, 0);
    const count = isZero.sum();
    isZero.dispose();
    return count;
  });
}

/**
 * Statistics over a stream of tensors, accumulated on the device. The histogram's bins
 * are fixed by the first tensor seen (its [min, max] widened by half its span on each
 * side, or `range`); later values outside them count in the end bins.
 */
export class RunningStats {
  private count = 0;
  private totals: Tensor[] | null = null; // sum, Σx², Σ|x|, max, min, zeros
  private counts: Tensor | null = null;
  private lo = 0;
  private hi = 0;
  private readonly bins: number;
  private readonly scale: 'linear' | 'log';

  constructor(private readonly options: HistogramOptions = {}) {
    this.bins = options.bins ?? 30;
    this.scale = options.scale ?? 'linear';
  }

  async add(t: Tensor): Promise<void> {
    if (t.size === 0) return;
    const batch = moments(t);
    const zeros = noGrad(() => {
      const isZero = untracked.binary('eq', t, 0);
      const s = isZero.sum();
      isZero.dispose();
      return s;
    });
    batch.push(zeros);
    if (!this.totals) {
      const [max, min] = await Promise.all([batch[3].item(), batch[4].item()]);
      // Log bins: decades up to twice the first batch's largest |value|.
      if (this.scale === 'log') [this.lo, this.hi] = [0, 2 * Math.max(Math.abs(min), Math.abs(max))];
      else if (this.options.range) [this.lo, this.hi] = binRange(min, max, this.options.range);
      else {
        const [lo, hi] = binRange(min, max);
        const pad = (hi - lo) / 2;
        [this.lo, this.hi] = [lo - pad, hi + pad];
      }
      this.totals = batch;
    } else {
      const old = this.totals;
      this.totals = noGrad(() => [
        old[0].add(batch[0]), old[1].add(batch[1]), old[2].add(batch[2]),
        old[3].maximum(batch[3]), old[4].minimum(batch[4]), old[5].add(batch[5]),
      ]);
      for (const x of [...old, ...batch]) x.dispose();
    }
    const h = histogramTensor(t, this.bins, this.scale, this.lo, this.hi);
    if (this.counts) {
      const old = this.counts;
      this.counts = noGrad(() => old.add(h.counts));
      old.dispose();
      h.counts.dispose();
    } else this.counts = h.counts;
    this.count += t.size;
  }

  /** Read the totals back (once) and release the device accumulators. */
  async result(): Promise<Stats & { zeros: number }> {
    if (!this.totals || !this.counts) throw new Error('stats: no values were added');
    const [sum, sumSq, sumAbs, max, min, zeros] = await readScalars(this.totals);
    const counts = Array.from(await this.counts.toArray());
    this.counts.dispose();
    this.totals = null;
    this.counts = null;
    const edges = this.scale === 'linear' ? linearEdges(this.lo, this.hi, this.bins) : logEdges(this.lo, this.hi, this.bins);
    return { ...finish(this.count, sum, sumSq, sumAbs, min, max, { edges, counts, scale: this.scale }), zeros };
  }
}

/** log10 bounds of log bins: from max(|lo|, |hi|) down twelve decades. */
function logBounds(lo: number, hi: number): { bottom: number; top: number } {
  const top = Math.log10(Math.max(Math.abs(lo), Math.abs(hi), 1e-30));
  return { bottom: top + Math.log10(LOG_FLOOR), top };
}

function logEdges(lo: number, hi: number, bins: number): number[] {
  const { bottom, top } = logBounds(lo, hi);
  return linearEdges(bottom, top, bins).map((e) => 10 ** e);
}
