// Activations sized at construction (issue 17, item 2): STAF's terms and init, rational's
// degrees, B-spline's control points and knot range; a parameter array of any length sets
// the size. On both backends the values, f' and the parameter gradients match float64
// references written here, and on WebGPU one pipeline serves every size (the WGSL reads
// the lengths from the parameter buffers).
import { expect, it } from 'vitest';
import * as gs from '../../index';
import type { Activation } from '../../nn/activation';
import { Random } from '../../engine/random';
import { getBackend } from '../../engine/backend-registry';
import { describeBackends } from '../helpers/backends';

const XS = [-3.7, -2.2, -1, -0.31, 0, 0.4, 1.3, 2.05, 3.9, 5.5, -6.1];
const WEIGHTS = XS.map((_, i) => 0.5 + ((i * 7) % 5) / 4);

/** y, dL/dx and every trainable parameter's dL/dθ for L = Σ w·f(x), on the current backend. */
async function run(module: gs.nn.Module, xs = XS, weights = WEIGHTS) {
  const x = gs.tensor(xs, { requiresGrad: true });
  const y = module.forward(x);
  y.mul(gs.tensor(weights)).sum().backward();
  const grads = await Promise.all(module.parameters().map(async (p) => Array.from(await p.grad!.toArray())));
  return { y: Array.from(await y.toArray()), dx: Array.from(await x.grad!.toArray()), grads };
}

function values(module: gs.nn.Module, name: string): number[] {
  const a = module as Activation;
  const i = a.layout.findIndex((l) => l.name === name);
  return (a as unknown as { initialValues: Record<string, number[]> }).initialValues[a.layout[i].name];
}

function expectClose(got: number[], want: number[], tol: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  got.forEach((g, i) => {
    const err = Math.abs(g - want[i]) / Math.max(1, Math.abs(want[i]));
    expect(err, `${what}[${i}] = ${g}, expected ${want[i]}`).toBeLessThanOrEqual(tol);
  });
}

/** STAF in float64 at the float32 inputs: f, f', and Σ w·∂f/∂θ for C, Ω, Φ. */
function stafReference(C: number[], W: number[], P: number[], xs: number[], ws: number[]) {
  const x32 = xs.map(Math.fround);
  const c = C.map(Math.fround);
  const w = W.map(Math.fround);
  const p = P.map(Math.fround);
  const f = x32.map((x) => c.reduce((s, ci, i) => s + ci * Math.sin(w[i] * x + p[i]), 0));
  const df = x32.map((x, e) => ws[e] * c.reduce((s, ci, i) => s + ci * w[i] * Math.cos(w[i] * x + p[i]), 0));
  const sum = (term: (x: number, i: number) => number) => c.map((_, i) => x32.reduce((s, x, e) => s + ws[e] * term(x, i), 0));
  return {
    f,
    df,
    dC: sum((x, i) => Math.sin(w[i] * x + p[i])),
    dW: sum((x, i) => c[i] * x * Math.cos(w[i] * x + p[i])),
    dP: sum((x, i) => c[i] * Math.cos(w[i] * x + p[i])),
  };
}

it("staf: terms and init 'normal' draw C, Ω, Φ ~ N(0, 1) from the seed, in that order (the chapter's torch.randn)", () => {
  const m = gs.activation('staf', { terms: 25, init: 'normal', seed: 7 }) as Activation;
  expect(m.layout.map((l) => [l.name, l.length])).toEqual([['C', 25], ['Omega', 25], ['Phi', 25]]);
  expect(m.settings).toEqual({ terms: 25, init: 'normal' });
  const random = new Random(7);
  const draws = Array.from({ length: 75 }, () => random.normal());
  expect(values(m, 'C')).toEqual(draws.slice(0, 25));
  expect(values(m, 'Omega')).toEqual(draws.slice(25, 50));
  expect(values(m, 'Phi')).toEqual(draws.slice(50));
  expect(values(gs.activation('staf', { terms: 25, init: 'normal', seed: 7 }), 'C')).toEqual(values(m, 'C'));
  expect(values(gs.activation('staf', { terms: 25, init: 'normal', seed: 8 }), 'C')).not.toEqual(values(m, 'C'));
  expect(m.parameters().map((p) => p.size)).toEqual([25, 25, 25]);
});

it("staf: the default stays 5 Fourier terms; terms alone or a parameter array of any length sets τ (Fourier init)", () => {
  const fourier = (n: number) => ({
    C: Array.from({ length: n }, (_, k) => (2 * (k % 2 === 0 ? 1 : -1)) / (k + 1)),
    Omega: Array.from({ length: n }, (_, k) => k + 1),
    Phi: new Array<number>(n).fill(0),
  });
  const byDefault = gs.activation('staf');
  for (const name of ['C', 'Omega', 'Phi'] as const) expect(values(byDefault, name)).toEqual(fourier(5)[name]);
  expect((byDefault as Activation).settings).toEqual({ terms: 5, init: 'fourier' });
  const sized = gs.activation('staf', { terms: 25 });
  for (const name of ['C', 'Omega', 'Phi'] as const) expect(values(sized, name)).toEqual(fourier(25)[name]);
  const fromArray = gs.activation('staf', { C: [1, 2, 3, 4, 5, 6, 7] }) as Activation;
  expect(fromArray.settings.terms).toBe(7);
  expect(values(fromArray, 'C')).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(values(fromArray, 'Omega')).toEqual(fourier(7).Omega);
});

