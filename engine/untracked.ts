// The no-tape layer: each kernel of the Backend as a function from tensors to new
// tensors, recording nothing on the tape. ops.ts builds every differentiable op from
// these and records its gradient rule next to it; code that needs a kernel and no
// gradient (comparisons, histograms, label uploads, copying parameters in place, the
// optimizers' updates in nn/) calls them directly instead of reaching for the backend.
//
// Every tensor made here comes from a tensor it was given (x.newFromStorage: same
// backend), so this layer knows Tensor only as a type, and autograd.ts, which seeds
// backward with it, needs no Tensor at run time either: tensor.ts → ops.ts → autograd.ts
// → here, one way.

import type { ActivationParamLayout, ActivationSpec } from './activation-spec';
import type { ActivationKernelArgs, AdamOptions, BinaryOp, ReduceOp, SgdOptions, UnaryOp } from './backend';
import { broadcastShapes, formatShape, sizeOf, splitAtAxis, type Shape } from './shape';
import type { Tensor } from './tensor';

/** An activation as ops see it: its spec, parameter layout and parameter tensors. */
export interface ActivationInstance {
  spec: ActivationSpec;
  layout: readonly ActivationParamLayout[];
  params: readonly Tensor[];
}

/** Tensors from two backends never meet in one kernel. */
export function sameBackend(op: string, a: Tensor, b: Tensor): void {
  if (a.backend !== b.backend) {
    throw new Error(
      `${op}: tensors live on different backends (${a.backend.name} ${formatShape(a.shape)} and ` +
        `${b.backend.name} ${formatShape(b.shape)}); create both after the same setBackend()`,
    );
  }
}

// --- storage ------------------------------------------------------------------------

/** `values` as a tensor of `shape` on like's backend. */
export function upload(like: Tensor, values: ArrayLike<number>, shape: Shape): Tensor {
  return like.newFromStorage(like.backend.upload(values), shape);
}

/** A tensor of `shape` filled with `value`, on like's backend. */
export function full(like: Tensor, shape: Shape, value: number): Tensor {
  return like.newFromStorage(like.backend.fill(sizeOf(shape), value), shape);
}

/** A copy of x's values in storage of its own. */
export function copy(x: Tensor): Tensor {
  return x.newFromStorage(x.backend.copy(x.storage, x.size), x.shape);
}

/** Overwrite dst's values in place with src's (a tensor or numbers, dst.size of them). */
export function assign(dst: Tensor, src: Tensor | ArrayLike<number>): void {
  const backend = dst.backend;
  if (!isTensor(src)) {
    const uploaded = backend.upload(src);
    backend.assign(dst.storage, uploaded, dst.size);
    backend.release(uploaded);
    return;
  }
  sameBackend('assign', dst, src);
  backend.assign(dst.storage, src.storage, dst.size);
}

function isTensor(v: Tensor | ArrayLike<number>): v is Tensor {
  return !Array.isArray(v) && !ArrayBuffer.isView(v);
}

// --- elementwise --------------------------------------------------------------------

export function unary(op: UnaryOp, x: Tensor, args?: readonly number[]): Tensor {
  return x.newFromStorage(x.backend.unary(op, x.storage, x.size, args), x.shape);
}

/** a (op) b with broadcasting; a number is a scalar on a's backend. Comparisons give 1 or 0. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    const scalar = full(a, [], b);
    const out = binary(op, a, scalar);
    scalar.dispose();
    return out;
  }
  sameBackend(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape, op);
  return a.newFromStorage(a.backend.binary(op, a.storage, a.shape, b.storage, b.shape, shape), shape);
}

/** Axes in the order perm gives (out.shape[i] = x.shape[perm[i]]). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  return x.newFromStorage(x.backend.permute(x.storage, x.shape, perm), perm.map((p) => x.shape[p]));
}

// --- reductions ---------------------------------------------------------------------

/** x as the backend's [outer, dim, inner] around an axis; null: every value in one row. */
function around(x: Tensor, axis: number | null): { outer: number; dim: number; inner: number } {
  return axis === null ? { outer: 1, dim: x.size, inner: 1 } : splitAtAxis(x.shape, axis);
}

/** Reduce over one axis (null: over every value), giving a tensor of `shape`. */
export function reduce(op: ReduceOp, x: Tensor, axis: number | null, shape: Shape): Tensor {
  const { outer, dim, inner } = around(x, axis);
  return x.newFromStorage(x.backend.reduce(op, x.storage, outer, dim, inner), shape);
}

/** Index of the largest value along an axis (as a float; ties: the first). */
export function argmax(x: Tensor, axis: number): Tensor {
  const { outer, dim, inner } = around(x, axis);
  return x.newFromStorage(x.backend.argmax(x.storage, outer, dim, inner), x.shape.filter((_, i) => i !== axis));
}

