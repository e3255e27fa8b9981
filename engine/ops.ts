// Every differentiable op of the engine, each forward next to its gradient rule.
// An op checks its inputs, runs its kernel through the no-tape layer (untracked.ts) and
// records a tape node whose rule maps dL/d(output) to dL/d(inputs). No op knows which
// backend runs it.
//
// How a gradient rule is written:
//  - As its math, with these same ops: backward runs rules under noGrad, so nothing a
//    rule computes is recorded. Kernels that have no gradient of their own (comparisons,
//    sign, the fused backward kernels) come from the no-tape layer.
//  - Without bookkeeping: autograd runs each rule in a scope that frees every tensor the
//    rule made and did not return, so a rule never disposes anything.
//  - It may return g itself (autograd copies it where needed), and null for an input
//    that needs no gradient.

import type { ActivationSpec } from './activation-spec';
import { record } from './autograd';
import { lookupActivation } from './activation-registry';
import { formatShape, normalizeAxis, sameShape, sizeOf, type Shape } from './shape';
// Tensor's methods are these ops, and an op tells a Tensor from a number with
// instanceof: the engine's one import cycle (tensor ↔ ops), harmless because neither
// module uses the other while it loads.
import { Tensor, type TensorLike } from './tensor';
import * as untracked from './untracked';
import { sameBackend, type ActivationInstance } from './untracked';

export type { ActivationInstance };

// --- helpers ------------------------------------------------------------------------

