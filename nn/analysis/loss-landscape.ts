// The loss over a 2-D plane through the current weights θ along two random directions
// d₁, d₂: L(θ + α d₁ + β d₂) (Li et al., 2018, "Visualizing the Loss Landscape of
// Neural Nets"). Directions are filter-normalised: each row (one output unit's
// filter) of a weight matrix is scaled to the norm of the same row of θ, so the plot
// does not depend on the weights' scale; 1-D parameters (biases, activation
// parameters) get a zero direction, as the paper's default. The weights are restored
// bit for bit afterwards.

import { noGrad } from '../../engine/autograd';
import { randn } from '../../engine/creation';
import { tidy } from '../../engine/memory';
import type { Tensor } from '../../engine/tensor';
import type { Module } from '../module';
import { assignAll, linspace, readScalars, snapshot } from './device';
import type { LossFn } from './gradient-stats';

export interface LossLandscapeOptions {
  /** α and β run over [-range, range] (default 1). */
  range?: number;
  /** Grid points per axis (default 21; odd puts θ itself at the centre). */
  points?: number;
  seed?: number;
}

export interface LossLandscape {
  alpha: number[];
  beta: number[];
  /** points × points, row-major, one row per β: loss[j·points + i] = L(θ + alpha[i] d₁ + beta[j] d₂). */
  loss: Float32Array;
}

/** A random direction shaped like `param`, filter-normalised (rows scaled to θ's row norms). */
export function filterNormalizedDirection(param: Tensor, seed: number): Tensor {
  return noGrad(() => tidy(() => {
    if (param.rank < 2) return param.mul(0);
    const rows = param.reshape([param.shape[0], -1]);
    const d = randn(rows.shape, { seed });
    const rowNorms = (t: Tensor) => t.mul(t).sum(1, true).sqrt();
    return d.mul(rowNorms(rows)).div(rowNorms(d).add(1e-10)).reshape(param.shape);
  }));
}

export async function lossLandscape(
  model: Module,
  batch: { x: Tensor; y?: unknown },
  lossFn: LossFn,
  options: LossLandscapeOptions = {},
): Promise<LossLandscape> {
  const { range = 1, points = 21, seed = 0 } = options;
  if (!(range > 0)) throw new Error(`lossLandscape: range must be a positive number, got ${range}`);
  const params = model.parameters();
  if (params.length === 0) throw new Error('lossLandscape: the model has no parameters');
  const alpha = linspace(-range, range, points);
  const beta = linspace(-range, range, points);
  const origin = snapshot(params);
  const d1 = params.map((p, i) => filterNormalizedDirection(p, seed * 104729 + 2 * i));
  const d2 = params.map((p, i) => filterNormalizedDirection(p, seed * 104729 + 2 * i + 1));
  const loss = new Float32Array(points * points);
  try {
    for (let j = 0; j < points; j++) {
      const row: Tensor[] = [];
      for (let i = 0; i < points; i++) {
        const moved = noGrad(() => origin.map((o, k) => tidy(() => o.add(d1[k].mul(alpha[i])).add(d2[k].mul(beta[j])))));
        assignAll(params, moved);
        for (const m of moved) m.dispose();
        row.push(noGrad(() => tidy(() => {
          const l = lossFn(model.forward(batch.x), batch.y);
          if (l.size !== 1) throw new Error(`lossLandscape: lossFn must return a scalar, got shape [${l.shape.join(', ')}]`);
          return l;
        })));
      }
      // Read one row at a time: few scalars are pending on the device at once.
      loss.set(await readScalars(row), j * points);
    }
  } finally {
    assignAll(params, origin);
    for (const t of [...origin, ...d1, ...d2]) t.dispose();
  }
  return { alpha, beta, loss };
}