it('construction options: clear errors that name the values and the valid keys', () => {
  expect(() => gs.activation('staf', { tau: 25 })).toThrow("activation 'staf': unknown parameter 'tau' (valid: C, Omega, Phi, terms, init, seed)");
  expect(() => gs.activation('staf', { init: 'uniform' })).toThrow("option 'init' must be one of 'fourier', 'normal', got \"uniform\"");
  expect(() => gs.activation('staf', { terms: 0 })).toThrow("option 'terms' must be at least 1, got 0");
  expect(() => gs.activation('staf', { terms: 2.5 })).toThrow("option 'terms' must be an integer, got 2.5");
  expect(() => gs.activation('staf', { terms: 'many' })).toThrow("option 'terms' must be a number, got \"many\"");
  expect(() => gs.activation('staf', { terms: 5, C: [1, 2, 3, 4, 5, 6, 7] })).toThrow("parameter 'C' has 7 values, but terms = 5 needs 5");
  expect(() => gs.activation('staf', { C: [1, 2], Omega: [1, 2, 3] })).toThrow("parameter 'Omega' has 3 values, but terms = 2 needs 2");
  expect(() => gs.activation('staf', { C: 'normal' })).toThrow("parameter 'C' must be numbers");
  expect(() => gs.activation('rational', { numerator_degree: -1 })).toThrow("option 'numerator_degree' must be at least 0, got -1");
  expect(() => gs.activation('rational', { denominator: [] })).toThrow("parameter 'denominator' has 0 values: denominator_degree = 0 is below its minimum 1");
  expect(() => gs.activation('bspline', { control_points: 3 })).toThrow("option 'control_points' must be at least 4, got 3");
  expect(() => gs.activation('bspline', { lo: 2, hi: -2 })).toThrow("activation 'bspline': lo (2) must be below hi (-2)");
  // seed only where an init draws: elsewhere it is an unknown key, and the valid ones are named.
  expect(() => gs.activation('prelu', { seed: 1 })).toThrow("activation 'prelu': unknown parameter 'seed' (valid: weight, channels)");
  expect(() => gs.activation('relu', { terms: 3 })).toThrow("activation 'relu': unknown parameter 'terms' (valid: none)");
});

it('rational and bspline: degrees, control points and knot range size the parameters', () => {
  const r = gs.activation('rational', { numerator_degree: 3, denominator_degree: 2 }) as Activation;
  expect(r.layout.map((l) => [l.name, l.length])).toEqual([['numerator', 4], ['denominator', 2]]);
  // Other degrees start from the (5, 4) fit's coefficients, cut or padded with zeros.
  expect(values(r, 'numerator')).toEqual([0.02980301, 0.6183871, 2.32235061, 3.04927199]);
  const padded = gs.activation('rational', { numerator_degree: 7 }) as Activation;
  expect(values(padded, 'numerator').slice(6)).toEqual([0, 0]);
  expect((gs.activation('rational', { numerator: [0, 1], denominator: [0.5] }) as Activation).settings).toEqual({ numerator_degree: 1, denominator_degree: 1 });
  const b = gs.activation('bspline', { control_points: 20, lo: -5, hi: 5 }) as Activation;
  expect(b.layout.map((l) => [l.name, l.length])).toEqual([['points', 20], ['lo', 1], ['hi', 1]]);
  expect(b.parameters().map((p) => p.size)).toEqual([20]);
  // silu at the Greville abscissae of the new grid: lo + (m − 1)h, h = 10/17.
  const h = 10 / 17;
  expectClose(values(b, 'points'), Array.from({ length: 20 }, (_, m) => { const g = -5 + (m - 1) * h; return g / (1 + Math.exp(-g)); }), 1e-12, 'points');
});

