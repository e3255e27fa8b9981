import { describe, expect, test } from 'vitest';
import * as gs from '../../index';
import { describeBackends, maxRelDiff } from '../helpers/backends';

describe('gs.nn.mlp', () => {
  test('builds SimpleNetwork with torch.nn.Sequential keys and shapes', () => {
    const model = gs.nn.mlp({ input: 784, hidden: [256, 192, 128, 64], output: 10, activation: 'relu', seed: 1 });
    const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      '0.weight': [256, 784], '0.bias': [256],
      '2.weight': [192, 256], '2.bias': [192],
      '4.weight': [128, 192], '4.bias': [128],
      '6.weight': [64, 128], '6.bias': [64],
      '8.weight': [10, 64], '8.bias': [10],
    });
    expect(model.layers.length).toBe(9);
    model.dispose();
  });

  test('noActivation gives consecutive Linears', () => {
    const model = gs.nn.mlp({ input: 4, hidden: [3, 5], output: 2, noActivation: true, seed: 1 });
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias']);
    model.dispose();
  });

  test('the same seed gives identical weights for every activation; another seed does not', async () => {
    const weights = async (activation: string, seed: number) => {
      const m = gs.nn.mlp({ input: 6, hidden: [5, 4], output: 3, activation, seed });
      const out = await Promise.all(m.parameters().map((p) => p.toArray()));
      m.dispose();
      return out;
    };
    const relu = await weights('relu', 7);
    expect(await weights('tanh', 7)).toEqual(relu);
    expect(await weights('sigmoid', 7)).toEqual(relu);
    expect(await weights('relu', 8)).not.toEqual(relu);
    // Layers get different streams.
    expect(relu[2].slice(0, 4)).not.toEqual(relu[0].slice(0, 4));
  });

  test('pytorch_default bounds: weights and biases within ±1/√fan_in', async () => {
    const m = gs.nn.mlp({ input: 100, hidden: [50], output: 10, seed: 3 });
    for (const [name, p] of m.namedParameters()) {
      const fanIn = name.startsWith('0.') ? 100 : 50;
      const values = await p.toArray();
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
      // With hundreds of draws the largest comes close to the bound.
      if (values.length >= 500) expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.95 / Math.sqrt(fanIn));
    }
    m.dispose();
  });

  test('forward runs and gives [batch, output]', async () => {
    const m = gs.nn.mlp({ input: 3, hidden: [4], output: 2, activation: 'tanh', seed: 2 });
    const y = m.forward(gs.tensor([[1, 2, 3], [0, -1, 0.5]]));
    expect(y.shape).toEqual([2, 2]);
    expect((await y.toArray()).every(Number.isFinite)).toBe(true);
    m.dispose();
  });

  test('bad options are refused with the values named', () => {
    expect(() => gs.nn.mlp({ input: 0, hidden: [3], output: 2 })).toThrow(/input must be a positive integer, got 0/);
    expect(() => gs.nn.mlp({ input: 3, hidden: [3, -1], output: 2 })).toThrow(/hidden must be an array of positive integers, got \[3,-1\]/);
    expect(() => gs.nn.mlp({ input: 3, hidden: [3], output: 2, activation: 'nope' })).toThrow(/nope/);
  });
});

// shareActivation: the chapter's SimpleNetwork places one activation module after every
// hidden layer (001, dldna chapter_04/models/base.py adds the same act_func object to each).
describeBackends('gs.nn.mlp shareActivation', () => {
  test('one parameter set in parameters(), its gradient the sum of every layer\'s, as one module per layer would give separately', async () => {
    const options = { input: 5, hidden: [4, 3, 6], output: 2, activation: 'prelu', seed: 11 } as const;
    const shared = gs.nn.mlp({ ...options, shareActivation: true });
    const separate = gs.nn.mlp(options);
    // The same module object after each hidden Linear; listed once, under its first name.
    expect(shared.layers[1]).toBe(shared.layers[3]);
    expect(shared.layers[3]).toBe(shared.layers[5]);
    expect(Object.keys(shared.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '2.weight', '2.bias', '4.weight', '4.bias', '6.weight', '6.bias']);
    expect(shared.parameters()).toHaveLength(9);
    expect(separate.parameters()).toHaveLength(11);
    const x = gs.tensor(Array.from({ length: 8 * 5 }, (_, i) => Math.sin(i * 1.7) * 2), { shape: [8, 5] });
    const y = Int32Array.from([0, 1, 1, 0, 1, 0, 0, 1]);
    for (const model of [shared, separate]) {
      const loss = gs.losses.crossEntropy(model.forward(x), y);
      loss.backward();
    }
    const alphaGrad = await shared.stateDict()['1.weight'].grad!.toArray();
    const perLayer = await Promise.all(['1.weight', '3.weight', '5.weight'].map((k) => separate.stateDict()[k].grad!.toArray()));
    const sum = perLayer.reduce((a, g) => a + g[0], 0);
    expect(perLayer.every((g) => g[0] !== 0)).toBe(true);
    expect(alphaGrad[0]).toBeCloseTo(sum, 5);
    // The Linears' gradients are those of the separate network (same weights, same α = 0.25).
    expect(maxRelDiff(await shared.stateDict()['0.weight'].grad!.toArray(), await separate.stateDict()['0.weight'].grad!.toArray())).toBeLessThan(1e-5);
    // One optimizer step moves α once, by lr × the summed gradient.
    const opt = new gs.optim.SGD(shared.parameters(), { lr: 0.1 });
    opt.step();
    expect((await shared.stateDict()['1.weight'].toArray())[0]).toBeCloseTo(0.25 - 0.1 * alphaGrad[0], 6);
    opt.dispose();
    shared.dispose();
    separate.dispose();
    x.dispose();
  });
});
