import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { batch, crossEntropy, mlp, reference } from './models';

function close(actual: number, expected: number, rel = 1e-4): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected), 1e-30) + 1e-12);
}

describeBackends('analysis.gradientStats', () => {
  it('gives the figures computed from the gradients read back, and leaves .grad alone', async () => {
    const model = mlp([5, 8, 6, 3], 'tanh', 11);
    const b = batch(12, 5, 3, 7);
    const stats = await gs.analysis.gradientStats(model, b, crossEntropy, { bins: 8 });

    for (const p of model.parameters()) expect(p.grad).toBeNull();
    const loss = crossEntropy(model.forward(b.x), b.y);
    close(stats.loss, await loss.item(), 1e-5);
    loss.backward();
    expect(stats.layers.map((l) => l.name)).toEqual(['0', '2', '4']);
    const names = ['0', '2', '4'];
    for (let i = 0; i < names.length; i++) {
      const layer = stats.layers[i];
      for (const [kind, got] of [['weight', layer.weight], ['bias', layer.bias!]] as const) {
        const g = await model.stateDict()[`${names[i]}.${kind}`].grad!.toArray();
        const ref = reference(g);
        // The mean cancels (softmax gradients sum to 0 per row): compare it on the scale of |g|.
        expect(Math.abs(got.mean - ref.mean)).toBeLessThanOrEqual(1e-5 * ref.meanAbs);
        close(got.std, ref.std, 1e-3);
        close(got.meanAbs, ref.meanAbs);
        close(got.l2, ref.l2);
        expect(got.min).toBe(ref.min);
        expect(got.max).toBe(ref.max);
        expect(got.count).toBe(g.length);
        // The histogram: bins + 1 edges from min to max, counts summing to the size.
        expect(got.histogram.edges).toHaveLength(9);
        close(got.histogram.edges[0], ref.min);
        close(got.histogram.edges[8], ref.max);
        expect(got.histogram.counts.reduce((a, c) => a + c, 0)).toBe(g.length);
        const width = (ref.max - ref.min) / 8;
        const expected = new Array(8).fill(0);
        for (const v of g) expected[Math.min(7, Math.floor((v - ref.min) / width))]++;
        const moved = got.histogram.counts.reduce((a, c, k) => a + Math.abs(c - expected[k]), 0);
        expect(moved).toBeLessThanOrEqual(2); // a value on a bin edge may round either way
      }
    }
    const outputL2 = stats.layers[2].weight.l2;
    stats.layers.forEach((l) => close(l.relativeNorm, l.weight.l2 / outputL2, 1e-6));
    expect(stats.layers[2].relativeNorm).toBe(1);
  });

  it('flags a 20-layer sigmoid MLP at initialisation as vanishing, and not a 3-layer one', async () => {
    const sizes = [10, ...new Array(19).fill(16), 4];
    const deep = mlp(sizes, 'sigmoid', 5);
    const b = batch(32, 10, 4, 9);
    const stats = await gs.analysis.gradientStats(deep, b, crossEntropy);
    expect(stats.layers).toHaveLength(20);
    expect(stats.layers[0].vanishing).toBe(true);
    expect(stats.layers[0].relativeNorm).toBeLessThan(1e-6);
    expect(stats.layers[19].vanishing).toBe(false);
    expect(stats.layers.some((l) => l.exploding)).toBe(false);
    // The norm falls layer after layer going down.
    for (let i = 1; i < 20; i++) expect(stats.layers[i - 1].weight.l2).toBeLessThan(stats.layers[i].weight.l2);

    const shallow = await gs.analysis.gradientStats(mlp([10, 16, 16, 4], 'sigmoid', 5), b, crossEntropy);
    expect(shallow.layers.some((l) => l.vanishing)).toBe(false);
    const strict = await gs.analysis.gradientStats(mlp([10, 16, 16, 4], 'sigmoid', 5), b, crossEntropy, { vanishingThreshold: 2, explodingThreshold: 0.5 });
    expect(strict.layers[0].vanishing || strict.layers[0].exploding).toBe(true);
  });

  it('log-spaced histograms cover every value by decades of |g|', async () => {
    const model = mlp([4, 6, 2], 'relu', 2);
    const stats = await gs.analysis.gradientStats(model, batch(8, 4, 2, 1), crossEntropy, { scale: 'log', bins: 12 });
    const w = stats.layers[0].weight;
    expect(w.histogram.scale).toBe('log');
    expect(w.histogram.counts.reduce((a, c) => a + c, 0)).toBe(24);
    const top = Math.max(Math.abs(w.min), Math.abs(w.max));
    close(w.histogram.edges[12], top, 1e-5);
    close(w.histogram.edges[0], top * 1e-12, 1e-5);
  });

  it('log-spaced histograms say how many gradients are exactly 0 (counted in the first bin, as values below the floor are)', async () => {
    const model = mlp([4, 6, 2], 'relu', 2);
    // Input feature 0 is 0 on every sample: the first layer's weights from it get a gradient of exactly 0.
    const x = gs.tensor(Array.from({ length: 8 }, (_, i) => [0, Math.sin(i + 1), Math.cos(3 * i), 0.5 - i / 8]));
    const y = Array.from({ length: 8 }, (_, i) => i % 2);
    const stats = await gs.analysis.gradientStats(model, { x, y }, crossEntropy, { scale: 'log', bins: 12 });
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    for (const [i, name] of ['0', '2'].entries()) {
      const g = await model.stateDict()[`${name}.weight`].grad!.toArray();
      const zeros = g.filter((v) => v === 0).length;
      const histogram = stats.layers[i].weight.histogram;
      expect(histogram.zeros).toBe(zeros);
      expect(histogram.counts[0]).toBeGreaterThanOrEqual(zeros);
      expect(histogram.counts.reduce((a, c) => a + c, 0)).toBe(g.length);
    }
    expect(stats.layers[0].weight.histogram.zeros).toBeGreaterThanOrEqual(6);
    // Linear histograms put zeros in whichever bin holds 0: no separate count.
    const linear = await gs.analysis.gradientStats(model, { x, y }, crossEntropy, { bins: 12 });
    expect(linear.layers[0].weight.histogram.zeros).toBeUndefined();
  });
});

