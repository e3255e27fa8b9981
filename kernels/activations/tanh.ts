import type { ActivationSpec } from '../../engine/activation-spec';

export const tanh: ActivationSpec = {
  name: 'tanh',
  aliases: ['Tanh'],
  formula: '(eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)',
  reference: 'LeCun et al., "Efficient BackProp", 1998',
  range: [-4, 4],
  derivativeUses: 'output',
  cpu: {
    f: (x) => Math.tanh(x),
    df: (_x, y) => 1 - y * y,
  },
  wgsl: {
    // WGSL's tanh may return NaN for large |x| on some drivers: clamp first (tanh(±15) = ±1 in f32).
    f: 'return tanh(clamp(x, -15.0, 15.0));',
    df: 'return 1.0 - y * y;',
  },
};
