import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { batch } from './models';

function reluNet(bias: number[]): gs.nn.Sequential {
  const model = new gs.nn.Sequential(new gs.nn.Linear(4, bias.length, { seed: 3 }), gs.activation('relu'), new gs.nn.Linear(bias.length, 2, { seed: 4 }));
  const state = Object.fromEntries(model.namedParameters().map(([k, t]) => [k, gs.noGrad(() => t.clone())]));
  model.loadStateDict({ ...state, '0.bias': Float32Array.from(bias) });
  return model;
}

const data = () => [batch(16, 4, 2, 1), batch(16, 4, 2, 2), batch(5, 4, 2, 3)];

describeBackends('analysis.deadNeurons', () => {
  it('a ReLU layer with bias −100 is 100% dead, one with bias +100 is 0% dead', async () => {
    // |w·x| ≤ 4 · 0.5 · max|x| is far below 100 for standard-normal inputs.
    const dead = await gs.analysis.deadNeurons(reluNet(new Array(6).fill(-100)), data());
    expect(dead.samples).toBe(37);
    expect(dead.layers).toEqual([{ name: '1', activation: 'relu', units: 6, dead: 6, ratio: 1, deadUnits: [0, 1, 2, 3, 4, 5] }]);
    const alive = await gs.analysis.deadNeurons(reluNet(new Array(6).fill(100)), data());
    expect(alive.layers[0]).toMatchObject({ units: 6, dead: 0, ratio: 0, deadUnits: [] });
  });

  it('counts exactly which units are dead, streaming over an async loader', async () => {
    async function* loader() {
      for (const b of data()) yield b;
    }
    const dead = await gs.analysis.deadNeurons(reluNet([-100, 100, -100, 0.5, 100, -100]), loader());
    expect(dead.layers[0].deadUnits).toEqual([0, 2, 5]);
    expect(dead.layers[0].ratio).toBe(0.5);
  });

  it('matches a count made from the activations read back', async () => {
    const model = reluNet([0.3, -0.8, -1.5, 0.1, -2.5, -0.4]);
    const batches = data();
    const nonZero = new Array(6).fill(0);
    for (const { x } of batches) {
      const h = gs.noGrad(() => model.layers[1].forward(model.layers[0].forward(x)));
      const v = await h.toArray();
      for (let i = 0; i < v.length; i++) if (v[i] !== 0) nonZero[i % 6]++;
    }
    const expected = nonZero.map((c, i) => (c === 0 ? i : -1)).filter((i) => i >= 0);
    const dead = await gs.analysis.deadNeurons(model, batches);
    expect(dead.layers[0].deadUnits).toEqual(expected);
  });
});

describe('analysis.deadNeurons input checks', () => {
  it('names what is wrong', async () => {
    await expect(gs.analysis.deadNeurons(reluNet([1, 1]), 5 as never)).rejects.toThrow(/iterable/);
    await expect(gs.analysis.deadNeurons(reluNet([1, 1]), [])).rejects.toThrow(/no batches/);
    await expect(gs.analysis.deadNeurons(new gs.nn.Linear(2, 2), data())).rejects.toThrow(/Sequential/);
  });
});
