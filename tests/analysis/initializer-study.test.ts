import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { reference } from './models';

describeBackends('analysis.initializerStudy', () => {
  it('the Glorot/He picture over 20 layers: tanh with he_normal keeps its spread, ReLU needs He', async () => {
    const study = await gs.analysis.initializerStudy({
      depth: 20, width: 64, samples: 128, seed: 1,
      initializers: ['he_normal', 'lecun_normal'], activations: ['tanh', 'relu'],
    });
    expect(study.results.map((r) => [r.initializer, r.activation])).toEqual([
      ['he_normal', 'tanh'], ['he_normal', 'relu'], ['lecun_normal', 'tanh'], ['lecun_normal', 'relu'],
    ]);
    for (const r of study.results) {
      expect(r.activationStd).toHaveLength(20);
      expect(r.gradientStd).toHaveLength(20);
      expect(r.backpropStd).toHaveLength(20);
    }
    const [heTanh, heRelu, lecunTanh, lecunRelu] = study.results;
    // tanh, Var(w) = 2/fan_in (gain 2 > 1 at the origin): the activations settle at a
    // non-zero fixed point instead of shrinking, and the backpropagated gradient grows
    // towards the input (the "chaotic" side of Poole et al. / Schoenholz et al.).
    const last = heTanh.activationStd[19];
    expect(last).toBeGreaterThan(0.4);
    expect(Math.abs(heTanh.activationStd[15] - last) / last).toBeLessThan(0.1);
    expect(heTanh.backpropStd[0]).toBeGreaterThan(heTanh.backpropStd[19]);
    // tanh, Var(w) = 1/fan_in (gain 1, tanh' ≤ 1): activations shrink layer after layer, and so does the gradient going down.
    expect(lecunTanh.activationStd[19]).toBeLessThan(0.5 * lecunTanh.activationStd[0]);
    expect(lecunTanh.activationStd[19]).toBeLessThan(0.5 * last);
    expect(lecunTanh.backpropStd[0]).toBeLessThan(lecunTanh.backpropStd[19]);
    // ReLU halves the variance: He's factor 2 keeps it, LeCun's loses √2 of the std per layer.
    const heRatio = heRelu.activationStd[19] / heRelu.activationStd[0];
    expect(heRatio).toBeGreaterThan(0.5);
    expect(heRatio).toBeLessThan(2);
    const lecunRatio = lecunRelu.activationStd[19] / lecunRelu.activationStd[0];
    expect(lecunRatio).toBeLessThan(1e-2);
    expect(lecunRatio).toBeGreaterThan(Math.SQRT1_2 ** 19 / 10);
  });

  it('the first layer\'s figures equal those of the same network built by hand', async () => {
    const study = await gs.analysis.initializerStudy({ depth: 2, width: 8, samples: 16, seed: 3, initializers: ['glorot_uniform'], activations: ['sigmoid'] });
    const r = study.results[0];
    // The study's network: Linear(width, width, { init, biasInit: 'zeros', seed: seed·1009 + layer }), input randn(seed + 1), upstream randn(seed + 2).
    const l0 = new gs.nn.Linear(8, 8, { init: 'glorot_uniform', biasInit: 'zeros', seed: 3 * 1009 });
    const l1 = new gs.nn.Linear(8, 8, { init: 'glorot_uniform', biasInit: 'zeros', seed: 3 * 1009 + 1 });
    const x = gs.randn([16, 8], { seed: 4 });
    const h0 = l0.forward(x).sigmoid();
    const h1 = l1.forward(h0).sigmoid();
    h1.backward(gs.randn([16, 8], { seed: 5 }));
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-4 * Math.abs(b));
    close(r.activationStd[0], reference(await h0.toArray()).std);
    close(r.activationStd[1], reference(await h1.toArray()).std);
    close(r.gradientStd[0], reference(await l0.weight.grad!.toArray()).std);
    close(r.gradientStd[1], reference(await l1.weight.grad!.toArray()).std);
  });
});

it('initializerStudy names bad input', async () => {
  await expect(gs.analysis.initializerStudy({ depth: 0, width: 4, initializers: ['he_normal'], activations: ['relu'] })).rejects.toThrow(/depth must be a positive integer, got 0/);
  await expect(gs.analysis.initializerStudy({ depth: 2, width: 4, initializers: ['nope'], activations: ['relu'] })).rejects.toThrow(/nope/);
});
