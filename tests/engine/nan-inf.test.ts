// NaN and infinities give PyTorch's answers on every backend (issue 15, item 19).
//
// 1. Tables: f and dL/dx at NaN, +∞ and −∞ for every unary op and every built-in
//    activation (elementwise and through the fused linear kernel), and PyTorch's
//    answers for the reductions, softmax, argmax, cross-entropy, matmul and the losses.
//    The values are PyTorch's (torch 1.13, CPU), written out here; where PyTorch's rule
//    is subtle, the comment names the kernel or derivative formula that makes it.
// 2. A property (fast-check): every op of the op catalogue and every activation, with
//    NaN, +∞ and −∞ mixed into random inputs, forward and backward: the CPU and WebGPU
//    agree (both NaN, the same infinity, or the same finite value), and at each special
//    input an elementwise op gives the table's value.
//
// WebGPU runs for real (Dawn; SwiftShader here, where exp(NaN) = ∞, max(NaN, 0) = 0,
// tanh(±∞) = NaN and `x != x` folds to false: what the guards in the kernels are for).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import type { Tensor } from '../../index';
import type { Backend } from '../../engine/backend';
import { cpuBackend } from '../../engine/backend-registry';
import { Activation } from '../../nn/activation';
import { BSPLINE_HI, BSPLINE_LO, BSPLINE_POINTS } from '../../activations/builtin/bspline';
import { SELU_ALPHA, SELU_SCALE } from '../../activations/builtin/selu';
import { describeBackends } from '../helpers/backends';
import { caseValues, OP_CASES, projectionWeights, type OpCase } from './op-cases';

const N = NaN;
const I = Infinity;
/** The three special inputs, in the order every table row lists its values. */
const SPECIALS = [NaN, Infinity, -Infinity];

type Triple = [number, number, number];
interface Row {
  fn: (x: Tensor) => Tensor;
  /** f at [NaN, +∞, −∞]. */
  f: Triple;
  /** dL/dx at [NaN, +∞, −∞] for L = Σ f(x). */
  df: Triple;
}

// --- the unary ops ----------------------------------------------------------------------
const UNARY: Record<string, Row> = {
  neg: { fn: (x) => x.neg(), f: [N, -I, I], df: [-1, -1, -1] },
  exp: { fn: (x) => x.exp(), f: [N, I, 0], df: [N, I, 0] },
  log: { fn: (x) => x.log(), f: [N, I, N], df: [N, 0, -0] },
  sqrt: { fn: (x) => x.sqrt(), f: [N, I, N], df: [N, 0, N] },
  // abs' = sign(x), and torch.sign(NaN) = 0: its kernel is (0 < x) − (x < 0).
  abs: { fn: (x) => x.abs(), f: [N, I, I], df: [0, 1, -1] },
  'pow 2': { fn: (x) => x.pow(2), f: [N, I, I], df: [N, I, -I] },
  'pow 3': { fn: (x) => x.pow(3), f: [N, I, -I], df: [N, I, I] },
  // PyTorch computes x^0.5 as sqrt(x) and x^−0.5 as rsqrt(x): NaN at −∞ (C's pow gives +∞ and 0),
  // while other exponents follow C's pow: (−∞)^1.5 = +∞, (−∞)^−1.5 = 0.
  'pow 0.5': { fn: (x) => x.pow(0.5), f: [N, I, N], df: [N, 0, N] },
  'pow -0.5': { fn: (x) => x.pow(-0.5), f: [N, 0, N], df: [N, -0, -0] },
  'pow 1.5': { fn: (x) => x.pow(1.5), f: [N, I, I], df: [N, I, N] },
  'pow -1.5': { fn: (x) => x.pow(-1.5), f: [N, 0, 0], df: [N, -0, -0] },
  'pow -1': { fn: (x) => x.pow(-1), f: [N, 0, -0], df: [N, -0, -0] },
  // pow(NaN, 0) = 1 (C's pow), and PyTorch's pow_backward returns zeros for exponent 0.
  'pow 0': { fn: (x) => x.pow(0), f: [1, 1, 1], df: [0, 0, 0] },
  // clamp propagates NaN; clamp_backward passes the gradient only where min ≤ x ≤ max.
  clamp: { fn: (x) => x.clamp(-1, 0.5), f: [N, 0.5, -1], df: [0, 0, 0] },
  'affine 2x + 1': { fn: (x) => x.mul(2).add(1), f: [N, I, -I], df: [2, 2, 2] },
  // torch.maximum propagates NaN; its backward masks self's gradient where self < other
  // (and halves it where self == other): a NaN takes the whole gradient (and so does the other side).
  'maximum 0': { fn: (x) => x.maximum(0), f: [N, I, 0], df: [1, 1, 0] },
  'minimum 0': { fn: (x) => x.minimum(0), f: [N, 0, -I], df: [1, 0, 1] },
};

