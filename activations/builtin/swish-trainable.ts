import type { ActivationSpec } from '../../engine/activation-spec';
import { swishCpu, swishWgsl } from './swish';

export const swishTrainable: ActivationSpec = {
  name: 'swish_trainable',
  aliases: ['swish_beta', 'trainable_swish'],
  formula: 'x·σ(βx), β trainable',
  reference: 'Ramachandran, Zoph & Le, "Searching for Activation Functions", 2017 (Swish-β)',
  convention: 'β starts at 1 (silu); ∂f/∂β = x²·σ(βx)(1 − σ(βx))',
  handWritten: "speed and the saturated tails: f' and ∂f/∂β from one σ, skipping the products where σ' underflows (β·x may be huge there)",
  range: [-6, 6],
  derivativeReadsOutput: false,
  params: [{ name: 'beta', default: 1, trainable: true }],
  cpu: swishCpu,
  wgsl: swishWgsl,
};
