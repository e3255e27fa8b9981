// f and f' of every built-in against independent float64 references, through the
// engine's forward and backward (the kernels the backend builds from each spec).
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { REFERENCES } from './reference';

const POINTS = [0, 1, -1, 3, -3, 0.5, -0.5, 2, -2, 6, -6, 1e4, -1e4];

/** f(x) and f'(x) from the engine for one activation module at the given points. */
async function forwardBackward(module: gs.nn.Module, points: number[]) {
  const x = gs.tensor(points, { requiresGrad: true });
  const y = module.forward(x);
  y.sum().backward();
  const f = Array.from(await y.toArray());
  const df = Array.from(await x.grad!.toArray());
  return { f, df };
}

function expectClose(name: string, what: string, points: number[], got: number[], want: number[], tol: number) {
  points.forEach((x, i) => {
    const g = got[i];
    const w = want[i];
    expect(Number.isFinite(g), `${name} ${what}(${x}) = ${g} is not finite`).toBe(true);
    const err = Math.abs(g - w) / Math.max(1, Math.abs(w));
    expect(err, `${name} ${what}(${x}) = ${g}, expected ${w}`).toBeLessThanOrEqual(tol);
  });
}

describeBackends('activation values', (backend) => {
  const tol = backend === 'cpu' ? 2e-6 : 5e-5;

  it('covers every built-in with a reference (or a test of its own below)', () => {
    const own = new Set(['rational', 'bspline', 'softmax']);
    const missing = gs.activations.names().filter((n) => !REFERENCES[n] && !own.has(n));
    expect(missing).toEqual([]);
  });

  for (const [name, ref] of Object.entries(REFERENCES)) {
    it(`${name}: f and f' at 0, ±0.5, ±1, ±2, ±3, ±6, ±1e4`, async () => {
      const module = gs.activation(name);
      module.eval(); // rrelu: the mean slope
      const { f, df } = await forwardBackward(module, POINTS);
      // References are evaluated at the float32 inputs the engine saw.
      const xs = POINTS.map((p) => Math.fround(p));
      expectClose(name, 'f', POINTS, f, xs.map(ref.f), tol);
      expectClose(name, "f'", POINTS, df, xs.map(ref.df), tol);
    });
  }

  it('rational: P/Q with its coefficients, close to leaky_relu(0.01) on [-3, 3] (its init)', async () => {
    const spec = gs.activations.get('rational');
    const a = spec.params![0].default as number[];
    const b = spec.params![1].default as number[];
    const P = (x: number) => a.reduce((s, ak, k) => s + ak * x ** k, 0);
    const Q = (x: number) => 1 + b.reduce((s, bk, k) => s + Math.abs(bk) * Math.abs(x) ** (k + 1), 0);
    const dP = (x: number) => a.reduce((s, ak, k) => s + (k ? k * ak * x ** (k - 1) : 0), 0);
    const dQ = (x: number) => Math.sign(x) * b.reduce((s, bk, k) => s + (k + 1) * Math.abs(bk) * Math.abs(x) ** k, 0);
    const pts = [0, 1, -1, 3, -3, 0.5, -2, 1e4, -1e4];
    const { f, df } = await forwardBackward(gs.activation('rational'), pts);
    const xs = pts.map(Math.fround);
    expectClose('rational', 'f', pts, f, xs.map((x) => P(x) / Q(x)), 5 * tol);
    expectClose('rational', "f'", pts, df, xs.map((x) => (dP(x) * Q(x) - P(x) * dQ(x)) / Q(x) ** 2), 5 * tol);
    for (const x of [-3, -1, 1, 3]) expect(Math.abs(f[pts.indexOf(x)] - (x > 0 ? x : 0.01 * x))).toBeLessThan(0.031);
  });

  it('bspline: reproduces lines exactly and parabolas as x² + h²/3, linear beyond the grid', async () => {
    const n = 12;
    const lo = -3;
    const h = 6 / (n - 3);
    const greville = Array.from({ length: n }, (_, m) => lo + h * (m - 1));
    const inside = [0, 1, -1, 2.9, -3, -2.5, 0.3];
    // Control points on a line: the spline is that line, inside and out.
    const line = gs.activation('bspline', { points: greville.map((g) => 2 * g + 1) });
    const all = [...inside, 3, 1e4, -1e4];
    let r = await forwardBackward(line, all);
    expectClose('bspline(line)', 'f', all, r.f, all.map((x) => 2 * x + 1), 1e-5);
    expectClose('bspline(line)', "f'", all, r.df, all.map(() => 2), 1e-5);
    // Control points on x²: the uniform cubic B-spline gives x² + h²/3 inside the grid.
    const parabola = gs.activation('bspline', { points: greville.map((g) => g * g) });
    r = await forwardBackward(parabola, inside);
    const xs = inside.map(Math.fround);
    expectClose('bspline(x²)', 'f', inside, r.f, xs.map((x) => x * x + (h * h) / 3), 1e-5);
    expectClose('bspline(x²)', "f'", inside, r.df, xs.map((x) => 2 * x), 1e-5);
    // Beyond the grid: the tangent at the end, finite for huge x.
    r = await forwardBackward(parabola, [5, -1e4]);
    expect(r.f[0]).toBeCloseTo(9 + (h * h) / 3 + 6 * 2, 4);
    expect(r.df[0]).toBeCloseTo(6, 4);
    expect(r.df[1]).toBeCloseTo(-6, 4);
  });

  it('tails keep their relative accuracy where the values are tiny (the stable forms at work)', async () => {
    // [activation, x]: f(x) is far below 1 in magnitude, so an absolute check would pass anything.
    const cases: [string, number][] = [
      ['sigmoid', -30], ['sigmoid', -80], ['softplus', -30], ['softplus', -80], ['silu', -30], ['gelu', -5], ['gelu', -8],
      ['gelu_tanh', -6], ['mish', -20], ['elu', -1e-6], ['selu', -1e-6], ['celu', -1e-6], ['telu', -20], ['swish', -30],
      ['trainable_elu', -1e-6], ['adaptive_sigmoid', -30], ['tanh', 1e-9], ['tanh', -0.01], ['softsign', 1e-9], ['mish', -1e-7],
    ];
    const relTol = backend === 'cpu' ? 1e-6 : 1e-4;
    for (const [name, x] of cases) {
      const module = gs.activation(name);
      const { f, df } = await forwardBackward(module, [x]);
      const xf = Math.fround(x);
      const want = REFERENCES[name].f(xf);
      const wantD = REFERENCES[name].df(xf);
      expect(Math.abs(f[0] - want) / Math.abs(want), `${name}(${x}) = ${f[0]}, expected ${want}`).toBeLessThan(relTol);
      if (wantD !== 0) expect(Math.abs(df[0] - wantD) / Math.abs(wantD), `${name}'(${x}) = ${df[0]}, expected ${wantD}`).toBeLessThan(relTol);
    }
  });

  it('float32 results stay finite for |x| up to 1e4 on a dense grid, for every elementwise built-in', async () => {
    const xs: number[] = [];
    for (let i = 0; i <= 400; i++) xs.push(-1e4 + i * 50);
    for (let i = 0; i <= 400; i++) xs.push(-100 + i * 0.5);
    for (const name of gs.activations.names()) {
      if (gs.activations.get(name).kind === 'output') continue;
      const module = gs.activation(name);
      module.eval();
      const { f, df } = await forwardBackward(module, xs);
      const bad = xs.findIndex((_, i) => !Number.isFinite(f[i]) || !Number.isFinite(df[i]));
      expect(bad, `${name}: f(${xs[bad]}) = ${f[bad]}, f' = ${df[bad]}`).toBe(-1);
    }
  });
});
