// The SwiGELU example: registered through the public API, it trains a small MLP.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { runSwigeluExample, swigelu } from '../../examples/swigelu';
import { describeBackends } from '../helpers/backends';

describeBackends('examples/swigelu', () => {
  it('registers SwiGELU and trains a 2-16-16-2 MLP on two moons: the loss goes down', async () => {
    const { losses, accuracy } = await runSwigeluExample({ steps: 60 });
    expect(gs.activations.get('SwiGELU')).toBe(swigelu);
    expect(losses[losses.length - 1]).toBeLessThan(0.25 * losses[0]);
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it('SwiGELU values are the mean of silu and gelu, in f and f\'', async () => {
    const x = gs.tensor([-3, -1, 0, 0.5, 2, 1e4, -1e4], { requiresGrad: true });
    const y = gs.activation('swigelu').forward(x);
    y.sum().backward();
    const xs = [-3, -1, 0, 0.5, 2, 1e4, -1e4];
    const erf = (z: number) => {
      // Abramowitz–Stegun 7.1.26 is too coarse; the series is exact enough for |z| ≤ 6.
      if (Math.abs(z) > 6) return Math.sign(z);
      let term = z;
      let sum = z;
      for (let n = 1; n < 200; n++) {
        term *= (-z * z) / n;
        sum += term / (2 * n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const Phi = (v: number) => 0.5 * (1 + erf(v / Math.SQRT2));
    const phi = (v: number) => Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    const f = Array.from(await y.toArray());
    const df = Array.from(await x.grad!.toArray());
    xs.forEach((v, i) => {
      expect(f[i]).toBeCloseTo(0.5 * (v * s(v) + v * Phi(v)), 4);
      expect(df[i]).toBeCloseTo(0.5 * (s(v) * (1 + v * (1 - s(v))) + Phi(v) + v * phi(v)), 4);
    });
  });
});
