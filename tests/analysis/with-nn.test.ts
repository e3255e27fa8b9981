// The analyses on models and loaders from gs.nn.mlp and gs.data, as examples and the CLI use them.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';

const ce = (out: gs.Tensor, y: Int32Array) => gs.losses.crossEntropy(out, y);

describeBackends('analysis with gs.nn.mlp and gs.data', () => {
  it('deadNeurons and layerOutputs stream a DataLoader, exactly', async () => {
    const model = gs.nn.mlp({ input: 2, hidden: [16, 16], output: 2, activation: 'relu', seed: 3 });
    const loader = new gs.data.DataLoader(gs.data.moons({ n: 100, seed: 1 }), { batchSize: 32 });
    const dead = await gs.analysis.deadNeurons(model, loader);
    expect(dead.samples).toBe(100);
    expect(dead.layers.map((l) => [l.name, l.units])).toEqual([['1', 16], ['3', 16]]);
    // The same counts from the activations read back, batch by batch.
    const nonZero = [new Array(16).fill(0), new Array(16).fill(0)];
    for (const { x } of loader) {
      const outs: gs.Tensor[] = [];
      gs.noGrad(() => model.forwardWithOutputs(x, (i, _m, out) => { if (i === 1 || i === 3) outs.push(out); }));
      for (const [k, out] of outs.entries()) {
        const v = await out.toArray();
        for (let i = 0; i < v.length; i++) if (v[i] !== 0) nonZero[k][i % 16]++;
      }
    }
    dead.layers.forEach((l, k) => expect(l.deadUnits).toEqual(nonZero[k].flatMap((c, u) => (c === 0 ? [u] : []))));

    const outputs = await gs.analysis.layerOutputs(model, loader);
    expect(outputs.samples).toBe(100);
    expect(outputs.layers.map((l) => l.name)).toEqual(['1', '3', '4']);
    expect(outputs.layers[0].stats.count).toBe(1600);
    expect(outputs.layers[0].stats.min).toBe(0);
  });

  it('20 layers at initialisation: sigmoid vanishes, tanh with he_normal does not', async () => {
    const b = { x: gs.randn([32, 8], { seed: 2 }), y: Int32Array.from({ length: 32 }, (_, i) => i % 4) };
    const hidden = new Array(19).fill(32);
    const sigmoid = await gs.analysis.gradientStats(gs.nn.mlp({ input: 8, hidden, output: 4, activation: 'sigmoid', seed: 1 }), b, ce);
    expect(sigmoid.layers[0].vanishing).toBe(true);
    const tanh = await gs.analysis.gradientStats(gs.nn.mlp({ input: 8, hidden, output: 4, activation: 'tanh', init: 'he_normal', seed: 1 }), b, ce);
    expect(tanh.layers).toHaveLength(20);
    for (const l of tanh.layers) {
      expect(l.vanishing, l.name).toBe(false);
      expect(l.exploding, l.name).toBe(false);
    }
    // He's gain 2 is above tanh's critical 1: the gradient norm stays of order one and
    // grows going down (hidden layers 1-18 share one width) instead of shrinking.
    for (const l of tanh.layers) expect(l.relativeNorm).toBeGreaterThan(0.3);
    for (const l of tanh.layers) expect(l.relativeNorm).toBeLessThan(3);
    expect(tanh.layers[1].relativeNorm).toBeGreaterThan(tanh.layers[18].relativeNorm);
  });
});
