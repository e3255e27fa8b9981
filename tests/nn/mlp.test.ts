import { describe, expect, test } from 'vitest';
import * as gs from '../../index';

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
