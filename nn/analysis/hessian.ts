// The loss Hessian's largest eigenvalue (the sharpness of the minimum) by power
// iteration on Hessian-vector products, each Hv taken as a central finite difference
// of gradients: Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, exact for a quadratic loss.
// Everything stays on the device except two scalars per iteration.

import { noGrad } from '../../engine/autograd';
import { randn } from '../../engine/creation';
import { tidy } from '../../engine/memory';
import type { Tensor } from '../../engine/tensor';
import type { Module } from '../module';
import { assignAll, dot, readScalars, snapshot, withFreshGrads } from './device';
import type { LossFn } from './gradient-stats';

export interface HessianOptions {
  /** Power iterations (default 20). */
  iterations?: number;
  /** Seed of the random start vector (default 0). */
  seed?: number;
  /** Finite-difference step, relative to max(1, ‖θ‖) (default 1e-3). */
  epsilon?: number;
  /** Stop early when the estimate changes by less than this fraction (default 1e-4). */
  tolerance?: number;
}

export interface HessianResult {
  /** The dominant eigenvalue (largest in magnitude), as the Rayleigh quotient vᵀHv. */
  eigenvalue: number;
  iterations: number;
  /** The estimate after each iteration. */
  history: number[];
}

export async function hessianTopEigenvalue(
  model: Module,
  batch: { x: Tensor; y?: unknown },
  lossFn: LossFn,
  options: HessianOptions = {},
): Promise<HessianResult> {
  const { iterations = 20, seed = 0, epsilon = 1e-3, tolerance = 1e-4 } = options;
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`hessianTopEigenvalue: iterations must be a positive integer, got ${iterations}`);
  const params = model.parameters();
  if (params.length === 0) throw new Error('hessianTopEigenvalue: the model has no trainable parameters');
  const origin = snapshot(params);
  return withFreshGrads(params, async () => {
    try {
      const [thetaNorm] = await readScalars([noGrad(() => tidy(() => dot(origin, origin).sqrt()))]);
      const step = epsilon * Math.max(1, thetaNorm);

      /** ∇L at θ + s·v (the gradients are handed over, the parameters left moved). */
      const gradientAt = (s: number, v: Tensor[]): Tensor[] => {
        const moved = noGrad(() => origin.map((o, i) => tidy(() => o.add(v[i].mul(s)))));
        assignAll(params, moved);
        for (const m of moved) m.dispose();
        tidy(() => {
          const loss = lossFn(model.forward(batch.x), batch.y);
          loss.backward();
        });
        return params.map((p, i) => {
          const g = p.grad ?? noGrad(() => origin[i].mul(0));
          p.grad = null;
          return g;
        });
      };

      let v = params.map((p, i) => randn(p.shape, { seed: seed * 7919 + i }));
      const [startNorm] = await readScalars([noGrad(() => tidy(() => dot(v, v).sqrt()))]);
      v = noGrad(() => v.map((t) => { const u = t.div(startNorm); t.dispose(); return u; }));
      const history: number[] = [];
      for (let it = 0; it < iterations; it++) {
        const plus = gradientAt(step, v);
        const minus = gradientAt(-step, v);
        const hv = noGrad(() => plus.map((g, i) => { const d = g.sub(minus[i]); const h = d.div(2 * step); d.dispose(); return h; }));
        for (const g of [...plus, ...minus]) g.dispose();
        const [rayleigh, norm] = await readScalars([dot(v, hv), noGrad(() => tidy(() => dot(hv, hv).sqrt()))]);
        for (const t of v) t.dispose();
        history.push(rayleigh);
        if (norm === 0) {
          for (const t of hv) t.dispose();
          break;
        }
        v = noGrad(() => hv.map((t) => { const u = t.div(norm); t.dispose(); return u; }));
        const previous = history[history.length - 2];
        if (previous !== undefined && Math.abs(rayleigh - previous) <= tolerance * Math.abs(rayleigh)) break;
      }
      for (const t of v) if (!t.disposed) t.dispose();
      return { eigenvalue: history[history.length - 1], iterations: history.length, history };
    } finally {
      assignAll(params, origin);
      for (const o of origin) o.dispose();
    }
  });
}
