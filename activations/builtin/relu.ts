import type { ActivationSpec } from '../../engine/activation-spec';

export const relu: ActivationSpec = {
  name: 'relu',
  aliases: ['ReLU'],
  formula: 'max(0, x)',
  reference: 'Nair & Hinton, "Rectified Linear Units Improve Restricted Boltzmann Machines", ICML 2010',
  convention: "relu'(0) = 0, as PyTorch; relu(NaN) = NaN and relu'(NaN) = 1 (PyTorch's threshold_backward zeroes g only where y ≤ 0)",
  handWritten: "speed: f' from the output (y > 0), so the fused forward keeps no Z (a derived f' reads x)",
  range: [-4, 4],
  derivativeUses: 'output',
  kinks: () => [0],
  cpu: {
    // NaN fails every comparison: it takes the x branch, as in PyTorch.
    f: (x) => (x <= 0 ? 0 : x),
    // y > 0 exactly when x > 0, so the output alone decides.
    df: (_x, y) => (y <= 0 ? 0 : 1),
  },
  wgsl: {
    f: 'return gs_max(x, 0.0);',
    df: 'return select(0.0, 1.0, y > 0.0 || gs_is_nan(y));',
  },
};