function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${op}: ${name} must be a number, got ${String(v)}`);
  return v;
}

/** Sum a broadcast gradient back down to `shape` (the rule shared by every broadcasting op). */
function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  let out = g;
  const lead = g.rank - shape.length;
  // Axes that broadcasting added in front, then axes where the input had size 1.
  for (let axis = g.rank - 1; axis >= 0; axis--) {
    const inputDim = axis - lead >= 0 ? shape[axis - lead] : 0;
    if (axis < lead || (inputDim === 1 && g.shape[axis] !== 1)) out = sum(out, axis, true);
  }
  return reshape(out, shape);
}

// --- creation-side ops ----------------------------------------------------------------

/** The same values cut from the graph; shares storage. */
export function detach(x: Tensor): Tensor {
  return x.sharedView(x.shape);
}

/** A copy with its own storage. d(clone)/dx = identity. */
export function clone(x: Tensor): Tensor {
  return record(untracked.copy(x), 'clone', [x], (g) => [g]);
}

// --- elementwise unary ---------------------------------------------------------------

export function neg(x: Tensor): Tensor {
  return record(untracked.unary('neg', x), 'neg', [x], (g) => [neg(g)]);
}

export function exp(x: Tensor): Tensor {
  const y = untracked.unary('exp', x);
  // d exp(x) = exp(x): reuse the output.
  return record(y, 'exp', [x], (g) => [mul(g, y)]);
}

export function log(x: Tensor): Tensor {
  return record(untracked.unary('log', x), 'log', [x], (g) => [div(g, x)]);
}

export function sqrt(x: Tensor): Tensor {
  const y = untracked.unary('sqrt', x);
  // d sqrt(x) = 1 / (2 sqrt(x))
  return record(y, 'sqrt', [x], (g) => [div(g, mul(y, 2))]);
}

export function abs(x: Tensor): Tensor {
  // d|x| = sign(x), with sign(0) = 0 as PyTorch.
  return record(untracked.unary('abs', x), 'abs', [x], (g) => [mul(g, untracked.unary('sign', x))]);
}

/** x^p for a scalar exponent p. */
export function pow(x: Tensor, exponent: number): Tensor {
  checkNumber('pow', 'exponent', exponent);
  const y = untracked.unary('pow', x, [exponent]);
  // d x^p = p x^(p-1); for p = 0 PyTorch's pow_backward gives zeros (not 0·x⁻¹, NaN at 0 and NaN).
  return record(y, 'pow', [x], (g) => [
    exponent === 0 ? untracked.full(x, x.shape, 0) : mul(g, mul(pow(x, exponent - 1), exponent)),
  ], [], { exponent });
}

/** Clamp into [min, max]; the gradient passes where min ≤ x ≤ max (PyTorch's rule). */
export function clamp(x: Tensor, min: number, max: number): Tensor {
  checkNumber('clamp', 'min', min);
  checkNumber('clamp', 'max', max);
  if (min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
  const y = untracked.unary('clamp', x, [min, max]);
  return record(y, 'clamp', [x], (g) => [mul(g, untracked.binary('eq', y, x))], [], { min, max });
}

/** a·x + b, the scalar fast path of add/sub/mul/div. */
export function affine(x: Tensor, a: number, b: number): Tensor {
  return record(untracked.unary('affine', x, [a, b]), 'affine', [x], (g) => [a === 1 ? g : affine(g, a, 0)], [], { a, b });
}

// --- elementwise binary (broadcasting) ----------------------------------------------

/**
 * Both operands as tensors. A number becomes a scalar tensor that the op owns: it is
 * returned in `owned` so record() frees it with the graph (or at once when nothing is
 * recorded) instead of leaving it to the GC (GPU memory is not seen by the GC).
 */
function operands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor, Tensor[]] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b, []];
  if (a instanceof Tensor) {
    const s = untracked.full(a, [], checkNumber(op, 'operand', b));
    return [a, s, [s]];
  }
  if (b instanceof Tensor) {
    const s = untracked.full(b, [], checkNumber(op, 'operand', a));
    return [s, b, [s]];
  }
  throw new Error(`${op}: at least one operand must be a Tensor`);
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return affine(a, 1, b);
  const [x, y, owned] = operands(a, b, 'add');
  const out = untracked.binary('add', x, y);
  return record(out, 'add', [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)], owned);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return affine(a, 1, -b);
  const [x, y, owned] = operands(a, b, 'sub');
  const out = untracked.binary('sub', x, y);
  return record(out, 'sub', [x, y], (g) => [sumTo(g, x.shape), sumTo(neg(g), y.shape)], owned);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return affine(a, b, 0);
  if (b instanceof Tensor && typeof a === 'number') return affine(b, a, 0);
  const [x, y, owned] = operands(a, b, 'mul');
  const out = untracked.binary('mul', x, y);
  return record(out, 'mul', [x, y], (g) => [
    x.requiresGrad ? sumTo(mul(g, y), x.shape) : null,
    y.requiresGrad ? sumTo(mul(g, x), y.shape) : null,
  ], owned);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') {
    if (b === 0) throw new Error(`div: division of tensor ${a.describe()} by the number 0`);
    return affine(a, 1 / b, 0);
  }
  const [x, y, owned] = operands(a, b, 'div');
  const out = untracked.binary('div', x, y);
  // d(x/y)/dx = 1/y;  d(x/y)/dy = -x/y² = -out/y
  return record(out, 'div', [x, y], (g) => [
    x.requiresGrad ? sumTo(div(g, y), x.shape) : null,
    y.requiresGrad ? sumTo(mul(g, neg(div(out, y))), y.shape) : null,
  ], owned);
}

/** Elementwise max; where a == b the gradient is split equally (PyTorch's rule). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('maximum', a, b);
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('minimum', a, b);
}

function extremum(op: 'maximum' | 'minimum', a: TensorLike, b: TensorLike): Tensor {
  const [x, y, owned] = operands(a, b, op);
  const out = untracked.binary(op, x, y);
  return record(out, op, [x, y], (g) => {
    // As torch.maximum's backward: each side's g is masked where it loses and halved at
    // ties: w_x = 1 − [x loses] − ½[x = y]. With a NaN nothing loses or ties, so both
    // sides get the whole g.
    const halfTies = mul(untracked.binary('eq', x, y), 0.5);
    const loses = (self: Tensor, other: Tensor) => (op === 'maximum' ? untracked.binary('gt', other, self) : untracked.binary('gt', self, other));
    const weight = (self: Tensor, other: Tensor) => affine(add(loses(self, other), halfTies), -1, 1);
    return [sumTo(mul(g, weight(x, y)), x.shape), sumTo(mul(g, weight(y, x)), y.shape)];
  }, owned);
}

// --- linear algebra --------------------------------------------------------------------

/** Matrix product of two 2-D tensors: [m, k] · [k, n] → [m, n]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  sameBackend('matmul', a, b);
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: expects two 2-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.shape[1] !== b.shape[0]) {
    throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not align (${a.shape[1]} != ${b.shape[0]})`);
  }
  return record(untracked.matmul(a, b), 'matmul', [a, b], (g) => [
    // dA = dC · Bᵀ,  dB = Aᵀ · dC: transposes are read in place by the kernel.
    a.requiresGrad ? untracked.matmul(g, b, false, true) : null,
    b.requiresGrad ? untracked.matmul(a, g, true, false) : null,
  ]);
}

