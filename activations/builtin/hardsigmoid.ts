import type { ActivationSpec } from '../../engine/activation-spec';

export const hardsigmoid: ActivationSpec = {
  name: 'hardsigmoid',
  aliases: ['Hardsigmoid', 'hard_sigmoid'],
  formula: 'relu6(x + 3)/6',
  reference: 'Courbariaux, Bengio & David, "BinaryConnect", 2015; Howard et al., "Searching for MobileNetV3", 2019',
  convention: "f' = 1/6 for −3 < x < 3 and 0 elsewhere, including at ±3, as PyTorch",
  handWritten: "a kink convention and speed: f'(±3) = 0 as PyTorch (a formula's max/min split the gradient at a tie), read from the output",
  range: [-5, 5],
  derivativeUses: 'output',
  kinks: () => [-3, 3],
  cpu: {
    f: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
    // 0 < y < 1 exactly when −3 < x < 3.
    df: (_x, y) => (y > 0 && y < 1 ? 1 / 6 : 0),
  },
  wgsl: {
    f: 'return gs_clamp(x + 3.0, 0.0, 6.0) / 6.0;',
    df: 'return select(0.0, 1.0 / 6.0, y > 0.0 && y < 1.0);',
  },
};
