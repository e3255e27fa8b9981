// The engine's contract beyond gradients: the public API names of issue 2, known
// values, every bad-input case, autograd semantics (accumulation, noGrad, detach,
// freeing the graph), tidy/dispose, memory that ops do not leak, and an MLP built
// from raw ops that learns XOR.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import type { Tensor } from '../../index';
import { describeBackends } from '../helpers/backends';
import { cpuBackend } from '../../engine/backend-registry';

async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.toArray());
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(expected[i])),
    );
  }
}

/** The error fn throws (fails the test if it does not throw). */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('setBackend', () => {
  it("'auto' resolves to a string naming what it chose", async () => {
    const chosen = await gs.setBackend('auto');
    expect(chosen).toMatch(/webgpu|cpu/);
    await gs.setBackend('cpu');
  });

  it("resolves to a string naming the backend, and refuses unknown names listing the valid ones", async () => {
    const chosen = await gs.setBackend('cpu');
    expect(typeof chosen).toBe('string');
    expect(chosen).toMatch(/cpu/);
    await expect(gs.setBackend('tpu' as 'cpu')).rejects.toThrow(/'tpu'.*'cpu', 'webgpu', 'auto'/);
  });
});

describeBackends('engine semantics', (backend) => {
  describe('public API of issue 2', () => {
    it('gs.tensor from nested arrays and from a Float32Array with a shape; shape, size, toArray, item', async () => {
      const x = gs.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      expect(x.shape).toEqual([2, 2]);
      expect(x.size).toBe(4);
      expect(x.requiresGrad).toBe(true);
      const flat = await x.toArray();
      expect(flat).toBeInstanceOf(Float32Array);
      expect(Array.from(flat)).toEqual([1, 2, 3, 4]);
      const y = gs.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
      expect(y.shape).toEqual([3, 2]);
      expect(await values(y)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await gs.tensor([[7.5]]).item()).toBe(7.5);
      expect(y.backend.name).toBe(backend);
      gs.dispose(x, y);
    });

    it('zeros, ones, full, arange', async () => {
      expect(await values(gs.zeros([2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(await values(gs.ones([3]))).toEqual([1, 1, 1]);
      expect(await values(gs.full([2, 2], -2.5))).toEqual([-2.5, -2.5, -2.5, -2.5]);
      expect(await values(gs.arange(5))).toEqual([0, 1, 2, 3, 4]);
      expect(gs.zeros([2, 3]).shape).toEqual([2, 3]);
    });

    it('rand and randn honour the seed: same seed same values, different seed different values', async () => {
      const a = await values(gs.rand([50], { seed: 7 }));
      const b = await values(gs.rand([50], { seed: 7 }));
      const c = await values(gs.rand([50], { seed: 8 }));
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
      const n = await values(gs.randn([2000], { seed: 3 }));
      expect(n).toEqual(await values(gs.randn([2000], { seed: 3 })));
      const mean = n.reduce((s, v) => s + v, 0) / n.length;
      const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
      expect(Math.abs(mean)).toBeLessThan(0.1);
      expect(Math.abs(variance - 1)).toBeLessThan(0.1);
    });

    it('the same seed gives the same values on this backend as on the CPU', async () => {
      const here = await values(gs.randn([4, 5], { seed: 42 }));
      const onCpu = await gs.withBackend(cpuBackend(), () => gs.randn([4, 5], { seed: 42 })).toArray();
      expect(here).toEqual(Array.from(onCpu));
    });

    it('ops are Tensor methods and gs.* functions; x.matmul(w).add(b).mean().backward() fills .grad', async () => {
      const x = gs.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      const w = gs.tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true });
      const b = gs.tensor([0.1, -0.2], { requiresGrad: true });
      const y = x.matmul(w).add(b).mean();
      expect(await y.item()).toBeCloseTo(((1 * 0.5 + 2 * 2) + (1 * -1 + 2 * 0.25) + (3 * 0.5 + 4 * 2) + (3 * -1 + 4 * 0.25) + 2 * (0.1 - 0.2)) / 4, 5);
      expect(await gs.mean(gs.add(gs.matmul(x, w), b)).item()).toBeCloseTo(await y.item(), 6);
      y.backward();
      // d mean / dx[i][j] = sum_n w[j][n] / 4
      expectClose(await x.grad!.toArray(), [(0.5 - 1) / 4, (2 + 0.25) / 4, (0.5 - 1) / 4, (2 + 0.25) / 4]);
      expectClose(await b.grad!.toArray(), [0.5, 0.5]);
      // dW[j][n] = sum_i x[i][j] / 4
      expectClose(await w.grad!.toArray(), [1, 1, 1.5, 1.5]);
    });

    it('gs.nn.Sequential/Linear, namedParameters, stateDict, loadStateDict, gs.losses.crossEntropy, gs.optim.SGD', async () => {
      const model = new gs.nn.Sequential(new gs.nn.Linear(6, 5, { seed: 1 }), gs.activation('tanh'), new gs.nn.Linear(5, 3, { seed: 2 }));
      const named = model.namedParameters();
      expect(named.map(([n, t]) => [n, [...t.shape]])).toEqual([
        ['0.weight', [5, 6]], ['0.bias', [5]], ['2.weight', [3, 5]], ['2.bias', [3]],
      ]);
      const state = model.stateDict();
      expect(Object.keys(state)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      expect(state['0.weight']).toBe(named[0][1]);
      const x = gs.randn([4, 6], { seed: 5 });
      const loss = gs.losses.crossEntropy(model.forward(x), [0, 1, 2, 1]);
      const opt = new gs.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 });
      const before = await values(named[0][1]);
      opt.zeroGrad();
      loss.backward();
      expect(named.every(([, t]) => t.grad !== null)).toBe(true);
      const g = await values(named[0][1].grad!);
      opt.step();
      // First step with momentum: v = g, p -= lr * g.
      expectClose(await values(named[0][1]), before.map((p, i) => p - 0.1 * g[i]), 1e-5);
      model.loadStateDict({
        '0.weight': new Float32Array(30).fill(0.5),
        '0.bias': [0, 0, 0, 0, 0],
        '2.weight': Array.from({ length: 3 }, () => [1, 2, 3, 4, 5]),
        '2.bias': new Float32Array([1, 2, 3]),
      });
      expect(await values(model.stateDict()['2.bias'])).toEqual([1, 2, 3]);
      expect(await values(model.stateDict()['2.weight'])).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    });
  });

  describe('known values', () => {
    it('softmax of [1000, 1001, 1002] is finite and correct; logSoftmax too', async () => {
      const x = gs.tensor([1000, 1001, 1002]);
      const e = [Math.exp(-2), Math.exp(-1), 1];
      const z = e[0] + e[1] + e[2];
      const s = await x.softmax().toArray();
      expect(Array.from(s).every(Number.isFinite)).toBe(true);
      expectClose(s, e.map((v) => v / z), 1e-6);
      expectClose(await x.logSoftmax().toArray(), e.map((v) => Math.log(v / z)), 1e-5);
      // and very negative logits
      expectClose(await gs.tensor([-1000, -1001, -1002]).softmax().toArray(), [1 / z, e[1] / z, e[0] / z], 1e-6);
    });

    it('softmax over axis 0 of a matrix sums to 1 down each column', async () => {
      const s = await gs.tensor([[1, 2, 3], [4, 0, -1]]).softmax(0).toArray();
      for (let j = 0; j < 3; j++) expect(s[j] + s[3 + j]).toBeCloseTo(1, 6);
      expect(s[3]).toBeCloseTo(Math.exp(4) / (Math.exp(1) + Math.exp(4)), 6);
    });

    it('cross-entropy of a confident correct prediction is near 0; of uniform logits is log(classes)', async () => {
      const confident = await gs.losses.crossEntropy(gs.tensor([[30, 0, 0], [0, 0, 30]]), [0, 2]).item();
      expect(confident).toBeGreaterThanOrEqual(0);
      expect(confident).toBeLessThan(1e-6);
      const uniform = await gs.losses.crossEntropy(gs.zeros([4, 5]), [0, 1, 2, 3]).item();
      expect(uniform).toBeCloseTo(Math.log(5), 5);
      const wrong = await gs.losses.crossEntropy(gs.tensor([[1000, 0]]), [1]).item();
      expect(wrong).toBeCloseTo(1000, 2);
      // label smoothing (PyTorch): (1 - s) * nll + s * mean over classes of -logp
      const logits = [2, 0.5, -1];
      const lse = Math.log(logits.reduce((a, v) => a + Math.exp(v), 0));
      const logp = logits.map((v) => v - lse);
      const expected = 0.8 * -logp[1] + 0.2 * (-logp.reduce((a, v) => a + v, 0) / 3);
      expect(await gs.losses.crossEntropy(gs.tensor([logits]), [1], { labelSmoothing: 0.2 }).item()).toBeCloseTo(expected, 5);
    });

    it('mse and bceWithLogits: known values, and bceWithLogits is stable for huge logits', async () => {
      expect(await gs.losses.mse(gs.tensor([1, 2, 3]), gs.tensor([1, 0, 6])).item()).toBeCloseTo((0 + 4 + 9) / 3, 6);
      expect(await gs.losses.bceWithLogits(gs.zeros([4]), gs.tensor([0, 1, 0, 1])).item()).toBeCloseTo(Math.log(2), 6);
      const stable = await gs.losses.bceWithLogits(gs.tensor([100, -100]), gs.tensor([1, 0])).item();
      expect(stable).toBeGreaterThanOrEqual(0);
      expect(stable).toBeLessThan(1e-6);
      expect(await gs.losses.bceWithLogits(gs.tensor([-100]), gs.tensor([1])).item()).toBeCloseTo(100, 3);
    });

    it('reductions, broadcasting, transpose and matmul on small known inputs', async () => {
      const x = gs.tensor([[1, -2, 3], [4, 5, -6]]);
      expect(await x.sum().item()).toBe(5);
      expect(await values(x.sum(0))).toEqual([5, 3, -3]);
      expect(x.sum(1, true).shape).toEqual([2, 1]);
      expect(x.sum(undefined, true).shape).toEqual([1, 1]);
      expect(await values(x.mean(1))).toEqual([2 / 3, 1].map((v) => Math.fround(v)));
      expect(await values(x.max(1))).toEqual([3, 5]);
      expect(await values(x.min(0))).toEqual([1, -2, -6]);
      expect(await x.max().item()).toBe(5);
      expect(await values(x.add(gs.tensor([[10], [20]])))).toEqual([11, 8, 13, 24, 25, 14]);
      expect(await values(x.transpose())).toEqual([1, 4, -2, 5, 3, -6]);
      expect(await values(x.matmul(gs.tensor([[1], [1], [1]])))).toEqual([2, 3]);
      expect(await values(x.abs().sqrt().pow(2))).toEqual([1, 2, 3, 4, 5, 6].map((v) => expect.closeTo(v, 5)) as unknown as number[]);
      expect(await values(x.clamp(-1, 4))).toEqual([1, -1, 3, 4, 4, -1]);
      expect(await values(x.maximum(0))).toEqual([1, 0, 3, 4, 5, 0]);
      expect(await values(x.reshape([3, 2]))).toEqual([1, -2, 3, 4, 5, -6]);
      expect(x.reshape([-1]).shape).toEqual([6]);
    });

    it('gradients at kinks follow PyTorch: abs\'(0) = 0, maximum splits ties, max splits tied maxima, clamp passes at the bound', async () => {
      const x = gs.tensor([0, -1, 2], { requiresGrad: true });
      x.abs().sum().backward();
      expect(await values(x.grad!)).toEqual([0, -1, 1]);
      const a = gs.tensor([1, 2], { requiresGrad: true });
      const b = gs.tensor([1, 3], { requiresGrad: true });
      a.maximum(b).sum().backward();
      expect(await values(a.grad!)).toEqual([0.5, 0]);
      expect(await values(b.grad!)).toEqual([0.5, 1]);
      const m = gs.tensor([3, 1, 3], { requiresGrad: true });
      m.max().backward();
      expect(await values(m.grad!)).toEqual([0.5, 0, 0.5]);
      const c = gs.tensor([-1, 0, 1, 2], { requiresGrad: true });
      c.clamp(0, 1).sum().backward();
      expect(await values(c.grad!)).toEqual([0, 1, 1, 0]);
    });
  });

  describe('bad input', () => {
    it('mismatched shapes in add (and the other broadcasting ops) name both shapes and the op', () => {
      const e = errorOf(() => gs.ones([2, 3]).add(gs.ones([4])));
      expect(e.message).toMatch(/^add: /);
      expect(e.message).toContain('[2, 3]');
      expect(e.message).toContain('[4]');
      for (const op of ['sub', 'mul', 'div', 'maximum', 'minimum'] as const) {
        const m = errorOf(() => gs[op](gs.ones([3, 2]), gs.ones([2, 3]))).message;
        expect(m).toContain(op);
        expect(m).toContain('[3, 2]');
        expect(m).toContain('[2, 3]');
      }
    });

    it('mismatched shapes in matmul name both shapes and the op', () => {
      const e = errorOf(() => gs.ones([2, 3]).matmul(gs.ones([4, 5])));
      expect(e.message).toMatch(/^matmul: /);
      expect(e.message).toContain('[2, 3]');
      expect(e.message).toContain('[4, 5]');
      expect(errorOf(() => gs.ones([2, 3, 4]).matmul(gs.ones([4, 5]))).message).toMatch(/matmul.*\[2, 3, 4\].*\[4, 5\]/);
    });

    it('backward() on a non-scalar without a gradient says so; with a gradient of the wrong shape names both', () => {
      const x = gs.ones([2, 3], { requiresGrad: true });
      const y = x.mul(2);
      const e = errorOf(() => y.backward());
      expect(e.message).toMatch(/not a scalar/);
      expect(e.message).toContain('[2, 3]');
      expect(errorOf(() => y.backward(gs.ones([3, 2]))).message).toMatch(/\[3, 2\].*\[2, 3\]/);
      expect(errorOf(() => gs.ones([1]).backward()).message).toMatch(/does not require a gradient/);
    });

    it('an unknown activation name lists the valid ones', () => {
      const e = errorOf(() => gs.activation('swishy'));
      expect(e.message).toContain("'swishy'");
      for (const name of ['relu', 'tanh', 'sigmoid']) expect(e.message).toContain(name);
    });

    it('loadStateDict with a missing key, an extra key or a wrong shape names it and changes nothing', async () => {
      const model = new gs.nn.Sequential(new gs.nn.Linear(3, 2, { seed: 1 }), gs.activation('relu'), new gs.nn.Linear(2, 1, { seed: 2 }));
      const snapshot = async () => Promise.all(model.parameters().map((p) => values(p)));
      const before = await snapshot();
      const good = {
        '0.weight': [[1, 2, 3], [4, 5, 6]],
        '0.bias': [1, 2],
        '2.weight': [[7, 8]],
        '2.bias': [9],
      };
      const { ['2.bias']: _dropped, ...missing } = good;
      expect(errorOf(() => model.loadStateDict(missing)).message).toMatch(/missing.*'2\.bias'/);
      expect(errorOf(() => model.loadStateDict({ ...good, '3.weight': [1] })).message).toMatch(/'3\.weight'/);
      const wrong = errorOf(() => model.loadStateDict({ ...good, '2.weight': [[7, 8, 9]] })).message;
      expect(wrong).toContain("'2.weight'");
      expect(wrong).toContain('[1, 3]');
      expect(wrong).toContain('[1, 2]');
      expect(errorOf(() => model.loadStateDict({ ...good, '0.bias': gs.ones([3]) })).message).toMatch(/'0\.bias'.*\[3\].*\[2\]/);
      expect(await snapshot()).toEqual(before);
      model.loadStateDict(good);
      expect(await snapshot()).toEqual([[1, 2, 3, 4, 5, 6], [1, 2], [7, 8], [9]]);
    });

    it('other bad input names the values: reshape, axis, clamp bounds, labels, tensor data', () => {
      expect(errorOf(() => gs.ones([2, 3]).reshape([4, 2])).message).toMatch(/reshape.*\[2, 3\].*\[4, 2\]/);
      expect(errorOf(() => gs.ones([2, 3]).sum(2)).message).toMatch(/axis 2.*rank 2/);
      expect(errorOf(() => gs.ones([2]).clamp(1, 0)).message).toMatch(/clamp.*1.*0/);
      expect(errorOf(() => gs.losses.crossEntropy(gs.ones([2, 3]), [0, 3])).message).toMatch(/label 3.*\[0, 2\]/);
      expect(errorOf(() => gs.losses.crossEntropy(gs.ones([2, 3]), [0])).message).toMatch(/1 labels for 2 rows/);
      expect(errorOf(() => gs.losses.mse(gs.ones([2, 3]), gs.ones([3, 2]))).message).toMatch(/mse.*\[2, 3\].*\[3, 2\]/);
      expect(errorOf(() => gs.tensor([[1, 2], [3]])).message).toMatch(/ragged/);
      expect(errorOf(() => gs.tensor(new Float32Array(5), { shape: [2, 2] })).message).toMatch(/5 values.*\[2, 2\]/);
      expect(errorOf(() => gs.linear(gs.ones([2, 3]), gs.ones([4, 2]), null)).message).toMatch(/linear.*\[2, 3\].*\[4, 2\]/);
    });
  });

  describe('autograd', () => {
    it('accumulates into a tensor used more than once (x·x + x)', async () => {
      const x = gs.tensor([1, -2, 3], { requiresGrad: true });
      x.mul(x).add(x).sum().backward();
      expect(await values(x.grad!)).toEqual([3, -3, 7]);
    });

    it('accumulates into .grad across backward calls, as PyTorch does, until zeroed', async () => {
      const x = gs.tensor([1, 2], { requiresGrad: true });
      x.mul(3).sum().backward();
      x.mul(x).sum().backward();
      expect(await values(x.grad!)).toEqual([5, 7]);
    });

    it('backward with an explicit upstream gradient', async () => {
      const x = gs.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      x.pow(2).backward(gs.tensor([[1, 0], [0.5, -1]]));
      expect(await values(x.grad!)).toEqual([2, 0, 3, -8]);
    });

    it('diamond graphs are visited in topological order (each node once, after all its consumers)', async () => {
      const x = gs.tensor([0.5], { requiresGrad: true });
      const a = x.exp();
      const b = a.mul(a); // e^{2x}
      const c = b.add(a).mul(a); // e^{3x} + e^{2x}
      c.sum().backward();
      expect((await values(x.grad!))[0]).toBeCloseTo(3 * Math.exp(1.5) + 2 * Math.exp(1), 4);
    });

    it('noGrad records nothing', () => {
      const x = gs.ones([2], { requiresGrad: true });
      const y = gs.noGrad(() => x.mul(2).add(1));
      expect(y.requiresGrad).toBe(false);
      expect(y.node).toBeNull();
      const z = x.mul(2);
      expect(z.requiresGrad).toBe(true);
      expect(z.node?.op).toBe('affine');
    });

    it('detach shares the values and stops the gradient', async () => {
      const x = gs.tensor([1, 2], { requiresGrad: true });
      const d = x.mul(3).detach();
      expect(d.requiresGrad).toBe(false);
      expect(d.node).toBeNull();
      expect(await values(d)).toEqual([3, 6]);
      x.mul(d).sum().backward();
      expect(await values(x.grad!)).toEqual([3, 6]);
    });

    it('the graph is freed after backward: nodes dropped, a second backward says so, retainGraph allows it', async () => {
      const x = gs.tensor([1, 2], { requiresGrad: true });
      const h = x.exp();
      const loss = h.sum();
      loss.backward();
      expect(loss.node).toBeNull();
      expect(h.node).toBeNull();
      expect(errorOf(() => loss.backward()).message).toMatch(/already freed.*retainGraph/);
      const y = gs.tensor([1, 2], { requiresGrad: true });
      const l2 = y.mul(y).sum();
      l2.backward(undefined, { retainGraph: true });
      expect(l2.node).not.toBeNull();
      l2.backward();
      expect(await values(y.grad!)).toEqual([4, 8]);
      expect(l2.node).toBeNull();
    });

    it('a backward that needs a tensor disposed by tidy names the op and says what to do', () => {
      const x = gs.tensor([1, 2], { requiresGrad: true });
      const loss = gs.tidy(() => x.exp().log().sum());
      const e = errorOf(() => loss.backward());
      expect(e.message).toMatch(/gradient rule of op '(log|exp)'.*was disposed.*inside the tidy\(\)/);
    });

    it('a gradient still flows through a disposed intermediate whose rule needs no values', async () => {
      const x = gs.tensor([1, 2], { requiresGrad: true });
      const h = x.mul(3).add(1);
      const loss = h.sum();
      h.dispose();
      loss.backward();
      expect(await values(x.grad!)).toEqual([3, 3]);
    });

    it('a forward with trainable parameters inside tidy, never backpropagated, frees everything (saved intermediates too)', () => {
      const model = new gs.nn.Sequential(new gs.nn.Linear(3, 4, { seed: 1 }), gs.activation('gelu'), new gs.nn.Linear(4, 2, { seed: 2 }));
      const x = gs.randn([5, 3], { seed: 2 });
      const before = gs.memory().liveBuffers;
      for (let i = 0; i < 3; i++) gs.tidy(() => { model.forward(x); return null; });
      expect(gs.memory().liveBuffers).toBe(before);
    });

    it('gradients flow only to inputs that require them', async () => {
      const a = gs.tensor([1, 2], { requiresGrad: true });
      const b = gs.tensor([3, 4]);
      a.mul(b).sum().backward();
      expect(await values(a.grad!)).toEqual([3, 4]);
      expect(b.grad).toBeNull();
    });
  });

  describe('tidy and dispose', () => {
    it('tidy disposes what fn made except its result; keep() saves a tensor from the scope', async () => {
      let inner: Tensor | null = null;
      let kept: Tensor | null = null;
      const out = gs.tidy(() => {
        inner = gs.ones([3]).mul(2);
        kept = gs.keep(gs.ones([2]));
        return inner.add(1);
      });
      expect(inner!.disposed).toBe(true);
      expect(kept!.disposed).toBe(false);
      expect(out.disposed).toBe(false);
      expect(await values(out)).toEqual([3, 3, 3]);
      // arrays and plain objects of tensors survive too
      const { a, b } = gs.tidy(() => ({ a: gs.ones([1]), b: gs.zeros([1]) }));
      expect(a.disposed || b.disposed).toBe(false);
      const [c] = gs.tidy(() => [gs.ones([1])]);
      expect(c.disposed).toBe(false);
    });

    it('nested tidy hands its result to the outer scope', () => {
      let fromInner: Tensor | null = null;
      gs.tidy(() => {
        fromInner = gs.tidy(() => gs.ones([2]));
        expect(fromInner.disposed).toBe(false);
        return null;
      });
      expect(fromInner!.disposed).toBe(true);
    });

    it('a tidy whose function throws still frees what it made, and rethrows', () => {
      let made: Tensor | null = null;
      const before = gs.memory().liveBuffers;
      expect(errorOf(() => gs.tidy(() => {
        made = gs.ones([4]).mul(3);
        throw new Error('step failed');
      })).message).toBe('step failed');
      expect(made!.disposed).toBe(true);
      expect(gs.memory().liveBuffers).toBe(before);
    });

    it('loading a model its own stateDict changes nothing (no copy of a buffer onto itself)', async () => {
      const model = new gs.nn.Sequential(new gs.nn.Linear(3, 2, { seed: 5 }));
      const before = await values(model.stateDict()['0.weight']);
      model.loadStateDict(model.stateDict());
      expect(await values(model.stateDict()['0.weight'])).toEqual(before);
    });

    it('tidy refuses an async function', () => {
      expect(errorOf(() => gs.tidy(() => Promise.resolve(1))).message).toMatch(/synchronous/);
    });

    it('dispose is idempotent; a disposed tensor cannot be used and says so', () => {
      const x = gs.ones([2, 2]);
      x.dispose();
      x.dispose();
      expect(x.disposed).toBe(true);
      expect(errorOf(() => x.add(1)).message).toMatch(/\[2, 2\] was disposed/);
    });

    it('reshape to the same shape is a new view: disposing it leaves the original alive', async () => {
      const x = gs.tensor([1, 2, 3]);
      const same = x.reshape([3]);
      expect(same).not.toBe(x);
      same.dispose();
      x.flatten().dispose();
      expect(await values(x)).toEqual([1, 2, 3]);
    });

    it('a reshape view keeps the storage alive after the original is disposed', async () => {
      const x = gs.tensor([1, 2, 3, 4]);
      const v = x.reshape([2, 2]);
      x.dispose();
      expect(await values(v)).toEqual([1, 2, 3, 4]);
      v.dispose();
    });

    it('a training step inside tidy (forward, backward, update) leaves only parameters, gradients and optimizer state', () => {
      const model = new gs.nn.Sequential(new gs.nn.Linear(4, 8, { seed: 1 }), gs.activation('tanh'), new gs.nn.Linear(8, 2, { seed: 2 }));
      const opt = new gs.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = gs.randn([16, 4], { seed: 1 });
      const labels = Array.from({ length: 16 }, (_, i) => i % 2);
      const step = () => gs.tidy(() => {
        opt.zeroGrad();
        const loss = gs.losses.crossEntropy(model.forward(x), labels);
        loss.backward();
        opt.step();
        return null;
      });
      step();
      step();
      const live = gs.memory().liveBuffers;
      for (let i = 0; i < 5; i++) step();
      expect(gs.memory().liveBuffers).toBe(live);
    });
  });

  describe('memory: ops and their backward rules free every intermediate', () => {
    const cases: [string, number[][], (...xs: Tensor[]) => Tensor][] = [
      ['add broadcast', [[3, 4], [4]], (a, b) => a.add(b)],
      ['add scalar tensor', [[3, 4], []], (a, b) => gs.add(b, a)],
      ['sub broadcast', [[3, 1], [1, 4]], (a, b) => a.sub(b)],
      ['mul broadcast', [[2, 3], [3]], (a, b) => a.mul(b)],
      ['div broadcast', [[2, 3], [2, 1]], (a, b) => a.div(b)],
      ['maximum with a number', [[2, 3]], (a) => a.maximum(0.2)],
      ['minimum broadcast', [[2, 3], [3]], (a, b) => a.minimum(b)],
      ['number minus tensor', [[4]], (a) => gs.sub(1, a)],
      ['neg', [[4]], (a) => a.neg()],
      ['exp', [[4]], (a) => a.exp()],
      ['log', [[4]], (a) => a.log()],
      ['sqrt', [[4]], (a) => a.sqrt()],
      ['pow', [[4]], (a) => a.pow(3)],
      ['abs', [[4]], (a) => a.abs()],
      ['clamp', [[4]], (a) => a.clamp(0.8, 1.2)],
      ['matmul', [[2, 3], [3, 4]], (a, b) => a.matmul(b)],
      ['transpose', [[2, 3]], (a) => a.transpose()],
      ['reshape', [[2, 3]], (a) => a.reshape([3, 2])],
      ['sum axis', [[2, 3]], (a) => a.sum(1)],
      ['mean keepdim', [[2, 3]], (a) => a.mean(0, true)],
      ['max axis', [[2, 3]], (a) => a.max(1)],
      ['min all', [[2, 3]], (a) => a.min()],
      ['softmax', [[2, 3]], (a) => a.softmax()],
      ['logSoftmax', [[2, 3]], (a) => a.logSoftmax(0)],
      ['relu', [[2, 3]], (a) => a.relu()],
      ['linear + tanh', [[2, 3], [4, 3], [4]], (x, w, b) => gs.linear(x, w, b, (gs.activation('tanh') as gs.nn.Activation).instance)],
      ['linear', [[2, 3], [4, 3]], (x, w) => gs.linear(x, w, null)],
      ['crossEntropy', [[2, 3]], (a) => gs.losses.crossEntropy(a, [0, 2], { reduction: 'none' })],
      ['one input used by both operands', [[3]], (a) => a.mul(a)],
    ];
    it.each(cases)('%s', async (_, shapes, fn) => {
      // Values in [0.5, 2): inside every op's domain.
      const xs = shapes.map((s, i) => gs.rand(s, { seed: i + 1, low: 0.5, high: 2, requiresGrad: true }));
      const baseline = gs.memory().liveBuffers;
      // Everything the user holds is disposed by hand (no tidy), so any buffer left
      // over was leaked by an op or a backward rule.
      const everything: Tensor[] = [];
      const y = fn(...xs);
      const loss = y.sum();
      loss.backward();
      for (const x of xs) everything.push(x.grad!);
      everything.push(y, loss);
      for (const t of everything) t.dispose();
      for (const x of xs) x.grad = null;
      expect(gs.memory().liveBuffers - baseline, 'buffers left after disposing the result and the gradients').toBe(0);
      gs.dispose(...xs);
    });
  });

  it('accumulating into .grad over several backward calls leaks nothing', () => {
    const x = gs.rand([5], { seed: 3, requiresGrad: true });
    const baseline = gs.memory().liveBuffers;
    for (let i = 0; i < 4; i++) {
      const y = x.exp();
      const loss = y.sum();
      loss.backward();
      gs.dispose(y, loss);
    }
    // only x.grad is new
    expect(gs.memory().liveBuffers - baseline).toBe(1);
    x.grad!.dispose();
  });

  it('a 2-layer MLP built from raw ops learns XOR to loss < 0.01', async () => {
    const x = gs.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const target = gs.tensor([[0], [1], [1], [0]]);
    const w1 = gs.randn([2, 8], { seed: 11, std: 1 });
    const b1 = gs.zeros([8]);
    const w2 = gs.randn([8, 1], { seed: 12, std: 0.5 });
    const b2 = gs.zeros([1]);
    const params = [w1, b1, w2, b2];
    for (const p of params) p.requiresGrad = true;
    let last = Infinity;
    for (let step = 0; step < 2000 && last >= 0.005; step++) {
      const loss = gs.tidy(() => {
        const h = x.matmul(w1).add(b1).tanh();
        const out = h.matmul(w2).add(b2);
        const l = gs.losses.mse(out, target);
        l.backward();
        gs.noGrad(() => {
          for (const p of params) {
            const updated = p.sub(p.grad!.mul(0.3));
            p.backend.assign(p.storage, updated.storage, p.size);
            p.grad!.dispose();
            p.grad = null;
          }
        });
        return l;
      });
      if (step % 50 === 0 || step > 1500) last = await loss.item();
      loss.dispose();
    }
    expect(last).toBeLessThan(0.01);
    const out = await gs.noGrad(() => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2)).toArray();
    expect(Array.from(out).map((v) => Math.round(v))).toEqual([0, 1, 1, 0]);
  });
});
