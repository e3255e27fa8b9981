// Linear: y = x Wᵀ + b with W [out, in], as torch.nn.Linear. Followed by an
// activation inside a Sequential, the pair runs as one fused kernel.

import { tensor } from '../engine/creation';
import { linear } from '../engine/ops';
import { nextAutoSeed } from '../engine/random';
import type { Tensor } from '../engine/tensor';
import { initValues } from './init';
import { Module } from './module';

export interface LinearOptions {
  bias?: boolean;
  /** Initializer name for the weight (default 'pytorch_default'). */
  init?: string;
  /** Initializer for the bias (default: 'pytorch_default' when init is, else 'zeros'). */
  biasInit?: string;
  seed?: number;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const { bias = true, init = 'pytorch_default', seed = nextAutoSeed() } = options;
    const biasInit = options.biasInit ?? (init === 'pytorch_default' ? 'pytorch_default' : 'zeros');
    const ctx = { fanIn: inFeatures, fanOut: outFeatures };
    const w = initValues(init, [outFeatures, inFeatures], { ...ctx, kind: 'weight' }, seed);
    this.weight = this.registerParameter('weight', tensor(w, { shape: [outFeatures, inFeatures] }));
    if (bias) {
      // A different stream than the weight's, derived from the same seed.
      const b = initValues(biasInit, [outFeatures], { ...ctx, kind: 'bias' }, (seed ^ 0x9e3779b9) >>> 0);
      this.bias = this.registerParameter('bias', tensor(b, { shape: [outFeatures] }));
    } else this.bias = null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
