// A backward pass frees what it makes: once it returns, the live device memory is what
// it was before, plus the leaves' new .grad, minus the intermediates the freed graph
// kept for it. Nothing is left to an enclosing tidy() or to the GC. Counted in buffers
// (each storage is one), on both backends, for every op of the catalogue.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import type { Tensor } from '../../index';
import { describeBackends } from '../helpers/backends';
import { caseValues, OP_CASES } from './op-cases';

const liveBuffers = () => gs.memory().liveBuffers;

/** The tensors the graph behind y keeps for backward (freed with it). */
function savedIn(y: Tensor): Set<Tensor> {
  const saved = new Set<Tensor>();
  const seen = new Set<Tensor>();
  const walk = (t: Tensor) => {
    if (seen.has(t)) return;
    seen.add(t);
    for (const s of t.node?.saved ?? []) saved.add(s);
    for (const input of t.node?.inputs ?? []) walk(input);
  };
  walk(y);
  return saved;
}

describeBackends('backward memory', () => {
  it('leaves live memory as before, plus the leaves\' gradients, minus the freed graph: every op of the catalogue', () => {
    for (const c of OP_CASES) {
      const xs = caseValues(c, 3).map((v, i) => gs.tensor(v, { shape: c.shapes[i], requiresGrad: true }));
      const y = c.fn(...xs);
      // A non-scalar gets the caller's gradient, which backward must leave alive.
      const gradient = y.size === 1 ? undefined : gs.onesLike(y);
      const freedWithGraph = savedIn(y).size;
      const before = liveBuffers();
      y.backward(gradient);
      const grads = xs.filter((x) => x.grad).length;
      expect(liveBuffers(), c.name).toBe(before + grads - freedWithGraph);
      expect(gradient?.disposed ?? false, c.name).toBe(false);
      gs.dispose(gradient, y, ...xs.map((x) => x.grad), ...xs);
    }
  });

  it('accumulating into an existing .grad, and through a graph kept with retainGraph, frees the old sums', () => {
    const x = gs.tensor([[1, -2, 3], [0.5, 4, -1]], { requiresGrad: true });
    const w = gs.tensor([[0.2, -0.1], [0.3, 0.4], [-0.5, 0.6]], { requiresGrad: true });
    const loss = x.matmul(w).tanh().mul(x.matmul(w)).sum();
    loss.backward(undefined, { retainGraph: true });
    const afterFirst = liveBuffers();
    loss.backward(undefined, { retainGraph: true });
    loss.backward(undefined, { retainGraph: true });
    expect(liveBuffers()).toBe(afterFirst);
    gs.dispose(loss, x.grad, w.grad, x, w);
  });

  it('a training step of a fused network leaves memory as before once its loss is freed', async () => {
    const model = new gs.nn.Sequential(
      new gs.nn.Linear(4, 6, { seed: 1 }),
      gs.activation('prelu', { channels: 6 }),
      new gs.nn.Linear(6, 3, { seed: 2 }),
    );
    const x = gs.randn([5, 4], { seed: 3 });
    const step = () => gs.tidy(() => {
      model.zeroGrad();
      gs.losses.crossEntropy(model.forward(x), [0, 2, 1, 1, 0]).backward();
    });
    step(); // the first step makes the parameters' .grad
    const before = liveBuffers();
    step();
    expect(liveBuffers()).toBe(before);
    model.dispose();
    x.dispose();
  });
});