/** Swap two axes. */
export function transpose(x: Tensor, dim0 = 0, dim1 = 1): Tensor {
  const d0 = normalizeAxis(dim0, x.rank, 'transpose');
  const d1 = normalizeAxis(dim1, x.rank, 'transpose');
  const perm = x.shape.map((_, i) => i);
  [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
  return record(untracked.permute(x, perm), 'transpose', [x], (g) => [transpose(g, d0, d1)], [], { dim0: d0, dim1: d1 });
}

/** A view with another shape (shares storage); one size may be -1. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const resolved = [...shape];
  const unknown = resolved.indexOf(-1);
  if (unknown >= 0) {
    const known = sizeOf(resolved.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} values) into ${formatShape(shape)}`);
    }
    resolved[unknown] = x.size / known;
  }
  if (resolved.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(resolved) !== x.size) {
    throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} values) into ${formatShape(shape)}`);
  }
  // Always a new view, even for the same shape: disposing the result must never dispose x.
  return record(x.sharedView(resolved), 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

// --- reductions ------------------------------------------------------------------------

/** The reduced axis (null: all), its length, and the output shape with and without keepdim. */
function reduceShape(x: Tensor, axis: number | undefined, keepdim: boolean): {
  axis: number | null;
  dim: number;
  shape: number[];
  keptShape: number[];
} {
  if (axis === undefined || axis === null) {
    return { axis: null, dim: x.size, shape: keepdim ? x.shape.map(() => 1) : [], keptShape: x.shape.map(() => 1) };
  }
  const a = normalizeAxis(axis, x.rank, 'reduce');
  const keptShape = x.shape.map((d, i) => (i === a ? 1 : d));
  const shape = keepdim ? keptShape : x.shape.filter((_, i) => i !== a);
  return { axis: a, dim: x.shape[a], shape, keptShape };
}

/** Sum over all values, or over one axis (keepdim keeps it as size 1). */
export function sum(x: Tensor, axis?: number, keepdim = false): Tensor {
  const r = reduceShape(x, axis, keepdim);
  const out = untracked.reduce('sum', x, r.axis, r.shape);
  // d sum = 1 for every summed value: broadcast g back over the reduced axis.
  return record(out, 'sum', [x], (g) => [expandTo(g, r.keptShape, x.shape)], [], { axis: r.axis, keepdim });
}

export function mean(x: Tensor, axis?: number, keepdim = false): Tensor {
  const r = reduceShape(x, axis, keepdim);
  if (r.dim === 0) throw new Error(`mean: cannot average an empty axis of ${formatShape(x.shape)}`);
  const total = untracked.reduce('sum', x, r.axis, r.shape);
  const out = untracked.unary('affine', total, [1 / r.dim, 0]);
  total.dispose();
  return record(out, 'mean', [x], (g) => [expandTo(mul(g, 1 / r.dim), r.keptShape, x.shape)], [], { axis: r.axis, keepdim });
}

export function max(x: Tensor, axis?: number, keepdim = false): Tensor {
  return extremeReduce('max', x, axis, keepdim);
}

export function min(x: Tensor, axis?: number, keepdim = false): Tensor {
  return extremeReduce('min', x, axis, keepdim);
}

function extremeReduce(op: 'max' | 'min', x: Tensor, axis: number | undefined, keepdim: boolean): Tensor {
  const r = reduceShape(x, axis, keepdim);
  if (r.dim === 0) throw new Error(`${op}: cannot reduce an empty axis of ${formatShape(x.shape)}`);
  const out = untracked.reduce(op, x, r.axis, r.shape);
  return record(out, op, [x], (g) => {
    // The gradient goes to the extreme values, split evenly between ties (as torch.amax).
    const winners = untracked.binary('eq', x, reshape(out, r.keptShape));
    const share = div(reshape(g, r.keptShape), sum(winners, r.axis ?? undefined, true));
    return [mul(winners, share)];
  }, [], { axis: r.axis, keepdim });
}

/** Broadcast g (of keptShape, reduced axes size 1) to shape. */
function expandTo(g: Tensor, keptShape: Shape, shape: Shape): Tensor {
  return mul(untracked.full(g, shape, 1), reshape(g, keptShape));
}

/** Indices of the largest values along an axis (as float values; not differentiable). */
export function argmax(x: Tensor, axis = -1): Tensor {
  return untracked.argmax(x, normalizeAxis(axis, x.rank, 'argmax'));
}

// --- softmax ------------------------------------------------------------------------------

export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp(x, axis, false);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp(x, axis, true);
}

