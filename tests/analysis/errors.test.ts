// Bad input is refused with a message that names the values involved.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { batch, crossEntropy, mlp } from './models';

it('the analyses name what is wrong with their input', async () => {
  const model = mlp([3, 4, 2], 'relu', 1);
  const b = batch(4, 3, 2, 1);
  await expect(gs.analysis.activationSurface('relu', { xRange: [1, -1] })).rejects.toThrow('xRange [1, -1] must have lo < hi');
  await expect(gs.analysis.activationSurface('no_such_activation')).rejects.toThrow(/no_such_activation/);
  await expect(gs.analysis.activationSurface('relu', { points: 0 })).rejects.toThrow('points must be a positive integer, got 0');
  await expect(gs.analysis.gradientStats(model, b, (out) => out)).rejects.toThrow('lossFn must return a scalar, got shape [4, 2]');
  await expect(gs.analysis.gradientStats(new gs.nn.Sequential(gs.activation('relu')), b, crossEntropy)).rejects.toThrow('the model has no Linear layer');
  await expect(gs.analysis.gradientStats(model, b, crossEntropy, { bins: 0 })).rejects.toThrow('bins must be a positive integer, got 0');
  await expect(gs.analysis.gradientStats(model, b, crossEntropy, { scale: 'cubic' as never })).rejects.toThrow("scale must be 'linear' or 'log', got 'cubic'");
  await expect(gs.analysis.hessianTopEigenvalue(model, b, crossEntropy, { iterations: 0 })).rejects.toThrow('iterations must be a positive integer, got 0');
  await expect(gs.analysis.lossLandscape(model, b, crossEntropy, { range: -1 })).rejects.toThrow('range must be a positive number, got -1');
  await expect(gs.analysis.lossLandscape(model, b, (out) => out, { points: 3 })).rejects.toThrow('lossFn must return a scalar, got shape [4, 2]');
  await expect(gs.analysis.layerOutputs(model, [{ x: 'nope' } as never])).rejects.toThrow('batch 0 has no tensor x');
  // A failed analysis leaves the model as it was.
  const before = await Promise.all(model.parameters().map((p) => p.toArray()));
  await expect(gs.analysis.lossLandscape(model, b, (out) => out, { points: 3 })).rejects.toThrow();
  expect(await Promise.all(model.parameters().map((p) => p.toArray()))).toEqual(before);
  for (const p of model.parameters()) expect(p.grad).toBeNull();
});
