// Per-layer gradient flow: for one batch, the statistics of each Linear layer's weight
// and bias gradients, each layer's gradient norm relative to the output layer's, and
// the layers whose gradients vanish or explode (the picture of Glorot & Bengio, 2010).

import { tidy } from '../../engine/memory';
import type { Tensor } from '../../engine/tensor';
import type { Module } from '../module';
import { withFreshGrads } from './device';
import { linearLayers } from './layers';
import { tensorStats, type HistogramOptions, type Stats } from './stats';

export type LossFn = (output: Tensor, target: any) => Tensor;

export interface GradientStatsOptions extends HistogramOptions {
  /** A layer is vanishing when its weight-gradient L2 is below this fraction of the output layer's (default 1e-3). */
  vanishingThreshold?: number;
  /** A layer is exploding when its weight-gradient L2 is above this multiple of the output layer's (default 1e3). */
  explodingThreshold?: number;
}

export interface LayerGradientStats {
  name: string;
  weight: Stats;
  bias: Stats | null;
  /** This layer's weight-gradient L2 / the output (last) layer's. */
  relativeNorm: number;
  vanishing: boolean;
  exploding: boolean;
}

export interface GradientStats {
  loss: number;
  layers: LayerGradientStats[];
}

/** One forward and backward pass; the model's own gradients (if any) are left as they were. */
export async function gradientStats(
  model: Module,
  batch: { x: Tensor; y?: unknown },
  lossFn: LossFn,
  options: GradientStatsOptions = {},
): Promise<GradientStats> {
  const { vanishingThreshold = 1e-3, explodingThreshold = 1e3 } = options;
  if (!batch || !batch.x) throw new Error('gradientStats: batch must be { x: Tensor, y }');
  const layers = linearLayers(model, 'gradientStats');
  return withFreshGrads(model.parameters(), async () => {
    const lossT = tidy(() => {
      const loss = lossFn(model.forward(batch.x), batch.y);
      if (loss.size !== 1) throw new Error(`gradientStats: lossFn must return a scalar, got shape [${loss.shape.join(', ')}]`);
      loss.backward();
      return loss;
    });
    const loss = await lossT.item();
    lossT.dispose();
    // All layers' reductions are queued before any is read: the waits overlap.
    const raw = await Promise.all(layers.map(async ({ name, module }) => {
      const g = module.weight.grad;
      if (!g) throw new Error(`gradientStats: layer '${name}' got no weight gradient (is it used by forward?)`);
      const biasGrad = module.bias?.grad;
      const [weight, bias] = await Promise.all([tensorStats(g, options), biasGrad ? tensorStats(biasGrad, options) : null]);
      return { name, weight, bias };
    }));
    const outputNorm = raw[raw.length - 1].weight.l2;
    return {
      loss,
      layers: raw.map((r) => {
        const relativeNorm = r.weight.l2 / outputNorm;
        return {
          ...r,
          relativeNorm,
          vanishing: relativeNorm < vanishingThreshold,
          exploding: relativeNorm > explodingThreshold,
        };
      }),
    };
  });
}
