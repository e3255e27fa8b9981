// Every differentiable op of the engine, each forward next to its gradient rule.
// An op checks its inputs, asks the inputs' backend to run the kernel, and records a
// tape node whose backward maps dL/d(output) to dL/d(inputs) using these same ops.
// No op knows which backend runs it.

import type { ActivationKernelArgs, BinaryOp, Storage, UnaryOp } from './backend';
import type { ActivationParamLayout, ActivationSpec } from './activation-spec';
import { record } from './autograd';
import { lookupActivation } from './activation-registry';
import {
  broadcastShapes,
  formatShape,
  normalizeAxis,
  sameShape,
  sizeOf,
  splitAtAxis,
  type Shape,
} from './shape';
import { Tensor, type TensorLike } from './tensor';

// --- helpers ------------------------------------------------------------------------

function make(like: Tensor, storage: Storage, shape: Shape): Tensor {
  return Tensor.fromStorage(like.backend, storage, shape);
}

function sameBackend(op: string, a: Tensor, b: Tensor): void {
  if (a.backend !== b.backend) {
    throw new Error(
      `${op}: tensors live on different backends (${a.backend.name} ${formatShape(a.shape)} and ` +
        `${b.backend.name} ${formatShape(b.shape)}); create both after the same setBackend()`,
    );
  }
}

function scalarLike(like: Tensor, value: number): Tensor {
  return make(like, like.backend.fill(1, value), []);
}

