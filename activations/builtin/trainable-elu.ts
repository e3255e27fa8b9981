import type { ActivationSpec } from '../../engine/activation-spec';
import { WGSL_EXPM1 } from './math';

export const trainableElu: ActivationSpec = {
  name: 'trainable_elu',
  // telu_dldna: the "Deep Learning DNA" chapter's TeLU class (chapter_04/models/activations.py) is exactly this function.
  aliases: ['telu_elu', 'elu_trainable', 'telu_dldna'],
  formula: 'x if x > 0, else α(eˣ − 1), α trainable',
  reference:
    'The ELU with a learned α, published as TeLU (trainable ELU); cf. Trottier et al., "Parametric Exponential Linear Unit", 2017; ' +
    'the TeLU of the "Deep Learning DNA" chapter 4 (torch.where(x > 0, x, α(eˣ − 1)), α = 1.0 trainable)',
  convention:
    "f'(0) = α and ∂f/∂α = eˣ − 1 for x ≤ 0 (0 above); α starts at 1 (the ELU). 'telu' is the other TeLU, x·tanh(eˣ) (Fernandez & Mali's). " +
    "At NaN and +∞ this follows PyTorch's elu_backward (f' = 1, ∂f/∂α = 0), where the chapter's torch.where form gives NaN (0·∞ in the branch not taken)",
  handWritten: "NaN: f'(NaN) = 1 and ∂f/∂α(NaN) = 0 as PyTorch's elu_backward, where a derived where(x > 0, …) gives NaN",
  range: [-4, 4],
  derivativeReadsOutput: false,
  params: [{ name: 'alpha', default: 1, trainable: true }],
  kinks: () => [0],
  cpu: {
    f: (x, p) => (x > 0 ? x : p.alpha[0] * Math.expm1(x)),
    // NaN takes the x > 0 branch, as PyTorch's elu_backward does for the ELU.
    df: (x, _y, p) => (x <= 0 ? p.alpha[0] * Math.exp(x) : 1),
    dparams: { alpha: (x) => (x <= 0 ? Math.expm1(x) : 0) },
  },
  wgsl: {
    helpers: WGSL_EXPM1,
    f: 'if (x > 0.0) { return x; } return p_alpha(0u) * gs_expm1(x);',
    df: 'if (x > 0.0 || gs_is_nan(x)) { return 1.0; } return p_alpha(0u) * exp(x);',
    dparams: { alpha: 'if (x > 0.0 || gs_is_nan(x)) { return 0.0; } return gs_expm1(x);' },
  },
};
