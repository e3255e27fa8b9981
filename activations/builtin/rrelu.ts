import { fromExpression } from '../expression/index';

export const RRELU_LOWER = 1 / 8;
export const RRELU_UPPER = 1 / 3;

/**
 * The spec is RReLU in eval mode: leaky relu with the mean slope (lower + upper)/2.
 * In training mode the RReLU module (nn/activation.ts) draws one slope per element,
 * uniform in [lower, upper] and seeded, and composes it from existing ops.
 */
export const rrelu = fromExpression({
  name: 'rrelu',
  aliases: ['RReLU'],
  f: 'where(x > 0, x, 0.5 * (lower + upper) * x)',
  formula: 'x if x ≥ 0, else a·x; a ~ U(lower, upper) per element in training, (lower + upper)/2 in eval',
  reference: 'Xu et al., "Empirical Evaluation of Rectified Activations in Convolutional Network", 2015',
  convention: "as PyTorch (lower = 1/8, upper = 1/3); eval: f'(0) = (lower + upper)/2; training: slope 1 for x > 0 and the drawn a for x ≤ 0",
  range: [-4, 4],
  params: [
    { name: 'lower', default: RRELU_LOWER },
    { name: 'upper', default: RRELU_UPPER },
  ],
});
