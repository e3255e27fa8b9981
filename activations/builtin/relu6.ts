import type { ActivationSpec } from '../../engine/activation-spec';

export const relu6: ActivationSpec = {
  name: 'relu6',
  aliases: ['ReLU6'],
  formula: 'min(max(0, x), 6)',
  reference: 'Krizhevsky, "Convolutional Deep Belief Networks on CIFAR-10", 2010',
  convention: "relu6'(0) = relu6'(6) = 0, as PyTorch (hardtanh_backward zeroes g where x ≤ 0 or x ≥ 6, so relu6'(NaN) = 1)",
  handWritten: "speed and a kink convention: f' from the output (0 < y < 6), and f'(0) = f'(6) = 0 as PyTorch, where max/min in a formula split the gradient at a tie",
  range: [-2, 8],
  derivativeUses: 'output',
  kinks: () => [0, 6],
  cpu: {
    f: (x) => Math.min(Math.max(x, 0), 6),
    // 0 < y < 6 exactly when 0 < x < 6.
    df: (_x, y) => (y <= 0 || y >= 6 ? 0 : 1),
  },
  wgsl: {
    f: 'return gs_clamp(x, 0.0, 6.0);',
    df: 'return select(0.0, 1.0, (y > 0.0 && y < 6.0) || gs_is_nan(y));',
  },
};
