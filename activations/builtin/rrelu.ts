import type { ActivationSpec } from '../../engine/activation-spec';

export const RRELU_LOWER = 1 / 8;
export const RRELU_UPPER = 1 / 3;

/**
 * The spec is RReLU in eval mode: leaky relu with the mean slope (lower + upper)/2.
 * In training mode the RReLU module (nn/activation.ts) draws one slope per element,
 * uniform in [lower, upper] and seeded, and composes it from existing ops.
 */
export const rrelu: ActivationSpec = {
  name: 'rrelu',
  aliases: ['RReLU'],
  formula: 'x if x ≥ 0, else a·x; a ~ U(lower, upper) per element in training, (lower + upper)/2 in eval',
  reference: 'Xu et al., "Empirical Evaluation of Rectified Activations in Convolutional Network", 2015',
  convention: "as PyTorch (lower = 1/8, upper = 1/3); eval: f'(0) = (lower + upper)/2; training: slope 1 for x > 0 and the drawn a for x ≤ 0",
  range: [-4, 4],
  params: [
    { name: 'lower', default: RRELU_LOWER },
    { name: 'upper', default: RRELU_UPPER },
  ],
  kinks: () => [0],
  cpu: {
    f: (x, p) => (x > 0 ? x : 0.5 * (p.lower[0] + p.upper[0]) * x),
    df: (x, _y, p) => (x > 0 ? 1 : 0.5 * (p.lower[0] + p.upper[0])),
  },
  wgsl: {
    f: 'return select(0.5 * (p_lower(0u) + p_upper(0u)) * x, x, x > 0.0);',
    df: 'return select(0.5 * (p_lower(0u) + p_upper(0u)), 1.0, x > 0.0);',
  },
};
