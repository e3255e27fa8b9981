// Hessian top eigenvalue and loss landscape on quadratics whose answers are known.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { batch, crossEntropy, mlp } from './models';

/** A bias-free Linear(in, 1) with the given weights: with mse, the loss is a quadratic in w. */
function linearModel(w: number[]): gs.nn.Sequential {
  const model = new gs.nn.Sequential(new gs.nn.Linear(w.length, 1, { bias: false, seed: 1 }));
  model.loadStateDict({ '0.weight': [w] });
  return model;
}

const mse = (out: gs.Tensor, y: gs.Tensor) => gs.losses.mse(out, y);

async function weights(model: gs.nn.Module): Promise<Float32Array[]> {
  return Promise.all(model.parameters().map((p) => p.toArray()));
}

describeBackends('analysis.hessianTopEigenvalue', () => {
  it('finds the top eigenvalue of a quadratic loss with a known Hessian', async () => {
    // L(w) = mean((Xw − y)²) over 2 rows, X = diag(3, 1): H = (2/2)·XᵀX = diag(9, 1).
    const model = linearModel([0.3, -0.7]);
    const b = { x: gs.tensor([[3, 0], [0, 1]]), y: gs.tensor([[1], [2]]) };
    const before = await weights(model);
    const r = await gs.analysis.hessianTopEigenvalue(model, b, mse, { iterations: 50, seed: 3 });
    expect(r.eigenvalue).toBeCloseTo(9, 3);
    expect(r.iterations).toBeLessThan(50); // converged and stopped early
    expect(r.history).toHaveLength(r.iterations);
    expect(await weights(model)).toEqual(before);
    for (const p of model.parameters()) expect(p.grad).toBeNull();
  });

  it('a rotated quadratic: H = 2/n XᵀX with a dense X', async () => {
    // X = [[1, 2], [2, 1]] / √2 rows → XᵀX = [[2.5, 2], [2, 2.5]], H = XᵀX (n = 2): eigenvalues 4.5 and 0.5.
    const s = Math.SQRT1_2;
    const model = linearModel([1, 1]);
    const b = { x: gs.tensor([[s, 2 * s], [2 * s, s]]), y: gs.tensor([[0], [0]]) };
    const r = await gs.analysis.hessianTopEigenvalue(model, b, mse, { iterations: 40, seed: 1 });
    expect(r.eigenvalue).toBeCloseTo(4.5, 3);
  });
});

describeBackends('analysis.lossLandscape', () => {
  it('at the origin equals the model\'s loss, and restores the weights bit for bit', async () => {
    const model = mlp([4, 6, 3], 'tanh', 8);
    const b = batch(10, 4, 3, 2);
    const before = await weights(model);
    const expected = await crossEntropy(model.forward(b.x), b.y).item();
    const land = await gs.analysis.lossLandscape(model, b, crossEntropy, { range: 0.5, points: 5, seed: 4 });
    expect(land.alpha).toEqual([-0.5, -0.25, 0, 0.25, 0.5]);
    expect(land.beta).toEqual(land.alpha);
    expect(land.loss).toHaveLength(25);
    expect(land.loss[12]).toBe(Math.fround(expected));
    expect(await weights(model)).toEqual(before);
    // Away from the origin the loss changes, and every value is finite.
    expect(new Set(land.loss).size).toBeGreaterThan(20);
    for (const v of land.loss) expect(Number.isFinite(v)).toBe(true);
  });

  it('is symmetric through a quadratic\'s minimum: L(α, β) = L(−α, −β), growing as (α, β)²', async () => {
    const wStar = [0.5, -1, 2];
    const model = linearModel(wStar);
    const x = gs.randn([6, 3], { seed: 5 });
    const y = gs.noGrad(() => model.forward(x)); // the weights fit exactly: the minimum, loss 0
    const n = 7;
    const land = await gs.analysis.lossLandscape(model, { x, y }, mse, { range: 1, points: n, seed: 2 });
    expect(land.loss[(n * n - 1) / 2]).toBe(0);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const a = land.loss[j * n + i];
        const b = land.loss[(n - 1 - j) * n + (n - 1 - i)];
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * Math.max(1, a));
      }
    }
    // Along a line through the minimum a quadratic scales with the square of the step.
    const c = (n - 1) / 2;
    const half = land.loss[c * n + c + 1]; // α = 1/3
    const full = land.loss[c * n + c + 3]; // α = 1
    expect(full / half).toBeCloseTo(9, 3);
  });

  it('filter-normalised directions: each row has the norm of the weight row, 1-D parameters get none', async () => {
    const w = gs.tensor([[3, 4], [0, 0.5], [1, 1]]);
    const d = gs.analysis.filterNormalizedDirection(w, 7);
    const v = await d.toArray();
    const rowNorm = (a: ArrayLike<number>, r: number) => Math.hypot(a[2 * r], a[2 * r + 1]);
    expect(rowNorm(v, 0)).toBeCloseTo(5, 5);
    expect(rowNorm(v, 1)).toBeCloseTo(0.5, 5);
    expect(rowNorm(v, 2)).toBeCloseTo(Math.SQRT2, 5);
    expect(Array.from(await gs.analysis.filterNormalizedDirection(gs.tensor([1, 2, 3]), 7).toArray())).toEqual([0, 0, 0]);
  });
});