// --- every built-in activation, default parameters ----------------------------------------
// PyTorch's: f propagates NaN, and the piecewise ones pass the gradient at NaN through the
// branch their backward's comparison falls to (threshold_backward: y ≤ 0 ? 0 : g; hardtanh,
// elu, hardswish and leaky_relu likewise): relu'(NaN) = 1, leaky_relu'(NaN) = slope,
// hardsigmoid'(NaN) = 0. Smooth ones give NaN, and ∞·0 = NaN where the formula multiplies a
// saturated factor by x (silu, gelu, mish at −∞; their backward at ±∞).
const BSPLINE_H = (BSPLINE_HI - BSPLINE_LO) / (BSPLINE_POINTS - 3);
const bsplinePoints = (gs.activations.get('bspline').params![0].default as readonly number[]);
const ACTIVATIONS: Record<string, { f: Triple; df: Triple }> = {
  identity: { f: [N, I, -I], df: [1, 1, 1] },
  // torch.heaviside(x, 0): heaviside(NaN) = 0 (its kernel: x == 0 ? v : x > 0); step' = 0.
  step: { f: [0, 1, 0], df: [0, 0, 0] },
  sigmoid: { f: [N, 1, 0], df: [N, 0, 0] },
  tanh: { f: [N, 1, -1], df: [N, 0, 0] },
  // x / (1 + |x|) = ∞/∞ at ±∞, as F.softsign.
  softsign: { f: [N, N, N], df: [N, N, N] },
  relu: { f: [N, I, 0], df: [1, 1, 0] },
  relu6: { f: [N, 6, 0], df: [1, 0, 0] },
  leaky_relu: { f: [N, I, -I], df: [0.01, 1, 0.01] },
  // elu_backward on the input: x ≤ 0 ? g·α·eˣ : g, so NaN takes the g branch.
  elu: { f: [N, I, -1], df: [1, 1, 0] },
  selu: { f: [N, I, -SELU_SCALE * SELU_ALPHA], df: [SELU_SCALE, SELU_SCALE, 0] },
  celu: { f: [N, I, -1], df: [1, 1, 0] },
  gelu: { f: [N, I, N], df: [N, N, N] },
  gelu_tanh: { f: [N, I, N], df: [N, N, N] },
  silu: { f: [N, I, N], df: [N, N, N] },
  mish: { f: [N, I, N], df: [N, N, N] },
  hardswish: { f: [N, I, N], df: [1, 1, 0] },
  hardsigmoid: { f: [N, 1, 0], df: [0, 0, 0] },
  softplus: { f: [N, I, 0], df: [N, 1, 0] },
  prelu: { f: [N, I, -I], df: [0.25, 1, 0.25] },
  // F.rrelu(training=False): leaky_relu with the mean slope (1/8 + 1/3)/2.
  rrelu: { f: [N, I, -I], df: [11 / 48, 1, 11 / 48] },
  // Not in PyTorch: the formula evaluated as written, NaN in → NaN out.
  swish: { f: [N, I, N], df: [N, 1, 0] },
  swish_trainable: { f: [N, I, N], df: [N, 1, 0] },
  telu: { f: [N, I, N], df: [N, N, N] },
  trainable_elu: { f: [N, I, -1], df: [1, 1, 0] },
  adaptive_sigmoid: { f: [N, 1, 0], df: [N, 0, 0] },
  staf: { f: [N, N, N], df: [N, N, N] },
  rational: { f: [N, N, N], df: [N, N, N] },
  // Outside the grid the tangent line: its value is ∞ − ∞ there, its slope finite.
  bspline: {
    f: [N, N, N],
    df: [N, (bsplinePoints[BSPLINE_POINTS - 1] - bsplinePoints[BSPLINE_POINTS - 3]) / (2 * BSPLINE_H), (bsplinePoints[2] - bsplinePoints[0]) / (2 * BSPLINE_H)],
  },
};

