// The fused Linear+activation kernel (built from each spec) gives the same values and
// gradients as the linear op followed by the activation op, for every elementwise built-in.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { activation as activationOp, linear } from '../../engine/ops';
import { describeBackends, maxRelDiff } from '../helpers/backends';

const elementwise = () => gs.activations.names().map((n) => gs.activations.get(n)).filter((s) => s.kind !== 'output');

describeBackends('fused linear + activation', () => {
  it('fused Linear+activation equals linear then activation, forward and backward, for every elementwise built-in', async () => {
    const xv = [[0.3, -1.2, 0.8], [-0.7, 0.1, 1.5], [2.0, -0.4, -0.9], [0.05, 0.6, -2.2]];
    const wv = [[0.5, -0.3, 0.8], [-1.1, 0.4, 0.2], [0.7, 0.9, -0.6], [0.1, -0.8, 0.3], [1.2, 0.2, -0.4]];
    const bv = [0.1, -0.2, 0.3, 0.05, -0.15];
    for (const spec of elementwise()) {
      const results: number[][][] = [];
      for (const fused of [true, false]) {
        const module = gs.activation(spec.name);
        module.eval();
        const act = (module as gs.nn.Activation).instance;
        const x = gs.tensor(xv, { requiresGrad: true });
        const w = gs.tensor(wv, { requiresGrad: true });
        const b = gs.tensor(bv, { requiresGrad: true });
        const y = fused ? linear(x, w, b, act) : activationOp(linear(x, w, b, null), act);
        y.mul(gs.tensor([[1, 2, 3, 4, 5]])).sum().backward();
        const trainable = module.parameters();
        results.push(await Promise.all([y, x.grad!, w.grad!, b.grad!, ...trainable.map((p) => p.grad!)].map(async (t) => Array.from(await t.toArray()))));
      }
      results[0].forEach((v, i) => {
        expect(maxRelDiff(v, results[1][i]), `${spec.name}: fused vs unfused, tensor ${i}`).toBeLessThanOrEqual(1e-5);
      });
    }
  });

});
