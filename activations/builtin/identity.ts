import type { ActivationSpec } from '../../engine/activation-spec';

export const identity: ActivationSpec = {
  name: 'identity',
  aliases: ['Identity', 'linear'],
  formula: 'x',
  reference: 'The linear unit (torch.nn.Identity; Keras "linear")',
  range: [-3, 3],
  derivativeUses: 'output',
  cpu: {
    f: (x) => x,
    df: () => 1,
  },
  wgsl: {
    f: 'return x;',
    df: 'return 1.0;',
  },
};