const instance = (name: string) => (gs.activation(name) as Activation).instance;

// --- comparing -----------------------------------------------------------------------------
/** JSON with NaN and ±Infinity spelled out (JSON.stringify writes them as null). */
const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));

/** Both NaN, the same infinity, or finite and within tol (relative, absolute floor 1); 0 equals −0. */
function agree(actual: number, expected: number, tol: number): boolean {
  if (Number.isNaN(actual) || Number.isNaN(expected)) return Number.isNaN(actual) && Number.isNaN(expected);
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
}

function expectAgree(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  const a = Array.from(actual);
  const e = Array.from(expected);
  const bad = a.map((v, i) => i).filter((i) => !agree(a[i], e[i], tol));
  expect(bad.length === 0 && a.length === e.length, `${what}: got [${a.join(', ')}], expected [${e.join(', ')}]`).toBe(true);
}

/** f(x) and dL/dx for L = Σ f(x), on the current backend. */
async function valueAndGrad(fn: (x: Tensor) => Tensor, values: number[], shape = [values.length]): Promise<{ y: number[]; dx: number[] }> {
  const x = gs.tensor(values, { shape, requiresGrad: true });
  const y = gs.tidy(() => {
    const y = fn(x);
    y.sum().backward();
    return y;
  });
  const out = { y: Array.from(await y.data()), dx: Array.from(await x.grad!.data()) };
  gs.dispose(x, x.grad, y);
  return out;
}

