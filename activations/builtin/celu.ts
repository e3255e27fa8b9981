import type { ActivationSpec } from '../../engine/activation-spec';
import { WGSL_EXPM1 } from './math';

export const celu: ActivationSpec = {
  name: 'celu',
  aliases: ['CELU'],
  formula: 'max(0, x) + min(0, α(e^(x/α) − 1))',
  reference: 'Barron, "Continuously Differentiable Exponential Linear Units", 2017',
  convention: "celu'(0) = 1 from the x ≤ 0 branch (e⁰), equal to the right derivative: celu is C¹",
  handWritten: "NaN: celu'(NaN) = 1 as PyTorch's elu_backward, where a derived where(x > 0, 1, e^(x/α)) gives NaN",
  range: [-4, 4],
  derivativeReadsOutput: false,
  params: [{ name: 'alpha', default: 1 }],
  kinks: () => [0],
  cpu: {
    f: (x, p) => (x > 0 ? x : p.alpha[0] * Math.expm1(x / p.alpha[0])),
    // NaN takes the 1 branch, as PyTorch's elu_backward (which celu uses).
    df: (x, _y, p) => (x <= 0 ? Math.exp(x / p.alpha[0]) : 1),
  },
  wgsl: {
    helpers: WGSL_EXPM1,
    f: 'if (x > 0.0) { return x; } let a = p_alpha(0u); return a * gs_expm1(x / a);',
    df: 'if (x > 0.0 || gs_is_nan(x)) { return 1.0; } return exp(x / p_alpha(0u));',
  },
};
