import { fromExpression } from '../expression/index';

// f' = 1 − y², read from the output: the forward keeps nothing extra. The WGSL tanh is
// math.ts's gs_tanh (WGSL's own may return NaN for large |x| and 0 for tiny |x|).
export const tanh = fromExpression({
  name: 'tanh',
  aliases: ['Tanh'],
  f: 'tanh(x)',
  formula: '(eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)',
  reference: 'LeCun et al., "Efficient BackProp", 1998',
  range: [-4, 4],
});