/** Counts of x's values in `bins` equal bins over [lo, hi] (values outside land in the end bins). */
export function histogram(x: Tensor, bins: number, lo: number, hi: number): Tensor {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  return x.newFromStorage(x.backend.histogram(x.storage, x.size, bins, lo, hi), [bins]);
}

// --- linear algebra -----------------------------------------------------------------

/** op(a) · op(b) for 2-D a and b, op = transpose when asked (read in place, never materialised). */
export function matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  sameBackend('matmul', a, b);
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : a.shape;
  const n = transB ? b.shape[0] : b.shape[1];
  return a.newFromStorage(a.backend.matmul(a.storage, b.storage, m, k, n, transA, transB), [m, n]);
}

/** act(x·Wᵀ + b) in one kernel, and Z = x·Wᵀ + b too when keepZ. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null, act: ActivationInstance | null, keepZ: boolean): { y: Tensor; z: Tensor | null } {
  const [m, k] = x.shape;
  const n = w.shape[0];
  const r = x.backend.linear(x.storage, w.storage, b?.storage ?? null, act ? kernelArgs(act) : null, m, k, n, keepZ);
  return { y: x.newFromStorage(r.y, [m, n]), z: r.z ? x.newFromStorage(r.z, [m, n]) : null };
}

// --- softmax and losses -------------------------------------------------------------

export function softmax(x: Tensor, axis: number, log: boolean): Tensor {
  const { outer, dim, inner } = around(x, axis);
  return x.newFromStorage(x.backend.softmax(x.storage, outer, dim, inner, log), x.shape);
}

/** dX from the (log-)softmax output y and dY. */
export function softmaxBackward(y: Tensor, dy: Tensor, axis: number, log: boolean): Tensor {
  const { outer, dim, inner } = around(y, axis);
  return y.newFromStorage(y.backend.softmaxBackward(y.storage, dy.storage, outer, dim, inner, log), y.shape);
}

/** Per-row cross-entropy of logits [n, c] against labels [n] (class indices as floats). */
export function crossEntropy(logits: Tensor, labels: Tensor, smoothing: number): Tensor {
  const [n, c] = logits.shape;
  return logits.newFromStorage(logits.backend.crossEntropy(logits.storage, labels.storage, n, c, smoothing), [n]);
}

/** dLogits from each row's upstream gradient gradRows [n]. */
export function crossEntropyBackward(logits: Tensor, labels: Tensor, gradRows: Tensor, smoothing: number): Tensor {
  const [n, c] = logits.shape;
  return logits.newFromStorage(logits.backend.crossEntropyBackward(logits.storage, labels.storage, gradRows.storage, n, c, smoothing), logits.shape);
}

// --- activations --------------------------------------------------------------------

function kernelArgs(act: ActivationInstance): ActivationKernelArgs {
  return { spec: act.spec, layout: act.layout, params: act.params.map((p) => p.storage) };
}

/** f(x) elementwise, `channels` the last axis (per-channel parameters). */
export function activation(act: ActivationInstance, x: Tensor, channels: number): Tensor {
  return x.newFromStorage(x.backend.activation(kernelArgs(act), x.storage, x.size, channels), x.shape);
}

/**
 * dX = dY ⊙ f′ (from x or y, as the spec's derivativeUses says), each trainable
 * parameter's gradient (null for the others) and, when asked, the column sums of dX.
 */
export function activationBackward(
  act: ActivationInstance,
  x: Tensor | null,
  y: Tensor | null,
  dy: Tensor,
  channels: number,
  withColumnSums: boolean,
): { dx: Tensor; dparams: (Tensor | null)[]; columnSums: Tensor | null } {
  const r = dy.backend.activationBackward(kernelArgs(act), x?.storage ?? null, y?.storage ?? null, dy.storage, dy.size, channels, withColumnSums);
  return {
    dx: dy.newFromStorage(r.dx, dy.shape),
    dparams: r.dparams.map((d, i) => (d ? dy.newFromStorage(d, act.params[i].shape) : null)),
    columnSums: r.columnSums ? dy.newFromStorage(r.columnSums, [channels]) : null,
  };
}

// --- optimizers, in place -----------------------------------------------------------

/** torch.optim.SGD's update of one parameter, in place (velocity null without momentum). */
export function sgdStep(param: Tensor, grad: Tensor, velocity: Tensor | null, options: SgdOptions): void {
  param.backend.sgdStep(param.storage, grad.storage, velocity?.storage ?? null, param.size, options);
}

/** torch.optim.Adam's update of one parameter and its two moments, in place. */
export function adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamOptions): void {
  param.backend.adamStep(param.storage, grad.storage, m.storage, v.storage, param.size, options);
}
