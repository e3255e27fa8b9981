import type { ActivationSpec } from '../../engine/activation-spec';

export const leakyRelu: ActivationSpec = {
  name: 'leaky_relu',
  aliases: ['LeakyReLU'],
  formula: 'x if x > 0, else negative_slope · x',
  reference: 'Maas, Hannun & Ng, "Rectifier Nonlinearities Improve Neural Network Acoustic Models", 2013',
  convention: "leaky_relu'(0) = negative_slope, as PyTorch (x > 0 ? 1 : slope)",
  range: [-4, 4],
  params: [{ name: 'negative_slope', default: 0.01, description: 'slope for x ≤ 0 (PyTorch default 0.01)' }],
  kinks: () => [0],
  cpu: {
    f: (x, p) => (x > 0 ? x : p.negative_slope[0] * x),
    df: (x, _y, p) => (x > 0 ? 1 : p.negative_slope[0]),
  },
  wgsl: {
    f: 'return select(p_negative_slope(0u) * x, x, x > 0.0);',
    df: 'return select(p_negative_slope(0u), 1.0, x > 0.0);',
  },
};