function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${op}: ${name} must be a number, got ${String(v)}`);
  return v;
}

/** Sum a broadcast gradient back down to `shape` (the rule shared by every broadcasting op). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  let out = g;
  const lead = g.rank - shape.length;
  // Axes that broadcasting added in front, then axes where the input had size 1.
  for (let axis = g.rank - 1; axis >= 0; axis--) {
    const inputDim = axis - lead >= 0 ? shape[axis - lead] : 0;
    if (axis < lead || (inputDim === 1 && g.shape[axis] !== 1)) {
      const next = sum(out, axis, true);
      if (out !== g) out.dispose();
      out = next;
    }
  }
  const result = reshape(out, shape);
  if (out !== g && result !== out) out.dispose();
  return result;
}

// --- creation-side ops ----------------------------------------------------------------

/** The same values cut from the graph; shares storage. */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.dataRef.retain(), x.shape);
}

/** A copy with its own storage. d(clone)/dx = identity. */
export function clone(x: Tensor): Tensor {
  const out = make(x, x.backend.copy(x.storage, x.size), x.shape);
  return record(out, 'clone', [x], (g) => [g]);
}

// --- elementwise unary ---------------------------------------------------------------

function unary(op: UnaryOp, x: Tensor, args?: number[]): Tensor {
  return make(x, x.backend.unary(op, x.storage, x.size, args), x.shape);
}

export function neg(x: Tensor): Tensor {
  return record(unary('neg', x), 'neg', [x], (g) => [neg(g)]);
}

export function exp(x: Tensor): Tensor {
  const y = unary('exp', x);
  // d exp(x) = exp(x): reuse the output.
  return record(y, 'exp', [x], (g) => [mul(g, y)]);
}

export function log(x: Tensor): Tensor {
  return record(unary('log', x), 'log', [x], (g) => [div(g, x)]);
}

export function sqrt(x: Tensor): Tensor {
  const y = unary('sqrt', x);
  // d sqrt(x) = 1 / (2 sqrt(x))
  return record(y, 'sqrt', [x], (g) => {
    const twiceY = unary('affine', y, [2, 0]);
    const dx = binaryRaw('div', g, twiceY);
    twiceY.dispose();
    return [dx];
  });
}

export function abs(x: Tensor): Tensor {
  // d|x| = sign(x), with sign(0) = 0 as PyTorch.
  return record(unary('abs', x), 'abs', [x], (g) => {
    const sign = unary('sign', x);
    const dx = binaryRaw('mul', g, sign);
    sign.dispose();
    return [dx];
  });
}

/** x^p for a scalar exponent p. */
export function pow(x: Tensor, exponent: number): Tensor {
  checkNumber('pow', 'exponent', exponent);
  const y = unary('pow', x, [exponent]);
  // d x^p = p x^(p-1); for p = 0 PyTorch's pow_backward gives zeros (not 0·x⁻¹, NaN at 0 and NaN).
  return record(y, 'pow', [x], (g) => {
    if (exponent === 0) return [make(x, x.backend.fill(x.size, 0), x.shape)];
    const lower = unary('pow', x, [exponent - 1]);
    const slope = unary('affine', lower, [exponent, 0]);
    const dx = binaryRaw('mul', g, slope);
    lower.dispose();
    slope.dispose();
    return [dx];
  }, [], { exponent });
}

/** Clamp into [min, max]; the gradient passes where min ≤ x ≤ max (PyTorch's rule). */
export function clamp(x: Tensor, min: number, max: number): Tensor {
  checkNumber('clamp', 'min', min);
  checkNumber('clamp', 'max', max);
  if (min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
  const y = unary('clamp', x, [min, max]);
  return record(y, 'clamp', [x], (g) => {
    const inside = binaryRaw('eq', y, x);
    const out = mul(g, inside);
    inside.dispose();
    return [out];
  }, [], { min, max });
}

/** a·x + b, the scalar fast path of add/sub/mul/div. */
export function affine(x: Tensor, a: number, b: number): Tensor {
  return record(unary('affine', x, [a, b]), 'affine', [x], (g) => [a === 1 ? g : affine(g, a, 0)], [], { a, b });
}

// --- elementwise binary (broadcasting) ----------------------------------------------

function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  sameBackend(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape, op);
  return make(a, a.backend.binary(op, a.storage, a.shape, b.storage, b.shape, shape), shape);
}

/**
 * Both operands as tensors. A number becomes a scalar tensor that the op owns: it is
 * returned in `owned` so record() frees it with the graph (or at once when nothing is
 * recorded) instead of leaving it to the GC (GPU memory is not seen by the GC).
 */
function operands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor, Tensor[]] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b, []];
  if (a instanceof Tensor) {
    const s = scalarLike(a, checkNumber(op, 'operand', b));
    return [a, s, [s]];
  }
  if (b instanceof Tensor) {
    const s = scalarLike(b, checkNumber(op, 'operand', a));
    return [s, b, [s]];
  }
  throw new Error(`${op}: at least one operand must be a Tensor`);
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return affine(a, 1, b);
  const [x, y, owned] = operands(a, b, 'add');
  const out = binaryRaw('add', x, y);
  return record(out, 'add', [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)], owned);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return affine(a, 1, -b);
  const [x, y, owned] = operands(a, b, 'sub');
  const out = binaryRaw('sub', x, y);
  return record(out, 'sub', [x, y], (g) => {
    const negG = neg(g);
    const gy = sumTo(negG, y.shape);
    if (gy !== negG) negG.dispose();
    return [sumTo(g, x.shape), gy];
  }, owned);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return affine(a, b, 0);
  if (b instanceof Tensor && typeof a === 'number') return affine(b, a, 0);
  const [x, y, owned] = operands(a, b, 'mul');
  const out = binaryRaw('mul', x, y);
  return record(out, 'mul', [x, y], (g) => [
    x.requiresGrad ? reduceProduct(g, y, x.shape) : null,
    y.requiresGrad ? reduceProduct(g, x, y.shape) : null,
  ], owned);
}

/** sumTo(g · other, shape), freeing the intermediate product. */
function reduceProduct(g: Tensor, other: Tensor, shape: Shape): Tensor {
  return reduceBinary('mul', g, other, shape);
}

/** sumTo(g op other, shape), freeing the intermediate: the broadcasting ops' gradient step. */
function reduceBinary(op: BinaryOp, g: Tensor, other: Tensor, shape: Shape): Tensor {
  const result = binaryRaw(op, g, other);
  const out = sumTo(result, shape);
  if (out !== result) result.dispose();
  return out;
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') {
    if (b === 0) throw new Error(`div: division of tensor ${a.describe()} by the number 0`);
    return affine(a, 1 / b, 0);
  }
  const [x, y, owned] = operands(a, b, 'div');
  const out = binaryRaw('div', x, y);
  return record(out, 'div', [x, y], (g) => {
    // d(x/y)/dx = 1/y;  d(x/y)/dy = -x/y² = -out/y
    const gx = x.requiresGrad ? reduceBinary('div', g, y, x.shape) : null;
    let gy: Tensor | null = null;
    if (y.requiresGrad) {
      const ratio = binaryRaw('div', out, y);
      const negRatio = unary('neg', ratio);
      ratio.dispose();
      gy = reduceProduct(g, negRatio, y.shape);
      negRatio.dispose();
    }
    return [gx, gy];
  }, owned);
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
  const out = binaryRaw(op, x, y);
  return record(out, op, [x, y], (g) => {
    // As torch.maximum's backward: each side's g is masked where it loses and halved at
    // ties: w_x = 1 − [x loses] − ½[x = y]. With a NaN nothing loses or ties, so both
    // sides get the whole g.
    const ties = binaryRaw('eq', x, y);
    const halfTies = unary('affine', ties, [0.5, 0]);
    const weight = (self: Tensor, other: Tensor) => {
      const loses = op === 'maximum' ? binaryRaw('gt', other, self) : binaryRaw('gt', self, other);
      const lost = binaryRaw('add', loses, halfTies);
      const w = unary('affine', lost, [-1, 1]);
      loses.dispose();
      lost.dispose();
      return w;
    };
    const wx = weight(x, y);
    const wy = weight(y, x);
    const gx = reduceProduct(g, wx, x.shape);
    const gy = reduceProduct(g, wy, y.shape);
    for (const t of [ties, halfTies, wx, wy]) t.dispose();
    return [gx, gy];
  }, owned);
}

// --- linear algebra --------------------------------------------------------------------

/** Matrix product of two 2-D tensors: [m, k] · [k, n] → [m, n]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  sameBackend('matmul', a, b);
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: expects two 2-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (k !== k2) {
    throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not align (${k} != ${k2})`);
  }
  const out = make(a, a.backend.matmul(a.storage, b.storage, m, k, n, false, false), [m, n]);
  return record(out, 'matmul', [a, b], (g) => [
    // dA = dC · Bᵀ,  dB = Aᵀ · dC: transposes are read in place by the kernel.
    a.requiresGrad ? make(a, a.backend.matmul(g.storage, b.storage, m, n, k, false, true), [m, k]) : null,
    b.requiresGrad ? make(a, a.backend.matmul(a.storage, g.storage, k, m, n, true, false), [k, n]) : null,
  ]);
}

