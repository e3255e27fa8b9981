import type { ActivationSpec } from '../../engine/activation-spec';
import { WGSL_TANH } from './math';

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
    // gs_tanh: WGSL's tanh may return NaN for large |x| and 0 for tiny |x| on some drivers.
    helpers: WGSL_TANH,
    f: 'return gs_tanh(x);',
    df: 'return 1.0 - y * y;',
  },
};