// --- 1. the tables, on each backend ----------------------------------------------------------
describeBackends('NaN and ±∞ as PyTorch', () => {
  it('every unary op: f and its gradient at NaN, +∞, −∞', async () => {
    for (const [name, row] of Object.entries(UNARY)) {
      const { y, dx } = await valueAndGrad(row.fn, SPECIALS);
      expectAgree(y, row.f, `${name} f`);
      expectAgree(dx, row.df, `${name} gradient`);
    }
  });

  const names = gs.activations.names().filter((n) => gs.activations.get(n).kind !== 'output');
  it('the table lists every built-in activation', () => {
    expect(names.filter((n) => !(n in ACTIVATIONS))).toEqual([]);
  });
  // One test per activation: each compiles its own kernels (slow on SwiftShader).
  for (const name of names) {
    it(`${name}, elementwise and fused into linear: f and its gradient at NaN, +∞, −∞`, async () => {
      const row = ACTIVATIONS[name];
      const elementwise = await valueAndGrad((x) => gs.applyActivation(x, instance(name)), SPECIALS);
      expectAgree(elementwise.y, row.f, `${name} f`);
      expectAgree(elementwise.dx, row.df, `${name} f'`);
      // linear with one input and one output, w = 1, b = 0: z = x exactly, so the fused
      // epilogue and the fused backward see the special values themselves.
      const fused = await valueAndGrad((x) => gs.linear(x, gs.tensor([[1]]), gs.tensor([0]), instance(name)), SPECIALS, [3, 1]);
      expectAgree(fused.y, row.f, `linear + ${name} f`);
      expectAgree(fused.dx, row.df, `linear + ${name} f'`);
    });
  }

  it('sum, mean, max, min propagate NaN; max and min pick infinities; gradients as torch.amax', async () => {
    // torch.amax's backward splits g among the entries equal to the result: none equals a
    // NaN result, so g/0·0 = NaN everywhere in that row (and a tie of infinities splits).
    const cases: [string, (x: Tensor) => Tensor, number[], number[], number[]][] = [
      ['sum', (x) => x.sum(), [1, N, 3], [N], [1, 1, 1]],
      ['sum', (x) => x.sum(), [I, -I, 2], [N], [1, 1, 1]],
      ['mean', (x) => x.mean(), [1, N, 3], [N], [1 / 3, 1 / 3, 1 / 3]],
      ['mean', (x) => x.mean(), [1, I, 3], [I], [1 / 3, 1 / 3, 1 / 3]],
      ['max', (x) => x.max(), [1, N, 3], [N], [N, N, N]],
      ['max', (x) => x.max(), [1, I, 3], [I], [0, 1, 0]],
      ['max', (x) => x.max(), [1, -I, 3], [3], [0, 0, 1]],
      ['max', (x) => x.max(), [I, I, 1], [I], [0.5, 0.5, 0]],
      ['min', (x) => x.min(), [1, N, 3], [N], [N, N, N]],
      ['min', (x) => x.min(), [1, -I, 3], [-I], [0, 1, 0]],
      ['max axis 1', (x) => x.reshape([2, 3]).max(1), [1, N, 5, 2, 3, 4], [N, 4], [N, N, N, 0, 0, 1]],
      ['min axis 0', (x) => x.reshape([2, 3]).min(0), [1, N, -I, 2, 3, 4], [1, N, -I], [1, N, 1, 0, N, 0]],
    ];
    for (const [name, fn, values, f, df] of cases) {
      const { y, dx } = await valueAndGrad(fn, values);
      expectAgree(y, f, `${name} of [${values}]`);
      expectAgree(dx, df, `${name} of [${values}] gradient`);
    }
  });

  it('softmax and logSoftmax: a NaN or +∞ in a row makes the row NaN; −∞ gives 0 (−∞ in log space)', async () => {
    const rows: [number[], number[], number[]][] = [
      [[2, 1, N], [N, N, N], [N, N, N]],
      [[I, 1, 2], [N, N, N], [N, N, N]],
      [[N, 1, 5], [N, N, N], [N, N, N]],
      [[-I, -I, -I], [N, N, N], [N, N, N]],
      [[-I, 1, 2], [0, 0.2689414213699951, 0.7310585786300049], [-I, -1.3132616875182228, -0.3132616875182228]],
    ];
    for (const [row, soft, logSoft] of rows) {
      const s = await valueAndGrad((x) => x.softmax(-1), row, [1, 3]);
      expectAgree(s.y, soft, `softmax([${row}])`);
      const l = await valueAndGrad((x) => x.logSoftmax(-1), row, [1, 3]);
      expectAgree(l.y, logSoft, `logSoftmax([${row}])`);
      if (soft.some(Number.isNaN)) {
        expectAgree(s.dx, [N, N, N], `softmax([${row}]) gradient`);
        expectAgree(l.dx, [N, N, N], `logSoftmax([${row}]) gradient`);
      } else {
        // Σ softmax = 1: its gradient under L = Σ y is 0; log-softmax's is 1 − 3·softmax.
        expectAgree(s.dx, [0, 0, 0], `softmax([${row}]) gradient`);
        expectAgree(l.dx, soft.map((p) => 1 - 3 * p), `logSoftmax([${row}]) gradient`);
      }
    }
  });

  it('argmax picks the first NaN, as torch.argmax (NaN counts as the largest value)', async () => {
    const x = gs.tensor([[1, N, 5], [N, 1, 5], [1, I, I], [-I, -I, -I], [1, N, N], [2, I, N], [3, -I, 1]]);
    expect(Array.from(await x.argmax(-1).data())).toEqual([1, 0, 1, 0, 1, 2, 0]);
    expect(Array.from(await x.transpose().argmax(0).data())).toEqual([1, 0, 1, 0, 1, 2, 0]);
  });

  it('crossEntropy: NaN or +∞ logits give NaN; −∞ on the label gives +∞; −∞ elsewhere is a zero probability', async () => {
    const cases: [number[], number, number, number, number[]][] = [
      // logits, label, label smoothing, loss, gradient
      [[2, 1, N], 0, 0, N, [N, N, N]],
      [[I, 1, 2], 0, 0, N, [N, N, N]],
      [[-I, -I, -I], 1, 0, N, [N, N, N]],
      [[-I, 1, 2], 0, 0, I, [-1, 0.2689414213699951, 0.7310585786300049]],
      // No smoothing: the −∞ logit only enters as p = 0 (PyTorch's nll_loss reads the label's log p alone).
      [[1, -I, 2], 0, 0, 1.3132616875182228, [-0.7310585786300049, 0, 0.7310585786300049]],
      // Smoothing averages every log p, and log p = −∞ there.
      [[1, -I, 2], 0, 0.1, I, [0.2689414213699951 - 0.9 - 0.1 / 3, -0.1 / 3, 0.7310585786300049 - 0.1 / 3]],
    ];
    for (const [logits, label, labelSmoothing, loss, grad] of cases) {
      const { y, dx } = await valueAndGrad((x) => gs.losses.crossEntropy(x, [label], { labelSmoothing }), logits, [1, 3]);
      expectAgree(y, [loss], `crossEntropy([${logits}], ${label}, smoothing ${labelSmoothing})`);
      expectAgree(dx, grad, `crossEntropy([${logits}], ${label}, smoothing ${labelSmoothing}) gradient`);
    }
  });

  it('matmul: NaN and ∞ flow through the products (∞·0 = NaN)', async () => {
    const a = gs.tensor([[1, N], [I, 2]], { requiresGrad: true });
    const b = gs.tensor([[0, 1], [1, 0]], { requiresGrad: true });
    const y = a.matmul(b);
    y.sum().backward();
    expectAgree(await y.data(), [N, N, N, I], 'matmul');
    expectAgree(await a.grad!.data(), [1, 1, 1, 1], 'matmul dA');
    expectAgree(await b.grad!.data(), [I, I, N, N], 'matmul dB');
    gs.dispose(a, b, y, a.grad, b.grad);
  });

  it('mse and bceWithLogits at NaN and ±∞ logits', async () => {
    const cases: [string, number, number, number, number][] = [
      // loss, logit, target, value, gradient (F.mse_loss, F.binary_cross_entropy_with_logits)
      ['mse', N, 0, N, N],
      ['mse', I, 1, I, I],
      ['mse', -I, 0, I, -I],
      ['bce', N, 0, N, N],
      ['bce', I, 1, N, 0],
      ['bce', -I, 0, N, 0],
      // Not here: (+∞, 0) and (−∞, 1). The true loss is +∞ for both; PyTorch's formula
      // (1 − y)·x + m + log(e^−m + e^(−x−m)) gives +∞ and NaN, the stable form used here,
      // max(x, 0) − x·y + log(1 + e^−|x|), gives NaN and +∞ (∞·0 in x·y, resp. (1 − y)·x).
    ];
    for (const [loss, logit, target, value, grad] of cases) {
      const t = gs.tensor([target]);
      const fn = loss === 'mse' ? (x: Tensor) => gs.losses.mse(x, t) : (x: Tensor) => gs.losses.bceWithLogits(x, t);
      const { y, dx } = await valueAndGrad(fn, [logit]);
      expectAgree(y, [value], `${loss}(${logit}, ${target})`);
      expectAgree(dx, [grad], `${loss}(${logit}, ${target}) gradient`);
      t.dispose();
    }
  });

  it('SGD and Adam: an infinite parameter stays infinite without weight decay, a NaN one stays NaN', async () => {
    // torch.optim skips the decay term when weight_decay = 0 (no 0·∞ = NaN), and decoupled
    // decay scales ∞ to ∞.
    const optimizers: [string, (p: Tensor[]) => { step(): void }][] = [
      ['SGD', (p) => new gs.optim.SGD(p, { lr: 0.1 })],
      ['SGD momentum', (p) => new gs.optim.SGD(p, { lr: 0.1, momentum: 0.9 })],
      ['Adam', (p) => new gs.optim.Adam(p, { lr: 0.1 })],
      ['AdamW', (p) => new gs.optim.Adam(p, { lr: 0.1, weightDecay: 0.01, decoupledWeightDecay: true })],
    ];
    for (const [name, make] of optimizers) {
      const p = gs.tensor([I, -I, N, 1], { requiresGrad: true });
      const opt = make([p]);
      gs.tidy(() => p.mul(gs.tensor([1, 1, 1, 1])).sum().backward());
      opt.step();
      const after = Array.from(await p.data());
      expectAgree(after.slice(0, 3), [I, -I, N], `${name} step of [∞, −∞, NaN]`);
      expect(Number.isFinite(after[3]), `${name}: the finite parameter stays finite`).toBe(true);
      gs.dispose(p, p.grad);
    }
  });
});

