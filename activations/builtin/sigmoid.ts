import type { ActivationSpec } from '../../engine/activation-spec';
import { simdFormsReadingOutput } from '../../engine/backends/wasm/elementwise-simd';
import { sigmoidSimd } from '../../engine/backends/wasm/sigmoid-kernel';

export const sigmoid: ActivationSpec = {
  name: 'sigmoid',
  aliases: ['Sigmoid', 'logistic'],
  formula: '1 / (1 + e⁻ˣ)',
  reference: 'The logistic function; Rumelhart, Hinton & Williams, 1986',
  handWritten: "speed: f' = y(1 − y) from the output, as PyTorch's sigmoid backward, so the forward keeps nothing extra (a derived f' reads x: σ(x)σ(−x)); a branch-free fast forward, and a WebAssembly SIMD one",
  range: [-6, 6],
  derivativeUses: 'output',
  cpu: {
    // Stable for large |x|: never exponentiate a large positive number.
    f: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    df: (_x, y) => y * (1 - y),
    // The same without a branch on the sign of x (random in a layer, so mispredicted half
    // the time): e = e^−|x|, σ = 1/(1 + e) for x ≥ 0 and e/(1 + e) below, chosen by
    // arithmetic (c is 0 or 1, both terms finite). e·(1/(1 + e)) rounds twice where the
    // reference divides once: within float32 rounding, as the fast forms must be.
    fastF: (x) => {
      const e = Math.exp(-Math.abs(x));
      const r = 1 / (1 + e);
      const c = +(x >= 0);
      return c * r + (1 - c) * (e * r);
    },
    // Where the engine has WebAssembly SIMD: the same form four lanes at a time in float32
    // (sigmoid-kernel.ts), several times faster than a Math.exp per element; its backward
    // from y the JS loop's bits, with the fused layer's bias-gradient sums.
    simd: () => {
      const k = sigmoidSimd();
      return k && simdFormsReadingOutput(k);
    },
  },
  wgsl: {
    f: 'if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e);',
    df: 'return y * (1.0 - y);',
  },
};
