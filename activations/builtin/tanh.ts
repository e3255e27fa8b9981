import type { ActivationSimd } from '../../engine/activation-spec';
import { tanhSimd } from '../../engine/backends/wasm/tanh-kernel';
import { fromExpression, type ExpressionActivationSpec } from '../expression/index';

// f' = 1 − y², read from the output: the forward keeps nothing extra. The WGSL tanh is
// math.ts's gs_tanh (WGSL's own may return NaN for large |x| and 0 for tiny |x|).
const derived = fromExpression({
  name: 'tanh',
  aliases: ['Tanh'],
  f: 'tanh(x)',
  formula: '(eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)',
  reference: 'LeCun et al., "Efficient BackProp", 1998',
  range: [-4, 4],
});

export const tanh: ExpressionActivationSpec = {
  ...derived,
  cpu: {
    ...derived.cpu,
    // Where the engine has WebAssembly SIMD: a float32 tanh four lanes at a time
    // (tanh-kernel.ts) instead of a Math.tanh per element, with the linear layer's bias
    // add and bias-gradient sums fused in. Its f′ reads y, as the spec's.
    simd: () => {
      const k = tanhSimd();
      if (!k) return null;
      const forms: ActivationSimd = {
        forward: (x, out) => k.forward(x, out),
        // Given x (a forward that kept no y): y first, then dy·(1 − y²).
        backward: (x, dy, dx) => {
          const y = new Float32Array(x.length);
          k.forward(x, y);
          k.backward(y, dy, dx);
        },
        linear: (z, b, y, rows, n, keepZ) => k.linear(z, b, y, rows, n, keepZ),
        backwardWithSums: (y, dy, dx, rows, n, _p, sums) => k.backwardWithSums(y, dy, dx, rows, n, sums),
      };
      return forms;
    },
  },
};
