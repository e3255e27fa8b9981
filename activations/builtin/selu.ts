import type { ActivationSpec } from '../../engine/activation-spec';
import { WGSL_EXPM1 } from './math';

export const SELU_SCALE = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

export const selu: ActivationSpec = {
  name: 'selu',
  aliases: ['SELU'],
  formula: 'λ·x if x > 0, else λ·α(eˣ − 1), λ = 1.0507009873554805, α = 1.6732632423543772',
  reference: 'Klambauer et al., "Self-Normalizing Neural Networks", NeurIPS 2017',
  convention: "selu'(0) = λ·α (the x ≤ 0 branch), as PyTorch; f' from the output (y + λα for y ≤ 0)",
  handWritten: "speed and NaN: f' from the output (y + λα, as PyTorch's elu_backward), and selu'(NaN) = λ as PyTorch, where a derived f' gives NaN",
  range: [-4, 4],
  derivativeUses: 'output',
  kinks: () => [0],
  cpu: {
    f: (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x)),
    // NaN takes the λ branch, as PyTorch's elu_backward.
    df: (_x, y) => (y <= 0 ? y + SELU_SCALE * SELU_ALPHA : SELU_SCALE),
  },
  wgsl: {
    helpers: WGSL_EXPM1,
    f: 'if (x > 0.0) { return 1.0507009873554805 * x; } return 1.7580993408473766 * gs_expm1(x);',
    df: 'if (y > 0.0 || gs_is_nan(y)) { return 1.0507009873554805; } return y + 1.7580993408473766;',
  },
};
