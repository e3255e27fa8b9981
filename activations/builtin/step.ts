import type { ActivationSpec } from '../../engine/activation-spec';

export const step: ActivationSpec = {
  name: 'step',
  aliases: ['heaviside', 'binary_step'],
  formula: '1 if x > 0, else 0',
  reference: 'McCulloch & Pitts, "A logical calculus of the ideas immanent in nervous activity", 1943',
  convention: 'step(0) = 0 (the same mask as relu\'); f\' = 0 everywhere (the jump at 0 has no useful gradient)',
  range: [-3, 3],
  derivativeUses: 'output',
  kinks: () => [0],
  cpu: {
    f: (x) => (x > 0 ? 1 : 0),
    df: () => 0,
  },
  wgsl: {
    f: 'return select(0.0, 1.0, x > 0.0);',
    df: 'return 0.0;',
  },
};
