// RReLU: random slopes per element while training (seeded, in [lower, upper]), the
// mean slope in eval mode; not fused into Linear while training.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';

const NEG = Array.from({ length: 64 }, (_, i) => -0.5 - i * 0.1);
const POS = [0.5, 1, 2, 3];

describeBackends('rrelu', () => {
  it('training: x ≥ 0 passes, each negative x gets its own slope in [1/8, 1/3]; the gradient is that slope', async () => {
    const m = gs.activation('rrelu', { seed: 7 }) as gs.nn.RReLU;
    m.train();
    const x = gs.tensor([...POS, ...NEG], { requiresGrad: true });
    const y = m.forward(x);
    y.sum().backward();
    const yv = Array.from(await y.toArray());
    const g = Array.from(await x.grad!.toArray());
    POS.forEach((v, i) => {
      expect(yv[i]).toBeCloseTo(v, 6);
      expect(g[i]).toBe(1);
    });
    const slopes = NEG.map((v, i) => yv[POS.length + i] / Math.fround(v));
    for (const [i, a] of slopes.entries()) {
      expect(a).toBeGreaterThanOrEqual(1 / 8 - 1e-6);
      expect(a).toBeLessThanOrEqual(1 / 3 + 1e-6);
      expect(g[POS.length + i]).toBeCloseTo(a, 5);
    }
    // Drawn per element: many different slopes, spread over the interval.
    expect(new Set(slopes.map((a) => a.toFixed(5))).size).toBeGreaterThan(50);
    expect(Math.max(...slopes) - Math.min(...slopes)).toBeGreaterThan(0.15);
  });

  it("training: at exactly x = 0 the gradient is the drawn slope (x ≤ 0's branch, as PyTorch's rrelu_with_noise), at NaN 1; ±∞ pass", async () => {
    const m = gs.activation('rrelu', { seed: 11 }) as gs.nn.RReLU;
    m.train();
    const inputs = [0, 0, -0, NaN, Infinity, -Infinity, -2];
    const x = gs.tensor(inputs, { requiresGrad: true });
    const y = m.forward(x);
    y.sum().backward();
    // The k-th training forward draws its slopes with seed + k (here k = 0), one per element.
    const slopes = Array.from(await gs.rand([inputs.length], { seed: 11, low: 1 / 8, high: 1 / 3 }).toArray());
    const g = Array.from(await x.grad!.toArray());
    expect(g.slice(0, 3)).toEqual(slopes.slice(0, 3));
    expect(g[3]).toBe(1);
    expect(g.slice(4)).toEqual([1, slopes[5], slopes[6]]);
    const yv = Array.from(await y.toArray());
    expect(yv.slice(0, 3).map(Math.abs)).toEqual([0, 0, 0]);
    expect(yv[3]).toBeNaN();
    expect(yv.slice(4)).toEqual([Infinity, -Infinity, Math.fround(-2 * slopes[6])]);
  });

  it('seeded: the same seed gives the same slopes; successive batches differ; resetDraws restarts', async () => {
    const run = async (m: gs.nn.RReLU) => Array.from(await m.forward(gs.tensor(NEG)).toArray());
    const a = gs.activation('rrelu', { seed: 42 }) as gs.nn.RReLU;
    const b = gs.activation('rrelu', { seed: 42 }) as gs.nn.RReLU;
    const c = gs.activation('rrelu', { seed: 43 }) as gs.nn.RReLU;
    const a1 = await run(a);
    expect(await run(b)).toEqual(a1);
    expect(await run(c)).not.toEqual(a1);
    const a2 = await run(a);
    expect(a2).not.toEqual(a1);
    a.resetDraws();
    expect(await run(a)).toEqual(a1);
  });

  it('eval: the mean slope (lower + upper)/2, also with custom bounds; fused into Linear only in eval', async () => {
    const m = gs.activation('rrelu', { lower: 0.1, upper: 0.3, seed: 1 }) as gs.nn.RReLU;
    m.eval();
    const y = Array.from(await m.forward(gs.tensor([-2, -1, 0, 1])).toArray());
    expect(y.map((v) => Number(v.toFixed(6)))).toEqual([-0.4, -0.2, 0, 1]);
    const seq = new gs.nn.Sequential(new gs.nn.Linear(3, 2, { seed: 1 }), m);
    seq.eval();
    expect(seq.fusesAt(0)).toBe(true);
    seq.train();
    expect(seq.fusesAt(0)).toBe(false);
    expect(() => gs.activation('rrelu', { lower: 0.5, upper: 0.2 })).toThrow(/lower \(0.5\) must not exceed upper \(0.2\)/);
  });
});
