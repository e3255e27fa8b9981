import type { ActivationSpec } from '../../engine/activation-spec';
import { sigmoid, WGSL_SIGMOID } from './math';

/**
 * tanh(softplus(x)) without tanh or log: with e = eˣ, tanh(log(1 + e)) = (e² + 2e)/(e² + 2e + 2).
 * For x > 0 the same ratio divided by e² uses e⁻ˣ, so nothing overflows and the
 * negative tail (≈ eˣ) keeps its relative accuracy.
 */
function tanhSoftplus(x: number): number {
  if (x <= 0) {
    const e = Math.exp(x);
    const n = e * (e + 2);
    return n / (n + 2);
  }
  const e = Math.exp(-x);
  const n = 1 + 2 * e;
  return n / (n + 2 * e * e);
}

export const mish: ActivationSpec = {
  name: 'mish',
  aliases: ['Mish'],
  formula: 'x·tanh(softplus(x)) = x·tanh(ln(1 + eˣ))',
  reference: 'Misra, "Mish: A Self Regularized Non-Monotonic Activation Function", BMVC 2020',
  convention: "f' = tanh(sp) + x·sech²(sp)·σ(x), sp = softplus(x)",
  handWritten: "stability: tanh(softplus(x)) = (e²ˣ + 2eˣ)/(e²ˣ + 2eˣ + 2) without overflow, keeping the negative tail's relative accuracy",
  range: [-6, 6],
  derivativeReadsOutput: false,
  cpu: {
    f: (x) => x * tanhSoftplus(x),
    df: (x) => {
      const t = tanhSoftplus(x);
      const s = sigmoid(x);
      // At −∞ the product is ∞·0 = NaN, as in PyTorch's mish backward.
      return s === 0 && Number.isFinite(x) ? t : t + x * (1 - t * t) * s;
    },
  },
  wgsl: {
    helpers: `${WGSL_SIGMOID}
fn gs_tanh_softplus(x: f32) -> f32 {
  if (x <= 0.0) {
    let e = exp(x);
    let n = e * (e + 2.0);
    return n / (n + 2.0);
  }
  let e = exp(-x);
  let n = 1.0 + 2.0 * e;
  return n / (n + 2.0 * e * e);
}`,
    f: 'return x * gs_tanh_softplus(x);',
    df: `let t = gs_tanh_softplus(x);
let s = gs_sigmoid(x);
if (s == 0.0 && gs_is_finite(x)) { return t; }
return t + x * (1.0 - t * t) * s;`,
  },
};
