import { simdFormsReadingOutput } from '../../engine/backends/wasm/elementwise-simd';
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
      return k && simdFormsReadingOutput(k);
    },
  },
};
