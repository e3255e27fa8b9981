// The "Deep Learning DNA" chapter's TeLU (chapter_04/models/activations.py) is an ELU with a
// trainable α: torch.where(x > 0, x, α(eˣ − 1)), α = 1.0. gradscope's 'telu' is the other
// published TeLU, x·tanh(eˣ); the chapter's is 'trainable_elu', also reachable as 'telu_dldna'.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';

const XS = [-3, -1, -0.25, 0, 0.5, 2];

describeBackends("the chapter's TeLU", () => {
  it("'telu_dldna' is trainable_elu: where(x > 0, x, α(eˣ − 1)) with α trainable (1.0 by default), and ∂L/∂α", async () => {
    expect(gs.activations.get('telu_dldna').name).toBe('trainable_elu');
    for (const alpha of [1, 1.5]) {
      const m = gs.activation('telu_dldna', alpha === 1 ? {} : { alpha });
      const x = gs.tensor(XS, { requiresGrad: true });
      const y = m.forward(x);
      y.sum().backward();
      const a = Math.fround(alpha);
      const want = XS.map((v) => (v > 0 ? v : a * (Math.exp(Math.fround(v)) - 1)));
      const got = Array.from(await y.toArray());
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `α = ${alpha}: f(${XS[i]}) = ${g}, expected ${want[i]}`).toBeLessThan(1e-6));
      const dx = Array.from(await x.grad!.toArray());
      dx.forEach((g, i) => expect(Math.abs(g - (XS[i] > 0 ? 1 : a * Math.exp(Math.fround(XS[i]))))).toBeLessThan(1e-6));
      const [alphaParam] = m.parameters();
      const dAlpha = (await alphaParam.grad!.toArray())[0];
      expect(Math.abs(dAlpha - XS.reduce((s, v) => s + (v > 0 ? 0 : Math.exp(Math.fround(v)) - 1), 0))).toBeLessThan(1e-6);
    }
    // gradscope's 'telu' is the paper's x·tanh(eˣ), a different function.
    const telu = Array.from(await gs.activation('telu').forward(gs.tensor([-1])).toArray())[0];
    expect(Math.abs(telu - -Math.tanh(Math.exp(-1)))).toBeLessThan(1e-6);
  });
});
