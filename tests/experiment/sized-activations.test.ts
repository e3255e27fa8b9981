// The command line's `name:key=value` reaches gs.activation's construction options: the
// chapter's STAF (`staf:terms=25,init=normal`) as the dldna-ch4 protocol names it, drawn
// from the run's seed so that every run (and every --jobs worker) starts from the same
// function; an unknown key is refused with the valid ones.
import { expect, it } from 'vitest';
import '../../index';
import { checkActivationParams, parseActivationList } from '../../experiment/activation-choices';
import { buildNetwork } from '../../experiment/run';
import type { Activation } from '../../nn/activation';

it("'staf:terms=25,init=normal' makes the chapter's STAF, from the run's seed, shared by the hidden layers", async () => {
  const [choice] = parseActivationList('staf:terms=25,init=normal');
  expect(choice).toMatchObject({ activation: 'staf', params: { terms: 25, init: 'normal' } });
  expect(() => checkActivationParams(choice, '--activations')).not.toThrow();
  const build = (seed: number) => buildNetwork([784, 256, 192, 10], choice, { init: 'pytorch_default', seed, shareActivation: true });
  const stafOf = (net: ReturnType<typeof build>) => net.layers.filter((m) => (m as Activation).spec?.name === 'staf') as Activation[];
  const [a, b, c] = [build(7), build(7), build(8)];
  const shared = stafOf(a);
  expect(shared.length).toBe(2);
  expect(shared[0]).toBe(shared[1]);
  expect(shared[0].layout.map((l) => l.length)).toEqual([25, 25, 25]);
  const values = async (m: Activation) => Promise.all(m.paramValues.map(async (t) => Array.from(await t.toArray())));
  expect(await values(stafOf(b)[0])).toEqual(await values(shared[0]));
  expect(await values(stafOf(c)[0])).not.toEqual(await values(shared[0]));
});

it('an unknown key on the command line is refused, naming the valid ones', () => {
  const [choice] = parseActivationList('staf:tau=25');
  expect(() => checkActivationParams(choice, '--activations')).toThrow("--activations: 'staf(tau=25)' (staf): unknown parameter 'tau' (valid: C, Omega, Phi, terms, init, seed)");
  const [rational] = parseActivationList('rational:numerator_degree=3,denominator_degree=2');
  expect(() => checkActivationParams(rational, '--activations')).not.toThrow();
  const [bspline] = parseActivationList('bspline:control_points=20,lo=-4,hi=4');
  expect(() => checkActivationParams(bspline, '--activations')).not.toThrow();
});
