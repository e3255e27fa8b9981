import type { ActivationSpec } from '../../engine/activation-spec';
import { WGSL_TANH } from './math';

// tanh(eˣ) is exactly 1 in float64 once eˣ > 19 (x > 2.95); capping the exponent at 5
// changes no value and keeps eˣ, x·eˣ and sech² finite.
const CAP = 5;

export const telu: ActivationSpec = {
  name: 'telu',
  aliases: ['TeLU'],
  formula: 'x·tanh(eˣ)',
  reference: 'Fernandez & Mali, "TeLU Activation Function for Fast and Stable Deep Learning", 2024',
  convention: "f' = tanh(eˣ) + x·eˣ·sech²(eˣ); eˣ is evaluated as e^min(x, 5), exact in float32 and float64. The other published TeLU (ELU with trainable α) is 'trainable_elu'",
  handWritten: "stability: eˣ is evaluated as e^min(x, 5) (exact: tanh(eˣ) is 1 beyond), a cap that f' must not differentiate (a formula's min would)",
  range: [-6, 4],
  derivativeReadsOutput: false,
  cpu: {
    f: (x) => x * Math.tanh(Math.exp(Math.min(x, CAP))),
    df: (x) => {
      const e = Math.exp(Math.min(x, CAP));
      const t = Math.tanh(e);
      return t + x * e * (1 - t * t);
    },
  },
  wgsl: {
    // gs_tanh: WGSL's tanh can give NaN for large and 0 for tiny arguments (see math.ts).
    helpers: WGSL_TANH,
    f: 'return x * gs_tanh(exp(min(x, 5.0)));',
    df: 'let e = exp(min(x, 5.0)); let t = gs_tanh(e); return t + x * e * (1.0 - t * t);',
  },
};
