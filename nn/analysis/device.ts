// Small device-side helpers shared by the analyses: comparisons and histograms that
// are not differentiable ops (so they go straight to the backend), scalar readback,
// and the parameter snapshots that let an analysis move the weights and put them back
// bit for bit.

import type { BinaryOp } from '../../engine/backend';
import { noGrad } from '../../engine/autograd';
import { Tensor } from '../../engine/tensor';
import { broadcastShapes } from '../../engine/shape';

/** a (op) b elementwise with broadcasting, as 1/0 values (not recorded on the tape). */
export function compare(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  const other = typeof b === 'number' ? Tensor.fromStorage(a.backend, a.backend.fill(1, b), []) : b;
  const shape = broadcastShapes(a.shape, other.shape, op);
  const out = Tensor.fromStorage(a.backend, a.backend.binary(op, a.storage, a.shape, other.storage, other.shape, shape), shape);
  if (other !== b) other.dispose();
  return out;
}

/** Counts of t's values in `bins` equal bins over [lo, hi] (outside values land in the end bins). */
export function histogramCounts(t: Tensor, bins: number, lo: number, hi: number): Tensor {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  return Tensor.fromStorage(t.backend, t.backend.histogram(t.storage, t.size, bins, lo, hi), [bins]);
}

/** Read several one-element tensors (one wait each, issued together) and dispose them. */
export async function readScalars(tensors: Tensor[]): Promise<number[]> {
  tensors[0]?.backend.flush();
  const values = await Promise.all(tensors.map((t) => t.item()));
  for (const t of tensors) t.dispose();
  return values;
}

/** Σ over several tensors of Σ a·b, as one scalar tensor on the device. */
export function dot(a: readonly Tensor[], b: readonly Tensor[]): Tensor {
  return noGrad(() => {
    let total: Tensor | null = null;
    for (let i = 0; i < a.length; i++) {
      const product = a[i].mul(b[i]);
      const s = product.sum();
      product.dispose();
      if (total) {
        const next: Tensor = total.add(s);
        total.dispose();
        s.dispose();
        total = next;
      } else total = s;
    }
    if (!total) throw new Error('dot: no tensors');
    return total;
  });
}

/** A copy of each tensor's values in its own storage (not on the tape). */
export function snapshot(tensors: readonly Tensor[]): Tensor[] {
  return tensors.map((p) => Tensor.fromStorage(p.backend, p.backend.copy(p.storage, p.size), p.shape));
}

/** Overwrite each parameter, in place, with the values of `values` (same shapes). */
export function assignAll(params: readonly Tensor[], values: readonly Tensor[]): void {
  params.forEach((p, i) => p.backend.assign(p.storage, values[i].storage, p.size));
}

/**
 * Run fn with every parameter's .grad set aside, then drop the gradients fn made and
 * put the caller's back: analyses must not disturb a training loop's accumulated state.
 */
export async function withFreshGrads<T>(params: readonly Tensor[], fn: () => Promise<T>): Promise<T> {
  const saved = params.map((p) => p.grad);
  for (const p of params) p.grad = null;
  try {
    return await fn();
  } finally {
    params.forEach((p, i) => {
      p.grad?.dispose();
      p.grad = saved[i];
    });
  }
}

/** Evenly spaced numbers from lo to hi inclusive. */
export function linspace(lo: number, hi: number, points: number): number[] {
  if (!Number.isInteger(points) || points < 1) throw new Error(`points must be a positive integer, got ${points}`);
  if (points === 1) return [(lo + hi) / 2];
  return Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
}
