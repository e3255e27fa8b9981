import type { ActivationSpec } from '../../engine/activation-spec';
import { WGSL_EXPM1 } from './math';

export const elu: ActivationSpec = {
  name: 'elu',
  aliases: ['ELU'],
  formula: 'x if x > 0, else α(eˣ − 1)',
  reference: 'Clevert, Unterthiner & Hochreiter, "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)", ICLR 2016',
  convention: "elu'(0) = α (the x ≤ 0 branch), as PyTorch; f' from the output (y + α for y ≤ 0) as PyTorch does, which assumes α > 0",
  handWritten: "speed and NaN: f' from the output (y + α, as PyTorch's elu_backward), and elu'(NaN) = 1 as PyTorch, where a derived where(x > 0, 1, αeˣ) gives NaN",
  range: [-4, 4],
  params: [{ name: 'alpha', default: 1 }],
  derivativeUses: 'output',
  kinks: () => [0],
  cpu: {
    f: (x, p) => (x > 0 ? x : p.alpha[0] * Math.expm1(x)),
    // For x ≤ 0: α·eˣ = α(eˣ − 1) + α = y + α; y > 0 exactly when x > 0 (α > 0).
    // NaN takes the g branch, as PyTorch's elu_backward (x ≤ 0 ? g·α·eˣ : g).
    df: (_x, y, p) => (y <= 0 ? y + p.alpha[0] : 1),
  },
  wgsl: {
    helpers: WGSL_EXPM1,
    f: 'if (x > 0.0) { return x; } return p_alpha(0u) * gs_expm1(x);',
    df: 'if (y > 0.0 || gs_is_nan(y)) { return 1.0; } return y + p_alpha(0u);',
  },
};
