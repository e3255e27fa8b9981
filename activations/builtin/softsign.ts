import type { ActivationSpec } from '../../engine/activation-spec';

export const softsign: ActivationSpec = {
  name: 'softsign',
  aliases: ['Softsign'],
  formula: 'x / (1 + |x|)',
  reference: 'Bergstra et al., "Quadratic polynomials learn better image features", 2009',
  handWritten: "speed: f' = (1 − |y|)² from the output, so the forward keeps nothing extra (a derived f' reads x)",
  range: [-6, 6],
  derivativeUses: 'output',
  cpu: {
    f: (x) => x / (1 + Math.abs(x)),
    // 1 − |y| = 1 / (1 + |x|), so f' = (1 − |y|)².
    df: (_x, y) => (1 - Math.abs(y)) * (1 - Math.abs(y)),
  },
  wgsl: {
    f: 'return x / (1.0 + abs(x));',
    df: 'let s = 1.0 - abs(y); return s * s;',
  },
};