// --- 2. the property: both backends agree, on every op and activation -------------------------
const SEED = Number(process.env.GS_PROPERTY_SEED ?? 20261124);
const FINITE = [-2.5, -1.25, -1, -0.5, 0, 0.25, 0.5, 1, 1.5, 2.5];
/** A value: NaN, ±∞ or a plain finite one, each special about as likely as a finite. */
const valueArb = fc.oneof(fc.constantFrom(...SPECIALS), fc.constantFrom(...FINITE));

interface Evaluated {
  out: number[];
  /** Gradients of the inputs, then of the activation's parameters. */
  grads: number[][];
}

/** Forward and backward of L = Σ y·w (w: fixed positive weights) on one backend. */
async function evaluate(backend: Backend, shapes: number[][], values: number[][], fn: (...xs: Tensor[]) => { y: Tensor; params: readonly Tensor[] }): Promise<Evaluated> {
  const made = gs.withBackend(backend, () => {
    const xs = values.map((v, i) => gs.tensor(v, { shape: shapes[i], requiresGrad: true }));
    const { y, params } = fn(...xs);
    gs.tidy(() => y.mul(gs.tensor(projectionWeights(y.size), { shape: [...y.shape] })).sum().backward());
    return { xs, y, params };
  });
  const read = async (t: Tensor | null | undefined, size: number) => (t ? Array.from(await t.data()) : new Array<number>(size).fill(0));
  const out = await read(made.y, made.y.size);
  const grads = [];
  for (const t of [...made.xs, ...made.params]) grads.push(await read(t.grad, t.size));
  for (const t of [...made.xs, ...made.params]) gs.dispose(t.grad, t);
  made.y.dispose();
  return { out, grads };
}

