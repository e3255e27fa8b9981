// Every analysis gives the same numbers on the CPU reference and on WebGPU: each runs
// once per backend on identical seeded models and data, and the results are compared.
import { afterAll, expect, it } from 'vitest';
import * as gs from '../../index';
import { maxRelDiff } from '../helpers/backends';
import { batch, crossEntropy, mlp } from './models';

async function onBoth<T>(run: () => Promise<T>): Promise<[T, T]> {
  await gs.setBackend('cpu');
  const cpu = await run();
  await gs.setBackend('webgpu');
  const webgpu = await run();
  await gs.setBackend('cpu');
  return [cpu, webgpu];
}

afterAll(async () => {
  await gs.setBackend('cpu');
});

const tol = 1e-4;

it('activationSurface', async () => {
  const [a, b] = await onBoth(() => gs.analysis.activationSurface('tanh', { xRange: [-3, 3], points: 21 }));
  expect(maxRelDiff(b.z, a.z)).toBeLessThan(1e-5);
  expect(maxRelDiff(b.gradMagnitude, a.gradMagnitude)).toBeLessThan(1e-5);
});

it('gradientStats', async () => {
  const [a, b] = await onBoth(() => gs.analysis.gradientStats(mlp([6, 16, 16, 3], 'sigmoid', 2), batch(32, 6, 3, 1), crossEntropy, { bins: 10 }));
  expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5);
  a.layers.forEach((la, i) => {
    const lb = b.layers[i];
    expect(lb.name).toBe(la.name);
    expect([lb.vanishing, lb.exploding]).toEqual([la.vanishing, la.exploding]);
    expect(maxRelDiff([lb.relativeNorm], [la.relativeNorm])).toBeLessThan(tol);
    for (const key of ['std', 'meanAbs', 'l2', 'min', 'max'] as const) {
      expect(Math.abs(lb.weight[key] - la.weight[key]), key).toBeLessThanOrEqual(tol * Math.abs(la.weight[key]));
      expect(Math.abs(lb.bias![key] - la.bias![key]), key).toBeLessThanOrEqual(tol * Math.abs(la.bias![key]));
    }
    const moved = lb.weight.histogram.counts.reduce((s, c, k) => s + Math.abs(c - la.weight.histogram.counts[k]), 0);
    expect(moved).toBeLessThanOrEqual(4);
  });
});

it('layerOutputs and deadNeurons', async () => {
  const run = async () => {
    const model = mlp([5, 12, 12, 2], 'relu', 7);
    const data = [batch(20, 5, 2, 1), batch(20, 5, 2, 2)];
    return { outputs: await gs.analysis.layerOutputs(model, data), dead: await gs.analysis.deadNeurons(model, data) };
  };
  const [a, b] = await onBoth(run);
  expect(b.dead).toEqual(a.dead);
  a.outputs.layers.forEach((la, i) => {
    const lb = b.outputs.layers[i];
    expect([lb.name, lb.zeros]).toEqual([la.name, la.zeros]);
    for (const key of ['mean', 'std', 'l2', 'min', 'max'] as const) {
      expect(Math.abs(lb.stats[key] - la.stats[key]), key).toBeLessThanOrEqual(tol * Math.max(1e-3, Math.abs(la.stats[key])));
    }
  });
});

it('initializerStudy', async () => {
  const [a, b] = await onBoth(() => gs.analysis.initializerStudy({ depth: 6, width: 16, samples: 32, initializers: ['he_normal'], activations: ['tanh'], seed: 2 }));
  for (const key of ['activationStd', 'gradientStd', 'backpropStd'] as const) {
    expect(maxRelDiff(b.results[0][key], a.results[0][key]), key).toBeLessThan(tol);
  }
});

it('hessianTopEigenvalue and lossLandscape', async () => {
  const run = async () => {
    const model = mlp([3, 6, 2], 'tanh', 5);
    const b = batch(16, 3, 2, 4);
    const h = await gs.analysis.hessianTopEigenvalue(model, b, crossEntropy, { iterations: 15, seed: 1 });
    const land = await gs.analysis.lossLandscape(model, b, crossEntropy, { points: 5, range: 0.5, seed: 1 });
    return { h, land };
  };
  const [a, b] = await onBoth(run);
  // Finite differences of float32 gradients: agreement to a few parts in 10⁴ after the iterations.
  expect(Math.abs(b.h.eigenvalue - a.h.eigenvalue)).toBeLessThan(2e-3 * Math.abs(a.h.eigenvalue));
  expect(maxRelDiff(b.land.loss, a.land.loss)).toBeLessThan(tol);
});

it('trace', async () => {
  const run = () => {
    const model = mlp([3, 4, 2], 'sigmoid', 9);
    const x = gs.randn([2, 3], { seed: 1 });
    return gs.trace(() => crossEntropy(model.forward(x), [1, 0]), { backward: true, values: true });
  };
  const [a, b] = await onBoth(run);
  expect(b.nodes.map((n) => [n.op, n.shape, n.inputs])).toEqual(a.nodes.map((n) => [n.op, n.shape, n.inputs]));
  expect(b.backend).toBe('webgpu');
  a.nodes.forEach((na, i) => {
    const nb = b.nodes[i];
    expect(maxRelDiff(nb.value!, na.value!)).toBeLessThan(1e-5);
    if (na.grad) expect(maxRelDiff(nb.gradValue!, na.gradValue!)).toBeLessThan(1e-5);
  });
});
