import { channelValue, type ActivationSpec } from '../../engine/activation-spec';

export const prelu: ActivationSpec = {
  name: 'prelu',
  aliases: ['PReLU'],
  formula: 'x if x > 0, else a·x (a trainable, shared or one per channel)',
  reference: 'He et al., "Delving Deep into Rectifiers", ICCV 2015',
  convention:
    "as PyTorch: f'(0) = a, ∂f/∂a = x for x ≤ 0 (0 above). The parameter is named 'weight' as in " +
    "torch.nn.PReLU, so stateDict() keys read '<index>.weight' and load into PyTorch unchanged. " +
    "One shared a by default; gs.activation('prelu', { channels: C }) gives one per channel (last axis)",
  range: [-4, 4],
  params: [{ name: 'weight', default: 0.25, trainable: true, perChannel: true, description: 'the negative slope a' }],
  kinks: () => [0],
  cpu: {
    f: (x, p, ch) => (x > 0 ? x : channelValue(p.weight, ch) * x),
    df: (x, _y, p, ch) => (x > 0 ? 1 : channelValue(p.weight, ch)),
    dparams: { weight: (x) => (x > 0 ? 0 : x) },
  },
  wgsl: {
    f: 'return select(p_weight(ch) * x, x, x > 0.0);',
    df: 'return select(p_weight(ch), 1.0, x > 0.0);',
    dparams: { weight: 'return select(x, 0.0, x > 0.0);' },
  },
};
