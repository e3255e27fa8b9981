import type { ActivationSpec } from '../../engine/activation-spec';
import { sigmoid, WGSL_SIGMOID } from './math';

const C = Math.sqrt(2 / Math.PI);
const K = 0.044715;

// ½(1 + tanh(u)) = σ(2u): the sigmoid form never overflows and keeps the tail accurate.
function u(x: number): number {
  return C * (x + K * x * x * x);
}

export const geluTanh: ActivationSpec = {
  name: 'gelu_tanh',
  aliases: ['gelu_approximate', 'gelu_new'],
  formula: '½x(1 + tanh(√(2/π)(x + 0.044715x³)))',
  reference: 'Hendrycks & Gimpel, "Gaussian Error Linear Units (GELUs)", 2016 (tanh approximation; PyTorch approximate="tanh")',
  convention: 'computed as x·σ(2u), u = √(2/π)(x + 0.044715x³), which equals the tanh form and cannot overflow',
  handWritten: "stability: x·σ(2u) cannot overflow, and f' skips the product where σ' underflows (x·σ' would be ∞·0 far out)",
  range: [-4, 4],
  derivativeReadsOutput: false,
  cpu: {
    f: (x) => x * sigmoid(2 * u(x)),
    df: (x) => {
      const s = sigmoid(2 * u(x));
      const q = s * (1 - s);
      // q = 0 in the saturated tails: skip the product, whose other factor can be huge.
      // At ±∞ the product is ∞·0 = NaN, as in PyTorch's gelu backward (x·(1 − tanh²)·…).
      if (q === 0 && Number.isFinite(x)) return s;
      return s + 2 * x * q * C * (1 + 3 * K * x * x);
    },
  },
  wgsl: {
    helpers: WGSL_SIGMOID,
    f: 'let u = 0.7978845608028654 * (x + 0.044715 * x * x * x); return x * gs_sigmoid(2.0 * u);',
    df: `let u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
let s = gs_sigmoid(2.0 * u);
let q = s * (1.0 - s);
if (q == 0.0 && gs_is_finite(x)) { return s; }
return s + 2.0 * x * q * 0.7978845608028654 * (1.0 + 0.134145 * x * x);`,
  },
};
