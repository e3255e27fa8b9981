// The engine knows no built-in activation (issue 16, knot 1): its table starts empty, and
// activations/builtin/install.ts (which the package entry imports first) fills it. This
// file imports engine pieces only, never the package entry, to see the table as the
// engine alone leaves it.
import { expect, it } from 'vitest';
import { activationNames, hasActivation } from '../../engine/activation-registry';
import { tensor } from '../../engine/creation';

it('the engine alone has no activation; installing the built-ins makes names, Tensor.relu() and tanh() work, in order', async () => {
  expect(activationNames()).toEqual([]);
  expect(() => tensor([-1, 2]).relu()).toThrow(/unknown activation 'relu' \(valid: \)/);

  await import('../../activations/builtin/install');
  const { BUILTIN_ACTIVATIONS } = await import('../../activations/builtin/index');
  expect(activationNames()).toEqual(BUILTIN_ACTIVATIONS.map((s) => s.name));
  expect(hasActivation('LeakyReLU')).toBe(true);
  expect(Array.from(await tensor([-1, 2]).relu().toArray())).toEqual([0, 2]);
  expect(Array.from(await tensor([0]).tanh().toArray())).toEqual([0]);
});