/** Swap two axes. */
export function transpose(x: Tensor, dim0 = 0, dim1 = 1): Tensor {
  const d0 = normalizeAxis(dim0, x.rank, 'transpose');
  const d1 = normalizeAxis(dim1, x.rank, 'transpose');
  const perm = x.shape.map((_, i) => i);
  [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
  const shape = perm.map((p) => x.shape[p]);
  const out = make(x, x.backend.permute(x.storage, x.shape, perm), shape);
  return record(out, 'transpose', [x], (g) => [transpose(g, d0, d1)], [], { dim0: d0, dim1: d1 });
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
  const out = new Tensor(x.dataRef.retain(), resolved);
  return record(out, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

// --- reductions ------------------------------------------------------------------------

function reduceShape(x: Tensor, axis: number | undefined, keepdim: boolean): {
  axis: number | null;
  outer: number;
  dim: number;
  inner: number;
  shape: number[];
  keptShape: number[];
} {
  if (axis === undefined || axis === null) {
    return { axis: null, outer: 1, dim: x.size, inner: 1, shape: keepdim ? x.shape.map(() => 1) : [], keptShape: x.shape.map(() => 1) };
  }
  const a = normalizeAxis(axis, x.rank, 'reduce');
  const { outer, dim, inner } = splitAtAxis(x.shape, a);
  const keptShape = x.shape.map((d, i) => (i === a ? 1 : d));
  const shape = keepdim ? keptShape : x.shape.filter((_, i) => i !== a);
  return { axis: a, outer, dim, inner, shape, keptShape };
}

/** Sum over all values, or over one axis (keepdim keeps it as size 1). */
export function sum(x: Tensor, axis?: number, keepdim = false): Tensor {
  const r = reduceShape(x, axis, keepdim);
  const out = make(x, x.backend.reduce('sum', x.storage, r.outer, r.dim, r.inner), r.shape);
  // d sum = 1 for every summed value: broadcast g back over the reduced axis.
  return record(out, 'sum', [x], (g) => [expandTo(g, r.keptShape, x.shape)], [], { axis: r.axis, keepdim });
}

export function mean(x: Tensor, axis?: number, keepdim = false): Tensor {
  const r = reduceShape(x, axis, keepdim);
  if (r.dim === 0) throw new Error(`mean: cannot average an empty axis of ${formatShape(x.shape)}`);
  const total = make(x, x.backend.reduce('sum', x.storage, r.outer, r.dim, r.inner), r.shape);
  const out = make(x, x.backend.unary('affine', total.storage, total.size, [1 / r.dim, 0]), r.shape);
  total.dispose();
  return record(out, 'mean', [x], (g) => {
    const scaled = affine(g, 1 / r.dim, 0);
    const out = expandTo(scaled, r.keptShape, x.shape);
    scaled.dispose();
    return [out];
  }, [], { axis: r.axis, keepdim });
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
  const out = make(x, x.backend.reduce(op, x.storage, r.outer, r.dim, r.inner), r.shape);
  return record(out, op, [x], (g) => {
    // The gradient goes to the extreme values, split evenly between ties (as torch.amax).
    const kept = reshape(out, r.keptShape);
    const winners = binaryRaw('eq', x, kept);
    const count = make(x, x.backend.reduce('sum', winners.storage, r.outer, r.dim, r.inner), r.keptShape);
    const gk = reshape(g, r.keptShape);
    const share = binaryRaw('div', gk, count);
    const dx = binaryRaw('mul', winners, share);
    for (const t of [winners, count, share]) t.dispose();
    if (kept !== out) kept.dispose();
    if (gk !== g) gk.dispose();
    return [dx];
  }, [], { axis: r.axis, keepdim });
}

/** Broadcast g (of keptShape, reduced axes size 1) to shape. */
function expandTo(g: Tensor, keptShape: Shape, shape: Shape): Tensor {
  const gk = reshape(g, keptShape);
  const ones = make(g, g.backend.fill(sizeOf(shape), 1), shape);
  const out = binaryRaw('mul', ones, gk);
  ones.dispose();
  if (gk !== g) gk.dispose();
  return out;
}

/** Indices of the largest values along an axis (as float values; not differentiable). */
export function argmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.rank, 'argmax');
  const { outer, dim, inner } = splitAtAxis(x.shape, a);
  return make(x, x.backend.argmax(x.storage, outer, dim, inner), x.shape.filter((_, i) => i !== a));
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
  const { outer, dim, inner } = splitAtAxis(x.shape, a);
  const y = make(x, x.backend.softmax(x.storage, outer, dim, inner, log), x.shape);
  // Backward is the Jacobian-vector product computed from the output alone.
  return record(y, name, [x], (g) => [
    make(x, x.backend.softmaxBackward(y.storage, g.storage, outer, dim, inner, log), x.shape),
  ], [], { axis: a });
}

// --- activations ---------------------------------------------------------------------------

/** An activation as ops see it: its spec, parameter layout and parameter tensors. */
export interface ActivationInstance {
  spec: ActivationSpec;
  layout: readonly ActivationParamLayout[];
  params: readonly Tensor[];
}

function kernelArgs(act: ActivationInstance): ActivationKernelArgs {
  return { spec: act.spec, layout: act.layout, params: act.params.map((p) => p.storage) };
}

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
  const y = make(x, x.backend.activation(kernelArgs(act), x.storage, x.size, channels), x.shape);
  const usesOutput = act.spec.derivativeUses === 'output';
  return record(y, 'activation', [x, ...act.params], (g) => {
    const r = x.backend.activationBackward(
      kernelArgs(act), usesOutput ? null : x.storage, usesOutput ? y.storage : null, g.storage, x.size, channels, false,
    );
    return [make(x, r.dx, x.shape), ...r.dparams.map((d, i) => (d ? make(x, d, act.params[i].shape) : null))];
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
    return make(like, like.backend.upload(values), [values.length]);
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
  const args = act ? kernelArgs(act) : null;
  const r = x.backend.linear(x.storage, w.storage, b?.storage ?? null, args, m, k, n, keepZ);
  const y = make(x, r.y, [m, n]);
  const z = r.z ? make(x, r.z, [m, n]) : null;
  const inputs = b ? [x, w, b] : [x, w];
  const actParams = act ? [...act.params] : [];
  return record(y, 'linear', [...inputs, ...actParams], (g) => {
    const backend = x.backend;
    // dZ = dY ⊙ f'(Z) and db = Σ_rows dZ in one pass (identity: dZ = dY).
    let dz: Storage;
    let db: Storage | null = null;
    let dparams: (Storage | null)[] = [];
    if (args) {
      const rb = backend.activationBackward(args, z?.storage ?? null, usesOutput ? y.storage : null, g.storage, m * n, n, !!b);
      dz = rb.dx;
      db = rb.columnSums;
      dparams = rb.dparams;
    } else {
      dz = g.storage;
      if (b) db = backend.reduce('sum', g.storage, 1, m, n);
    }
    const dx = x.requiresGrad ? make(x, backend.matmul(dz, w.storage, m, n, k, false, false), [m, k]) : null;
    const dw = w.requiresGrad ? make(x, backend.matmul(dz, x.storage, n, m, k, true, false), [n, k]) : null;
    const dbT = db ? make(x, db, [n]) : null;
    if (dz !== g.storage) backend.release(dz);
    return [dx, dw, ...(b ? [dbT] : []), ...dparams.map((d, i) => (d ? make(x, d, actParams[i].shape) : null))];
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
export function labelTensor(like: Tensor, labels: Int32Array | readonly number[] | Tensor, n: number, c: number, op: string): Tensor {
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
  return make(like, like.backend.upload(labels), [n]);
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
  const rows = make(logits, logits.backend.crossEntropy(logits.storage, labelT.storage, n, c, labelSmoothing), [n]);
  const owned = labelT !== labels ? [labelT] : [];
  const perRow = record(rows, 'crossEntropy', [logits], (g) => [
    make(logits, logits.backend.crossEntropyBackward(logits.storage, labelT.storage, g.storage, n, c, labelSmoothing), [n, c]),
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