function expectBackendsAgree(cpu: Evaluated, gpu: Evaluated, what: string, tol: number): void {
  expectAgree(gpu.out, cpu.out, `${what}: forward, webgpu against cpu`, tol);
  gpu.grads.forEach((g, i) => expectAgree(g, cpu.grads[i], `${what}: gradient ${i}, webgpu against cpu`, tol));
}

/** At each special input of an elementwise op: the table's f, and the table's f′ times the weight. */
function expectTable(result: Evaluated, values: number[], row: { f: Triple; df: Triple }, what: string, tol: number): void {
  const w = projectionWeights(values.length);
  values.forEach((v, i) => {
    const k = SPECIALS.findIndex((s) => Object.is(s, v));
    if (k < 0) return;
    expectAgree([result.out[i]], [row.f[k]], `${what} at x = ${v} (element ${i})`, tol);
    expectAgree([result.grads[0][i]], [row.df[k] * w[i]], `${what} gradient at x = ${v} (element ${i})`, tol);
  });
}

function settings(runs: number): fc.Parameters<unknown> {
  return {
    seed: SEED,
    numRuns: runs,
    reporter: (details) => {
      if (details.failed) {
        const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\ncause: ${cause}`);
      }
    },
  } as fc.Parameters<unknown>;
}

describe('NaN and ±∞: the CPU and WebGPU agree on every op and activation, forward and backward', () => {
  let gpu: Backend;
  const cpu = cpuBackend();
  beforeAll(async () => {
    await gs.setBackend('webgpu');
    gpu = gs.getBackend();
    await gs.setBackend('cpu');
  });

  /** Specials put into a case's usual finite inputs at random places. */
  const withSpecials = (c: OpCase) =>
    fc.tuple(fc.integer({ min: 1, max: 1000 }), ...c.shapes.map((s) => fc.array(fc.option(valueArb, { freq: 2 }), { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) })))
      .map(([seed, ...masks]) => caseValues(c, seed).map((v, i) => v.map((x, j) => masks[i][j] ?? x)));

  // Every op of the catalogue (elementwise, broadcasting, reductions, softmax, matmul,
  // linear, losses), one test per op name.
  const byOp = new Map<string, OpCase[]>();
  for (const c of OP_CASES) {
    const op = c.name.split(' ')[0];
    byOp.set(op, [...(byOp.get(op) ?? []), c]);
  }
  for (const [op, cases] of byOp) {
    it(`${op} (${cases.length} case${cases.length > 1 ? 's' : ''} of the op catalogue)`, async () => {
      for (const c of cases) {
        await fc.assert(
          fc.asyncProperty(withSpecials(c), async (values) => {
            const fn = (...xs: Tensor[]) => ({ y: c.fn(...xs), params: [] });
            const [a, b] = [await evaluate(cpu, c.shapes, values, fn), await evaluate(gpu, c.shapes, values, fn)];
            expectBackendsAgree(a, b, `${c.name} on ${show(values)}`, 1e-4);
          }),
          settings(3),
        );
      }
    });
  }

  it('every unary op: the backends agree, and give the table at each special input', async () => {
    for (const [name, row] of Object.entries(UNARY)) {
      const arb = fc.integer({ min: 1, max: 12 }).chain((n) => fc.array(valueArb, { minLength: n, maxLength: n }));
      await fc.assert(
        fc.asyncProperty(arb, async (values) => {
          const fn = (x: Tensor) => ({ y: row.fn(x), params: [] });
          const [a, b] = [await evaluate(cpu, [[values.length]], [values], fn), await evaluate(gpu, [[values.length]], [values], fn)];
          expectBackendsAgree(a, b, `${name} on [${values}]`, 1e-4);
          expectTable(a, values, row, `${name} [cpu]`, 1e-4);
          expectTable(b, values, row, `${name} [webgpu]`, 1e-4);
        }),
        settings(4),
      );
    }
  });

  // One test per activation: each compiles its own kernels (slow on SwiftShader).
  for (const name of gs.activations.names().filter((n) => gs.activations.get(n).kind !== 'output')) {
    it(`${name}, elementwise and in the fused linear kernel (parameter gradients included)`, async () => {
      // [rows, inputs, outputs]: x [m, k], w [n, k] with specials in both, bias with specials.
      const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([m, k, n]) =>
        fc.tuple(fc.constant([m, k, n]), fc.array(valueArb, { minLength: m * k, maxLength: m * k }), fc.array(valueArb, { minLength: n * k, maxLength: n * k }), fc.array(valueArb, { minLength: n, maxLength: n })),
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([[m, k, n], x, w, b]) => {
          const elementwise = (t: Tensor) => {
            const act = instance(name);
            return { y: gs.applyActivation(t, act), params: act.params };
          };
          const [ea, eb] = [await evaluate(cpu, [[m, k]], [x], elementwise), await evaluate(gpu, [[m, k]], [x], elementwise)];
          expectBackendsAgree(ea, eb, `${name} on [${x}]`, 1e-3);
          expectTable(ea, x, ACTIVATIONS[name], `${name} [cpu]`, 1e-3);
          expectTable(eb, x, ACTIVATIONS[name], `${name} [webgpu]`, 1e-3);
          const fused = (tx: Tensor, tw: Tensor, tb: Tensor) => {
            const act = instance(name);
            return { y: gs.linear(tx, tw, tb, act), params: act.params };
          };
          const shapes = [[m, k], [n, k], [n]];
          const [fa, fb] = [await evaluate(cpu, shapes, [x, w, b], fused), await evaluate(gpu, shapes, [x, w, b], fused)];
          expectBackendsAgree(fa, fb, `linear + ${name} on x [${x}], w [${w}], b [${b}]`, 1e-3);
        }),
        settings(3),
      );
    });
  }

  it('argmax over random rows with NaN and ±∞', async () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })).chain(([r, c]) =>
      fc.tuple(fc.constant([r, c]), fc.array(valueArb, { minLength: r * c, maxLength: r * c })),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([[r, c], values]) => {
        const read = async (backend: Backend) => {
          const t = gs.withBackend(backend, () => gs.tensor(values, { shape: [r, c] }));
          const out = Array.from(await t.argmax(-1).data());
          t.dispose();
          return out;
        };
        // torch.argmax: the first NaN if the row has one, else the first largest value.
        const expected = Array.from({ length: r }, (_, i) => {
          const row = values.slice(i * c, (i + 1) * c);
          const nan = row.findIndex(Number.isNaN);
          return nan >= 0 ? nan : row.indexOf(Math.max(...row));
        });
        expect(await read(cpu), `cpu argmax of ${show(values)}`).toEqual(expected);
        expect(await read(gpu), `webgpu argmax of ${show(values)}`).toEqual(expected);
      }),
      settings(30),
    );
  });
});
