// The analyses free what they make on the device: running one again does not grow
// the memory held in live tensors.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { batch, crossEntropy, mlp } from './models';

describeBackends('analysis memory', () => {
  it('every analysis and trace leave live memory as they found it', async () => {
    const model = mlp([4, 8, 8, 3], 'relu', 1);
    const b = batch(12, 4, 3, 1);
    const data = [b, batch(12, 4, 3, 2)];
    const runs: [string, () => Promise<unknown>][] = [
      ['activationSurface', () => gs.analysis.activationSurface('tanh', { points: 9 })],
      ['gradientStats', () => gs.analysis.gradientStats(model, b, crossEntropy)],
      ['gradientStats log', () => gs.analysis.gradientStats(model, b, crossEntropy, { scale: 'log' })],
      ['layerOutputs', () => gs.analysis.layerOutputs(model, data)],
      ['deadNeurons', () => gs.analysis.deadNeurons(model, data)],
      ['initializerStudy', () => gs.analysis.initializerStudy({ depth: 3, width: 8, samples: 8, initializers: ['he_normal'], activations: ['tanh'] })],
      ['hessianTopEigenvalue', () => gs.analysis.hessianTopEigenvalue(model, b, crossEntropy, { iterations: 3 })],
      ['lossLandscape', () => gs.analysis.lossLandscape(model, b, crossEntropy, { points: 3 })],
      ['trace', async () => {
        // The caller owns fn's tensors: tidy frees them once backward has run inside fn.
        const g = await gs.trace(() => gs.tidy(() => {
          crossEntropy(model.forward(b.x), b.y).backward();
        }), { values: true });
        expect(g.nodes.some((n) => n.grad)).toBe(true);
        model.zeroGrad();
        return g;
      }],
    ];
    for (const [name, run] of runs) {
      await run(); // warm-up: caches and pools fill once
      const before = gs.memory().liveBytes;
      await run();
      expect(gs.memory().liveBytes, name).toBe(before);
    }
  });
});
