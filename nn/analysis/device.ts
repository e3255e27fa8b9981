// Small device-side helpers shared by the analyses: scalar readback, dot products, and
// the parameter snapshots that let an analysis move the weights and put them back bit
// for bit. Kernels without a gradient (comparisons, histograms, copies) come from the
// engine's no-tape layer (engine/untracked.ts).

import { noGrad } from '../../engine/autograd';
import type { Tensor } from '../../engine/tensor';
import * as untracked from '../../engine/untracked';

/** Read several one-element tensors (one wait each, issued together) and dispose them. */
export async function readScalars(tensors: Tensor[]): Promise<number[]> {
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
  return tensors.map((p) => untracked.copy(p));
}

/** Overwrite each parameter, in place, with the values of `values` (same shapes). */
export function assignAll(params: readonly Tensor[], values: readonly Tensor[]): void {
  params.forEach((p, i) => untracked.assign(p, values[i]));
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
