import type { ActivationSpec } from '../../engine/activation-spec';
import { sigmoid, WGSL_SIGMOID } from './math';

export const silu: ActivationSpec = {
  name: 'silu',
  aliases: ['SiLU'],
  formula: 'x·σ(x)',
  reference: 'Elfwing, Uchibe & Doya, "Sigmoid-Weighted Linear Units for Neural Network Function Approximation in Reinforcement Learning", 2018',
  handWritten: "speed: f' = s(1 + x(1 − s)) from one σ per element (a derived f' evaluates σ(x) and σ(−x))",
  range: [-6, 6],
  derivativeReadsOutput: false,
  cpu: {
    f: (x) => x * sigmoid(x),
    df: (x) => {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    },
  },
  wgsl: {
    helpers: WGSL_SIGMOID,
    f: 'return x * gs_sigmoid(x);',
    df: 'let s = gs_sigmoid(x); return s * (1.0 + x * (1.0 - s));',
  },
};
