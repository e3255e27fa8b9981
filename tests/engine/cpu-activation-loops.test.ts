// The float32 CPU backend runs activations through loops generated once per spec
// (engine/backends/cpu-activations.ts), with the specs' fast forms (STAF's polynomial
// sine, every parameter's gradient in one pass). They must give the reference's numbers
// within float32 rounding: here every built-in, sized ones and user specs (a formula, a
// two-language spec with a vector parameter and no one-pass hook, PReLU per channel) are
// run through the backend's activation, backward (with the bias column sums) and fused
// linear on float32 and against the float64 backend, which runs the spec's reference
// functions f, df and dparams as written. With NaN and ±∞ among the inputs, both must
// give NaN or the same infinity at the same places.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import type { ActivationSpec } from '../../engine/activation-spec';
import type { ActivationKernelArgs, Backend, Storage } from '../../engine/backend';
import { CpuBackend } from '../../engine/backends/cpu';
import { backwardLoop, forwardLoop } from '../../engine/backends/cpu-activations';
import type { Activation } from '../../nn/activation';
import { Random } from '../../engine/random';

const f32 = new CpuBackend(Float32Array);
const f64 = new CpuBackend(Float64Array);
const CHANNELS = 4;

/** A two-language user spec with a vector parameter and no cpu.backward: the generated loop's per-index path. */
const cubic: ActivationSpec = {
  name: 'test_cubic',
  formula: 'a₀x + a₁x² + a₂x³',
  range: [-3, 3],
  params: [{ name: 'a', default: [1, 0.2, -0.05], trainable: true }],
  cpu: {
    f: (x, p) => p.a[0] * x + p.a[1] * x * x + p.a[2] * x * x * x,
    df: (x, _y, p) => p.a[0] + 2 * p.a[1] * x + 3 * p.a[2] * x * x,
    dparams: { a: (x, _y, _p, _ch, i) => x ** (i + 1) },
  },
  wgsl: {
    f: 'return p_a(0u) * x + p_a(1u) * x * x + p_a(2u) * x * x * x;',
    df: 'return p_a(0u) + 2.0 * p_a(1u) * x + 3.0 * p_a(2u) * x * x;',
    dparams: { a: 'var r = x; for (var k = 0u; k < i; k++) { r *= x; } return r;' },
  },
};

const staf = gs.activations.get('staf');
const stafWithoutSimd: ActivationSpec = { ...staf, name: 'staf_without_simd', cpu: { ...staf.cpu, simd: undefined } };

/** The activations under test: every elementwise built-in with its defaults, then sized and user ones. */
function cases(): { label: string; module: Activation }[] {
  const builtins = gs.activations.elementwiseNames().map((name) => ({ label: name, module: gs.activation(name) as Activation }));
  const squareplus = gs.activations.fromExpression({ name: 'test_squareplus', f: '(x + sqrt(x*x + b)) / 2', params: [{ name: 'b', default: 4, trainable: true }] });
  return [
    ...builtins,
    { label: "staf(25, 'normal')", module: gs.activation('staf', { terms: 25, init: 'normal', seed: 7 }) as Activation },
    // Where the engine has no WebAssembly SIMD, STAF runs its per-element forms (polynomial sine, one-pass backward).
    { label: "staf(25, 'normal') without SIMD", module: gs.activation(stafWithoutSimd, { terms: 25, init: 'normal', seed: 7 }) as Activation },
    { label: 'rational(3, 2)', module: gs.activation('rational', { numerator: [0.1, 0.9, 0.3, -0.05], denominator: [0.4, -0.7] }) as Activation },
    { label: 'bspline(20 on [-5, 5])', module: gs.activation('bspline', { control_points: 20, lo: -5, hi: 5 }) as Activation },
    { label: 'prelu per channel', module: gs.activation('prelu', { channels: CHANNELS, weight: [0.1, -0.2, 0.3, 0.45] }) as Activation },
    { label: 'user formula (squareplus, b trainable)', module: gs.activation(squareplus) as Activation },
    { label: 'user two-language spec (vector parameter)', module: gs.activation(cubic) as Activation },
  ];
}

/** Both NaN, the same infinity, or within tol of the reference (relative, absolute floor 1); 0 equals −0. */
function agree(actual: number, expected: number, tol: number): boolean {
  if (Number.isNaN(actual) || Number.isNaN(expected)) return Number.isNaN(actual) && Number.isNaN(expected);
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
}

function expectAgree(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, inputs?: ArrayLike<number>): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const at = inputs ? ` at x = ${inputs[i % inputs.length]}` : '';
    expect(agree(actual[i], expected[i], tol), `${what}[${i}]${at}: float32 loops ${actual[i]}, float64 reference ${expected[i]}`).toBe(true);
  }
}

/** The module's activation on one backend: its spec, layout and parameter values uploaded there. */
function argsOn(backend: Backend, module: Activation): ActivationKernelArgs {
  const values = (module as unknown as { initialValues: Record<string, number[]> }).initialValues;
  return { spec: module.spec, layout: module.layout, params: module.layout.map((l) => backend.upload(values[l.name].map(Math.fround))) };
}

const read = (s: Storage | null) => (s ? Array.from(s as Float32Array | Float64Array) : []);