describeBackends('sized activations', (backend) => {
  const tol = backend === 'cpu' ? 2e-6 : 5e-5;

  it("staf(25 terms, init 'normal'): f, f' and the gradients of C, Ω, Φ match float64", async () => {
    const m = gs.activation('staf', { terms: 25, init: 'normal', seed: 7 });
    const [C, W, P] = ['C', 'Omega', 'Phi'].map((n) => values(m, n));
    const got = await run(m);
    const want = stafReference(C, W, P, XS, WEIGHTS);
    // Σ|Cᵢ| scales the float32 rounding of 25 terms.
    const scale = C.reduce((s, c) => s + Math.abs(c), 0);
    expectClose(got.y, want.f, tol * scale, 'f');
    expectClose(got.dx, want.df, tol * scale * 4, "w·f'");
    expectClose(got.grads[0], want.dC, tol * 10, 'dC');
    expectClose(got.grads[1], want.dW, tol * scale * 10, 'dΩ');
    expectClose(got.grads[2], want.dP, tol * scale * 10, 'dΦ');
  });

  it('one pipeline serves every size: STAF with 5, 25 and 40 terms, rational (3, 2) and (5, 4)', async () => {
    const sizes = [5, 25, 40];
    let before = 0;
    for (const [i, terms] of sizes.entries()) {
      const m = gs.activation('staf', { terms, init: 'normal', seed: terms });
      const [C, W, P] = ['C', 'Omega', 'Phi'].map((n) => values(m, n));
      const got = await run(m);
      const want = stafReference(C, W, P, XS, WEIGHTS);
      expectClose(got.y, want.f, tol * C.reduce((s, c) => s + Math.abs(c), 0), `f, ${terms} terms`);
      const count = (getBackend() as { pipelineCount?: number }).pipelineCount;
      if (backend === 'webgpu') {
        if (i > 0) expect(count, `pipelines after ${terms} terms`).toBe(before);
        before = count!;
      }
    }
    const forms = gs.debug.wgsl('staf').map((l) => l.wgsl).join('\n');
    expect(forms).toContain('p_len_C()');
    expect(forms).not.toMatch(/\b5u\b/);
  });

  it('rational (3, 2): P/Q and its gradients with the given coefficients', async () => {
    const a = [0.1, 0.9, 0.3, -0.05];
    const bCoef = [0.4, -0.7];
    const m = gs.activation('rational', { numerator: a, denominator: bCoef });
    const got = await run(m);
    const x32 = XS.map(Math.fround);
    const a32 = a.map(Math.fround);
    const b32 = bCoef.map(Math.fround);
    const P = (x: number) => a32.reduce((s, ak, k) => s + ak * x ** k, 0);
    const dP = (x: number) => a32.reduce((s, ak, k) => s + (k === 0 ? 0 : k * ak * x ** (k - 1)), 0);
    const Q = (x: number) => 1 + b32.reduce((s, bk, k) => s + Math.abs(bk) * Math.abs(x) ** (k + 1), 0);
    const dQ = (x: number) => Math.sign(x) * b32.reduce((s, bk, k) => s + (k + 1) * Math.abs(bk) * Math.abs(x) ** k, 0);
    expectClose(got.y, x32.map((x) => P(x) / Q(x)), tol, 'f');
    expectClose(got.dx, x32.map((x, e) => WEIGHTS[e] * (dP(x) * Q(x) - P(x) * dQ(x)) / Q(x) ** 2), tol, "w·f'");
    const dA = a32.map((_, k) => x32.reduce((s, x, e) => s + (WEIGHTS[e] * x ** k) / Q(x), 0));
    const dB = b32.map((bk, k) => x32.reduce((s, x, e) => s - (WEIGHTS[e] * P(x) * Math.sign(bk) * Math.abs(x) ** (k + 1)) / Q(x) ** 2, 0));
    expectClose(got.grads[0], dA, tol * 10, 'da');
    expectClose(got.grads[1], dB, tol * 10, 'db');
  });

  it('bspline (20 points on [−5, 5]): reproduces a line exactly, x² as x² + h²/3, and the tangent line beyond', async () => {
    const h = 10 / 17;
    const greville = Array.from({ length: 20 }, (_, m) => -5 + (m - 1) * h);
    const inside = [-4.9, -3.3, -0.2, 0, 1.7, 4.95];
    const outside = [-7, 6.5];
    const line = await run(gs.activation('bspline', { lo: -5, hi: 5, points: greville.map((g) => 2 * g + 1) }), [...inside, ...outside], new Array(8).fill(1));
    expectClose(line.y, [...inside, ...outside].map((x) => 2 * Math.fround(x) + 1), 1e-5, 'line f');
    expectClose(line.dx, new Array(8).fill(2), 1e-5, "line f'");
    const parabola = await run(gs.activation('bspline', { lo: -5, hi: 5, points: greville.map((g) => g * g) }), inside, new Array(6).fill(1));
    expectClose(parabola.y, inside.map((x) => Math.fround(x) ** 2 + (h * h) / 3), 1e-5, 'x² f');
    expectClose(parabola.dx, inside.map((x) => 2 * Math.fround(x)), 1e-5, "x² f'");
    // The control points' gradient: each point's basis weights summed; they add up to 1 per input inside.
    const total = parabola.grads[0].reduce((s, v) => s + v, 0);
    expect(Math.abs(total - inside.length)).toBeLessThan(1e-5);
  });
});
