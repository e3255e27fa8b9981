import type { ActivationParamValues, ActivationSpec } from '../../engine/activation-spec';
import { leakyReluSimd } from '../../engine/backends/wasm/leaky-relu-kernel';
import { fromExpression } from '../expression/index';

const derived = fromExpression({
  name: 'leaky_relu',
  aliases: ['LeakyReLU'],
  f: 'where(x > 0, x, negative_slope * x)',
  formula: 'x if x > 0, else negative_slope · x',
  reference: 'Maas, Hannun & Ng, "Rectifier Nonlinearities Improve Neural Network Acoustic Models", 2013',
  convention: "leaky_relu'(0) = negative_slope, as PyTorch (x > 0 ? 1 : slope); leaky_relu'(NaN) = slope",
  range: [-4, 4],
  params: [{ name: 'negative_slope', default: 0.01, description: 'slope for x ≤ 0 (PyTorch default 0.01)' }],
});

/**
 * The derived spec, with the float32 loops' fast forms: the same values without a branch on
 * the sign of x, which is random in a layer (a mispredicted branch per element cost 5 ns
 * where the arithmetic costs 1). With c = 1 for x > 0, else 0: f = c·x + (1 − c)·s·x, exact
 * for finite x (one of the two terms is 0); ±∞ make a 0·∞ = NaN that a rare branch (never
 * taken on finite data) corrects. f' = c + (1 − c)·s, exact, s for NaN as the derived form.
 */
export const leakyRelu: ActivationSpec = {
  ...derived,
  cpu: {
    ...derived.cpu,
    fastF: (x, p) => {
      const s = p.negative_slope[0];
      const c = +(x > 0);
      const r = c * x + (1 - c) * (s * x);
      return r === r || x !== x ? r : x > 0 ? x : s * x;
    },
    backward: (x, _y, _dy, p) => {
      const c = +(x > 0);
      return c + (1 - c) * p.negative_slope[0];
    },
    // Where the engine has WebAssembly SIMD: the same values, bit for bit (the slope's
    // products in float64, leaky-relu-kernel.ts), with the linear layer's bias add and
    // bias-gradient sums fused in.
    simd: () => {
      const k = leakyReluSimd();
      const slope = (p: ActivationParamValues) => p.negative_slope[0];
      return (
        k && {
          forward: (x, out, p) => k.forward(x, out, slope(p)),
          backward: (x, dy, dx, p) => k.backward(x, dy, dx, slope(p)),
          linear: (z, b, y, rows, n, keepZ, p) => k.linear(z, b, y, rows, n, keepZ, slope(p)),
          backwardWithSums: (x, dy, dx, rows, n, p, sums) => k.backwardWithSums(x, dy, dx, rows, n, sums, slope(p)),
        }
      );
    },
  },
};
