import type { ActivationCpu, ActivationSpec, ActivationWgsl } from '../../engine/activation-spec';
import { sigmoid, WGSL_SIGMOID } from './math';

// Shared by 'swish' (β fixed) and 'swish_trainable' (β learned): the same function.
export const swishCpu: ActivationCpu = {
  f: (x, p) => x * sigmoid(p.beta[0] * x),
  df: (x, _y, p) => {
    const b = p.beta[0];
    const s = sigmoid(b * x);
    const q = s * (1 - s);
    // q = 0 in the saturated tails, where b·x·q would be 0 but b·x may be huge.
    return q === 0 ? s : s + b * x * q;
  },
  dparams: {
    beta: (x, _y, p) => {
      const s = sigmoid(p.beta[0] * x);
      const q = s * (1 - s);
      return q === 0 ? 0 : x * x * q;
    },
  },
};

export const swishWgsl: ActivationWgsl = {
  helpers: WGSL_SIGMOID,
  f: 'return x * gs_sigmoid(p_beta(0u) * x);',
  df: `let b = p_beta(0u);
let s = gs_sigmoid(b * x);
let q = s * (1.0 - s);
if (q == 0.0) { return s; }
return s + b * x * q;`,
  dparams: {
    beta: `let s = gs_sigmoid(p_beta(0u) * x);
let q = s * (1.0 - s);
if (q == 0.0) { return 0.0; }
return x * x * q;`,
  },
};

export const swish: ActivationSpec = {
  name: 'swish',
  aliases: ['Swish'],
  formula: 'x·σ(βx)',
  reference: 'Ramachandran, Zoph & Le, "Searching for Activation Functions", 2017',
  convention: 'β is a fixed parameter (default 1, where swish = silu, as Keras "swish"); see swish_trainable for a learned β',
  handWritten: "speed and the saturated tails: f' from one σ, skipping β·x·σ' where σ' underflows (β·x may be huge there)",
  range: [-6, 6],
  derivativeReadsOutput: false,
  params: [{ name: 'beta', default: 1 }],
  cpu: { f: swishCpu.f, df: swishCpu.df },
  wgsl: { helpers: swishWgsl.helpers, f: swishWgsl.f, df: swishWgsl.df },
};