function softmaxOp(x: Tensor, axis: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  const a = normalizeAxis(axis, x.rank, name);
  const y = untracked.softmax(x, a, log);
  // Backward is the Jacobian-vector product computed from the output alone.
  return record(y, name, [x], (g) => [untracked.softmaxBackward(y, g, a, log)], [], { axis: a });
}

// --- activations ---------------------------------------------------------------------------

function channelsOf(x: Tensor, act: ActivationInstance, op: string): number {
  return checkChannels(x.rank === 0 ? 1 : x.shape[x.rank - 1], x.shape, act, op);
}

function checkChannels(channels: number, shape: Shape, act: ActivationInstance, op: string): number {
  act.layout.forEach((p) => {
    if (p.perChannel && p.length > 1 && p.length !== channels) {
      throw new Error(
        `${op}: activation '${act.spec.name}' has ${p.length} values of '${p.name}' (one per channel) ` +
          `but the input ${formatShape(shape)} has ${channels} channels on its last axis`,
      );
    }
  });
  return channels;
}

function activationInfo(act: ActivationInstance): Record<string, unknown> {
  return { activation: act.spec.name, params: Object.fromEntries(act.layout.map((l, i) => [l.name, act.params[i]])) };
}

/** y = f(x) elementwise; trainable parameters of f receive gradients too. */
export function activation(x: Tensor, act: ActivationInstance): Tensor {
  for (const p of act.params) sameBackend(`activation '${act.spec.name}'`, x, p);
  const channels = channelsOf(x, act, `activation '${act.spec.name}'`);
  const y = untracked.activation(act, x, channels);
  const usesOutput = act.spec.derivativeUses === 'output';
  return record(y, 'activation', [x, ...act.params], (g) => {
    const r = untracked.activationBackward(act, usesOutput ? null : x, usesOutput ? y : null, g, channels, false);
    return [r.dx, ...r.dparams];
  }, [], activationInfo(act));
}

/** The activation registered under `name`, with default parameters. */
export function activationByName(x: Tensor, name: string): Tensor {
  const spec = lookupActivation(name);
  return activation(x, defaultInstance(spec, x));
}

function defaultInstance(spec: ActivationSpec, like: Tensor): ActivationInstance {
  const params = (spec.params ?? []).map((p) => {
    const values = typeof p.default === 'number' ? [p.default] : [...p.default];
    return untracked.upload(like, values, [values.length]);
  });
  return { spec, layout: params.map((t, i) => ({ name: spec.params![i].name, length: t.size, trainable: false, perChannel: false })), params };
}