/** Forward, backward (with column sums) and the fused linear on one backend. */
function runOn(backend: Backend, module: Activation, xs: number[], dys: number[], weights: number[], inputs: number[]) {
  const act = argsOn(backend, module);
  const size = xs.length;
  const x = backend.upload(xs);
  const y = backend.activation(act, x, size, CHANNELS);
  const usesOutput = act.spec.derivativeUses === 'output';
  const back = backend.activationBackward(act, usesOutput ? null : x, usesOutput ? y : null, backend.upload(dys), size, CHANNELS, true);
  // The fused layer: Y = act(X·Wᵀ + b), X [rows, k], W [CHANNELS, k].
  const k = inputs.length / (size / CHANNELS);
  const w = backend.upload(weights);
  const bias = backend.upload([0.5, -0.25, 0, 1]);
  const kept = backend.linear(backend.upload(inputs), w, bias, act, size / CHANNELS, k, CHANNELS, true);
  const fresh = backend.linear(backend.upload(inputs), w, bias, act, size / CHANNELS, k, CHANNELS, false);
  return {
    y: read(y),
    dx: read(back.dx),
    dparams: back.dparams.map(read),
    columnSums: read(back.columnSums),
    linearY: read(kept.y),
    linearZ: read(kept.z),
    linearYWithoutZ: read(fresh.y),
  };
}

const random = new Random(12);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * random.uniform();

/** x over the spec's range (and beyond), shaped [rows, CHANNELS]; specials replace some when asked. */
function inputsFor(spec: ActivationSpec, withSpecials: boolean): number[] {
  const [lo, hi] = spec.range;
  const xs = Array.from({ length: 64 }, (_, i) => Math.fround(lo - 1 + ((hi - lo + 2) * (i + 0.37)) / 64));
  xs[5] = 0;
  xs[6] = -0;
  xs[7] = 40;
  xs[8] = -40;
  if (withSpecials) [NaN, Infinity, -Infinity, 1e4, -1e4].forEach((v, i) => (xs[10 + 11 * i] = v));
  return xs;
}

describe('float32 CPU activation loops against the float64 reference', () => {
  for (const { label, module } of cases()) {
    it(`${label}: forward, backward, parameter gradients, bias sums and the fused linear (finite inputs, then NaN and ±∞)`, () => {
      const spec = module.spec;
      for (const withSpecials of [false, true]) {
        const xs = inputsFor(spec, withSpecials);
        const dys = xs.map((_, i) => (i === 3 ? 0 : Math.fround(uniform(-1, 1))));
        const rows = xs.length / CHANNELS;
        const inputs = Array.from({ length: rows * 3 }, (_, i) => (withSpecials && i === 7 ? NaN : Math.fround(uniform(-2, 2))));
        const weights = Array.from({ length: CHANNELS * 3 }, () => Math.fround(uniform(-1.5, 1.5)));
        const fast = runOn(f32, module, xs, dys, weights, inputs);
        const ref = runOn(f64, module, xs, dys, weights, inputs);
        const when = withSpecials ? ' (NaN, ±∞ among the inputs)' : '';
        expectAgree(`${label} f${when}`, fast.y, ref.y, 2e-6, xs);
        expectAgree(`${label} dy·f'${when}`, fast.dx, ref.dx, 2e-6, xs);
        fast.dparams.forEach((g, i) => expectAgree(`${label} ∂L/∂${module.layout[i].name}${when}`, g, ref.dparams[i], 1e-5));
        expectAgree(`${label} column sums${when}`, fast.columnSums, ref.columnSums, 1e-5);
        expectAgree(`${label} linear y${when}`, fast.linearY, ref.linearY, 2e-6);
        expectAgree(`${label} linear z${when}`, fast.linearZ, ref.linearZ, 2e-6);
        expectAgree(`${label} linear y without z${when}`, fast.linearYWithoutZ, ref.linearY, 2e-6);
      }
    });
  }

  // The kernels take the terms in passes of 5, 2 and 1 (backward) and the element groups
  // in passes of 4, 2 and 1 (forward): 25, 8 and 3 terms and 1 to 258 groups reach every kind of pass.
  it.each([25, 8, 3])('STAF(%i) through WebAssembly SIMD: sizes that are not a multiple of 4, and more than one block of 256 elements', (terms) => {
    const module = gs.activation('staf', { terms, init: 'normal', seed: 3 }) as Activation;
    for (const size of [1, 7, 11, 255, 257, 1031]) {
      const xs = Array.from({ length: size }, () => Math.fround(uniform(-6, 6)));
      const dys = Array.from({ length: size }, () => Math.fround(uniform(-1, 1)));
      const out = [f32, f64].map((backend) => {
        const act = argsOn(backend, module);
        const x = backend.upload(xs);
        const back = backend.activationBackward(act, x, null, backend.upload(dys), size, 1, true);
        return { y: read(backend.activation(act, x, size, 1)), dx: read(back.dx), dparams: back.dparams.map(read), sums: read(back.columnSums) };
      });
      expectAgree(`staf f, ${size} elements`, out[0].y, out[1].y, 2e-6, xs);
      expectAgree(`staf dy·f', ${size} elements`, out[0].dx, out[1].dx, 2e-6, xs);
      out[0].dparams.forEach((g, i) => expectAgree(`staf ∂L/∂${module.layout[i].name}, ${size} elements`, g, out[1].dparams[i], 1e-5));
      expectAgree(`staf Σ dx, ${size} elements`, out[0].sums, out[1].sums, 1e-5);
    }
  });

  it('each spec gets its own loops, generated once and named after it', () => {
    const relu = gs.activations.get('relu');
    const elu = gs.activations.get('elu');
    expect(forwardLoop(relu)).toBe(forwardLoop(relu));
    expect(forwardLoop(relu)).not.toBe(forwardLoop(elu));
    expect(forwardLoop(elu).name).toBe('elu_forward');
    const rational = gs.activations.get('rational');
    const layout = (gs.activation('rational') as Activation).layout;
    expect(backwardLoop(rational, layout, true, false, true)).toBe(backwardLoop(rational, layout, true, false, true));
    expect(backwardLoop(rational, layout, true, false, true).name).toBe('rational_backward');
  });
});
