// Aliases are names: the registry and register() refuse an alias that is not a string
// of letters, digits, '_' or '-' starting with a letter, saying which alias and why,
// and the empty lookup key never finds an activation.
import { afterEach, expect, test } from 'vitest';
import * as gs from '../../index';
import type { ActivationSpec } from '../../engine/activation-spec';
import { addActivationSpec, removeActivationSpec } from '../../engine/activation-registry';

function spec(name: string, aliases: unknown): ActivationSpec {
  return {
    name,
    aliases: aliases as string[],
    formula: 'x',
    range: [-2, 2],
    cpu: { f: (x) => x, df: () => 1 },
    wgsl: { f: 'return x;', df: 'return 1.0;' },
  };
}

afterEach(() => {
  for (const n of gs.activations.names()) if (n.startsWith('alias_case')) removeActivationSpec(n);
});

test.each<[string, unknown, string]>([
  ['punctuation only', ['!!!'], `alias "!!!" is not a name (letters, digits, '_' or '-', starting with a letter)`],
  ['empty', [''], `alias "" is not a name (letters, digits, '_' or '-', starting with a letter)`],
  ['a number', [7], `alias 7 (a number) is not a name (letters, digits, '_' or '-', starting with a letter)`],
  ['not a list', 'relu_like', `aliases must be an array of names, got "relu_like"`],
])('register() refuses an alias that is %s, and nothing is added', async (_what, aliases, message) => {
  await gs.setBackend('cpu');
  const before = gs.activations.names();
  await expect(gs.activations.register(spec('alias_case_a', aliases))).rejects.toThrow(`gs.activations.register('alias_case_a'): ${message}`);
  expect(gs.activations.names()).toEqual(before);
  expect(() => gs.activations.get('')).toThrow(/unknown activation ''/);
});

test.each<[string, unknown, string]>([
  ['punctuation only', ['!!!'], `activation 'alias_case_b': alias "!!!" is not a name (letters, digits, '_' or '-', starting with a letter)`],
  ['a number', [7], `activation 'alias_case_b': alias 7 (a number) is not a name (letters, digits, '_' or '-', starting with a letter)`],
])('the registry itself refuses an alias that is %s', (_what, aliases, message) => {
  const before = gs.activations.names();
  expect(() => addActivationSpec(spec('alias_case_b', aliases))).toThrow(message);
  expect(gs.activations.names()).toEqual(before);
  expect(() => gs.activations.get('')).toThrow(/unknown activation ''/);
});

test('valid aliases still work in every spelling', () => {
  addActivationSpec(spec('alias_case_c', ['AliasCaseSee', 'alias-case-sea']));
  expect(gs.activations.get('aliascasesee').name).toBe('alias_case_c');
  expect(gs.activations.get('ALIAS_CASE_SEA').name).toBe('alias_case_c');
});
