import type { ActivationSpec } from '../../engine/activation-spec';

export const relu6: ActivationSpec = {
  name: 'relu6',
  aliases: ['ReLU6'],
  formula: 'min(max(0, x), 6)',
  reference: 'Krizhevsky, "Convolutional Deep Belief Networks on CIFAR-10", 2010',
  convention: "relu6'(0) = relu6'(6) = 0, as PyTorch (hardtanh's mask 0 < x < 6)",
  range: [-2, 8],
  derivativeUses: 'output',
  kinks: () => [0, 6],
  cpu: {
    f: (x) => Math.min(Math.max(x, 0), 6),
    // 0 < y < 6 exactly when 0 < x < 6.
    df: (_x, y) => (y > 0 && y < 6 ? 1 : 0),
  },
  wgsl: {
    f: 'return clamp(x, 0.0, 6.0);',
    df: 'return select(0.0, 1.0, y > 0.0 && y < 6.0);',
  },
};
