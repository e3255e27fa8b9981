import { fromExpression } from '../expression/index';

export const prelu = fromExpression({
  name: 'prelu',
  aliases: ['PReLU'],
  f: 'where(x > 0, x, weight * x)',
  formula: 'x if x > 0, else a·x (a trainable, shared or one per channel)',
  reference: 'He et al., "Delving Deep into Rectifiers", ICCV 2015',
  convention:
    "as PyTorch: f'(0) = a, ∂f/∂a = x for x ≤ 0 (0 above). The parameter is named 'weight' as in " +
    "torch.nn.PReLU, so stateDict() keys read '<index>.weight' and load into PyTorch unchanged. " +
    "One shared a by default; gs.activation('prelu', { channels: C }) gives one per channel (last axis)",
  range: [-4, 4],
  params: [{ name: 'weight', default: 0.25, trainable: true, perChannel: true, description: 'the negative slope a' }],
});