/**
 * The fused linear layer: Y = act(X · Wᵀ + b), X [m, k], W [n, k] (PyTorch layout),
 * b [n] or null, act null for identity. One kernel forward; backward computes
 * dZ = dY ⊙ f'(Z) with the bias gradient in the same pass, then dX = dZ·W, dW = dZᵀ·X.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null, act: ActivationInstance | null = null): Tensor {
  sameBackend('linear', x, w);
  if (b) sameBackend('linear', x, b);
  if (x.rank !== 2 || w.rank !== 2) {
    throw new Error(`linear: expects input [batch, in] and weight [out, in], got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
  }
  const [m, k] = x.shape;
  const [n, k2] = w.shape;
  if (k !== k2) {
    throw new Error(`linear: input ${formatShape(x.shape)} has ${k} features but weight ${formatShape(w.shape)} expects ${k2}`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== n)) {
    throw new Error(`linear: bias ${formatShape(b.shape)} does not match weight ${formatShape(w.shape)} (expected [${n}])`);
  }
  if (act) checkChannels(n, [m, n], act, 'linear');
  const needsGrad = [x, w, b, ...(act?.params ?? [])].some((t) => t?.requiresGrad);
  const usesOutput = act?.spec.derivativeUses === 'output';
  const keepZ = needsGrad && !!act && !usesOutput;
  const { y, z } = untracked.linear(x, w, b, act, keepZ);
  const inputs = b ? [x, w, b] : [x, w];
  return record(y, 'linear', [...inputs, ...(act?.params ?? [])], (g) => {
    // dZ = dY ⊙ f'(Z) and db = Σ_rows dZ in one pass (identity: dZ = dY).
    const { dx: dz, columnSums: db, dparams } = act
      ? untracked.activationBackward(act, z, usesOutput ? y : null, g, n, !!b)
      : { dx: g, columnSums: b ? sum(g, 0) : null, dparams: [] };
    return [
      x.requiresGrad ? untracked.matmul(dz, w) : null,
      w.requiresGrad ? untracked.matmul(dz, x, true, false) : null,
      ...(b ? [db] : []),
      ...dparams,
    ];
  }, z ? [z] : [], { ...(act ? activationInfo(act) : {}), fused: true, keepZ });
}

// --- losses ------------------------------------------------------------------------------

export type Reduction = 'mean' | 'sum' | 'none';

function reduceLoss(perRow: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === 'none') return perRow;
  if (reduction !== 'mean' && reduction !== 'sum') {
    throw new Error(`${op}: unknown reduction '${String(reduction)}' (valid: 'mean', 'sum', 'none')`);
  }
  const out = reduction === 'mean' ? mean(perRow) : sum(perRow);
  return out;
}

/** Labels as a float tensor on x's backend, checked against the number of classes. */
function labelTensor(like: Tensor, labels: Int32Array | readonly number[] | Tensor, n: number, c: number, op: string): Tensor {
  if (labels instanceof Tensor) {
    if (labels.size !== n) throw new Error(`${op}: ${labels.size} labels for ${n} rows of logits`);
    sameBackend(op, like, labels);
    return labels;
  }
  if (labels.length !== n) throw new Error(`${op}: ${labels.length} labels for ${n} rows of logits ${formatShape(like.shape)}`);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= c) {
      throw new Error(`${op}: label ${l} at index ${i} is not a class index in [0, ${c - 1}]`);
    }
  }
  return untracked.upload(like, labels, [n]);
}

/**
 * Cross-entropy from logits [n, c] and integer labels: the fused log-softmax + NLL,
 * stable for any logits, with optional label smoothing (PyTorch's definition).
 */
export function crossEntropy(
  logits: Tensor,
  labels: Int32Array | readonly number[] | Tensor,
  options: { reduction?: Reduction; labelSmoothing?: number } = {},
): Tensor {
  const { reduction = 'mean', labelSmoothing = 0 } = options;
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  const [n, c] = logits.shape;
  const labelT = labelTensor(logits, labels, n, c, 'crossEntropy');
  const rows = untracked.crossEntropy(logits, labelT, labelSmoothing);
  const owned = labelT !== labels ? [labelT] : [];
  const perRow = record(rows, 'crossEntropy', [logits], (g) => [
    untracked.crossEntropyBackward(logits, labelT, g, labelSmoothing),
  ], owned, { labelSmoothing });
  const out = reduceLoss(perRow, reduction, 'crossEntropy');
  if (out !== perRow && !perRow.requiresGrad) perRow.dispose();
  return out;
}

function sameShapeLoss(op: string, input: Tensor, target: Tensor): void {
  sameBackend(op, input, target);
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
}

/** Mean squared error, composed from differentiable ops. */
export function mse(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  sameShapeLoss('mse', input, target);
  const diff = sub(input, target);
  const sq = pow(diff, 2);
  return reduceLoss(sq, options.reduction ?? 'mean', 'mse');
}

/**
 * Binary cross-entropy on logits, in the stable form
 * max(x, 0) − x·y + log(1 + e^(−|x|)), as torch.nn.BCEWithLogitsLoss.
 */
export function bceWithLogits(logits: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  sameShapeLoss('bceWithLogits', logits, target);
  const relu = maximum(logits, 0);
  const xy = mul(logits, target);
  const softplusNegAbs = log(add(exp(neg(abs(logits))), 1));
  const loss = add(sub(relu, xy), softplusNegAbs);
  return reduceLoss(loss, options.reduction ?? 'mean', 'bceWithLogits');
}

