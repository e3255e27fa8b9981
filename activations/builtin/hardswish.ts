import type { ActivationSpec } from '../../engine/activation-spec';

export const hardswish: ActivationSpec = {
  name: 'hardswish',
  aliases: ['Hardswish', 'hard_swish', 'hard_silu'],
  formula: 'x·relu6(x + 3)/6',
  reference: 'Howard et al., "Searching for MobileNetV3", ICCV 2019',
  convention: "as PyTorch: f' = 0 for x < −3, x/3 + ½ for −3 ≤ x ≤ 3 (so f'(−3) = −½, f'(3) = 3/2), 1 above",
  handWritten: "a kink convention: f'(±3) = x/3 + ½ as PyTorch, where max/min in a formula split the gradient at a tie",
  range: [-5, 5],
  derivativeReadsOutput: false,
  kinks: () => [-3, 3],
  cpu: {
    f: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
    df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  },
  wgsl: {
    f: 'return x * gs_clamp(x + 3.0, 0.0, 6.0) / 6.0;',
    df: 'if (x < -3.0) { return 0.0; } if (x <= 3.0) { return x / 3.0 + 0.5; } return 1.0;',
  },
};
