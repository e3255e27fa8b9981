import type { ActivationSpec } from '../../engine/activation-spec';
import { sigmoid, softplus as stableSoftplus, WGSL_SIGMOID, WGSL_SOFTPLUS } from './math';

export const softplus: ActivationSpec = {
  name: 'softplus',
  aliases: ['Softplus'],
  formula: '(1/β)·ln(1 + e^(βx)), or x where βx > threshold',
  reference: 'Dugas et al., "Incorporating Second-Order Functional Knowledge for Better Option Pricing", NeurIPS 2000',
  convention: "as PyTorch (β = 1, threshold = 20): linear above threshold, f' = σ(βx) below, 1 above",
  handWritten: "numbers: its WGSL uses math.ts's σ and softplus (WGSL's exp), which silu, swish and gelu_tanh share; the formula language's helpers use a range-reduced exp, so as a formula its WebGPU values would change in the last bits",
  range: [-6, 6],
  derivativeReadsOutput: false,
  params: [
    { name: 'beta', default: 1 },
    { name: 'threshold', default: 20 },
  ],
  // PyTorch's switch to x at βx = threshold jumps by ln(1 + e^−20)/β ≈ 2e-9.
  kinks: (p) => [p.threshold[0] / p.beta[0]],
  cpu: {
    f: (x, p) => {
      const b = p.beta[0];
      return b * x > p.threshold[0] ? x : stableSoftplus(b * x) / b;
    },
    df: (x, _y, p) => {
      const b = p.beta[0];
      return b * x > p.threshold[0] ? 1 : sigmoid(b * x);
    },
  },
  wgsl: {
    helpers: `${WGSL_SIGMOID}${WGSL_SOFTPLUS}`,
    f: 'let b = p_beta(0u); if (b * x > p_threshold(0u)) { return x; } return gs_softplus(b * x) / b;',
    df: 'let b = p_beta(0u); if (b * x > p_threshold(0u)) { return 1.0; } return gs_sigmoid(b * x);',
  },
};