describeBackends('analysis.layerOutputs', () => {
  it('streams each layer\'s output distribution over the data set', async () => {
    const model = mlp([3, 5, 2], 'relu', 4);
    const batches = [batch(7, 3, 2, 1), batch(9, 3, 2, 2)];
    const result = await gs.analysis.layerOutputs(model, batches, { bins: 10 });
    expect(result.samples).toBe(16);
    // Linear+ReLU is fused: reported under the activation's index.
    expect(result.layers.map((l) => [l.name, l.kind, l.shape])).toEqual([['1', 'relu', [5]], ['2', 'linear', [2]]]);
    const hidden: number[] = [];
    const out: number[] = [];
    for (const { x } of batches) {
      const h = gs.noGrad(() => model.layers[1].forward(model.layers[0].forward(x)));
      hidden.push(...(await h.toArray()));
      out.push(...(await gs.noGrad(() => model.layers[2].forward(h)).toArray()));
    }
    for (const [layer, values] of [[result.layers[0], hidden], [result.layers[1], out]] as const) {
      const ref = reference(values);
      expect(layer.stats.count).toBe(values.length);
      expect(Math.abs(layer.stats.mean - ref.mean)).toBeLessThanOrEqual(1e-5 * ref.meanAbs);
      close(layer.stats.std, ref.std, 1e-3);
      expect(layer.stats.min).toBe(ref.min);
      expect(layer.stats.max).toBe(ref.max);
      expect(layer.stats.histogram.counts.reduce((a, c) => a + c, 0)).toBe(values.length);
      expect(layer.zeros).toBe(values.filter((v) => v === 0).length);
    }
    expect(result.layers[0].zeroFraction).toBeGreaterThan(0);
  });

  it('log-scaled streaming histograms count every value, zeros in the first bin', async () => {
    const model = mlp([3, 5, 2], 'relu', 4);
    const batches = [batch(7, 3, 2, 1), batch(9, 3, 2, 2)];
    const result = await gs.analysis.layerOutputs(model, batches, { bins: 6, scale: 'log' });
    const hidden = result.layers[0];
    expect(hidden.stats.histogram.scale).toBe('log');
    expect(hidden.stats.histogram.counts.reduce((a, c) => a + c, 0)).toBe(80);
    expect(hidden.stats.histogram.counts[0]).toBeGreaterThanOrEqual(hidden.zeros);
    const edges = hidden.stats.histogram.edges;
    expect(edges).toHaveLength(7);
    for (let i = 1; i < edges.length; i++) expect(edges[i] / edges[i - 1]).toBeCloseTo(100, 6); // 12 decades in 6 bins
  });
});
