import type { ActivationSpec } from '../../engine/activation-spec';
import { reluSimd } from '../../engine/backends/wasm/relu-kernel';

export const relu: ActivationSpec = {
  name: 'relu',
  aliases: ['ReLU'],
  formula: 'max(0, x)',
  reference: 'Nair & Hinton, "Rectified Linear Units Improve Restricted Boltzmann Machines", ICML 2010',
  convention: "relu'(0) = 0, as PyTorch; relu(NaN) = NaN and relu'(NaN) = 1 (PyTorch's threshold_backward zeroes g only where y ≤ 0)",
  handWritten: "speed: f' from the output (y > 0), so the fused forward keeps no Z (a derived f' reads x); both without a data-dependent branch, and WebAssembly SIMD forms",
  range: [-4, 4],
  derivativeUses: 'output',
  kinks: () => [0],
  cpu: {
    // NaN fails every comparison: it takes the x branch, as in PyTorch.
    f: (x) => (x <= 0 ? 0 : x),
    // The same values without a data-dependent branch: a layer's pre-activations are
    // positive or negative at random, and a mispredicted branch per element cost more than
    // the rest of the loop (5 ns against 1 on this machine). (x + |x|)/2 is x or +0, NaN
    // for NaN, and exact (float32 inputs cannot overflow 2x in float64); only −∞ gives NaN
    // (−∞ + ∞), a branch that is never taken on ordinary data.
    fastF: (x) => {
      const r = (x + Math.abs(x)) * 0.5;
      return r === r || x !== x ? r : 0;
    },
    // y > 0 exactly when x > 0, so the output alone decides; +!(y <= 0) is that 0 or 1
    // (1 for NaN) as a number, without a branch.
    df: (_x, y) => +!(y <= 0),
    // Where the engine has WebAssembly SIMD: the same values four lanes at a time
    // (relu-kernel.ts), with the linear layer's bias add and bias-gradient sums fused in.
    // f′ reads x or y alike (x > 0 exactly when y > 0, NaN in both).
    simd: () => {
      const k = reluSimd();
      return (
        k && {
          forward: (x, out) => k.forward(x, out),
          backward: (x, dy, dx) => k.backward(x, dy, dx),
          linear: (z, b, y, rows, n, keepZ) => k.linear(z, b, y, rows, n, keepZ),
          backwardWithSums: (y, dy, dx, rows, n, _p, sums) => k.backwardWithSums(y, dy, dx, rows, n, sums),
        }
      );
    },
  },
  wgsl: {
    f: 'return gs_max(x, 0.0);',
    df: 'return select(0.0, 1.0, y > 0.0 || gs_is_nan(y));',
  },
};
