// The table of activation specs by name and alias. Lookups ignore case, '_' and '-',
// so PyTorch ('LeakyReLU'), Keras ('leaky_relu') and plain ('leakyrelu') spellings
// all find the same spec.
//
// The engine knows no activation itself: the table starts empty, and the package entry
// fills it with the built-ins (activations/builtin/install.ts) before any user code
// runs. Tensor.relu(), ops.activationByName and gs.activation(name) look names up here.

import type { ActivationSpec } from './activation-spec';

const byKey = new Map<string, ActivationSpec>();
const specs: ActivationSpec[] = [];

export function normalizeActivationName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** What a name or an alias may be: it starts with a letter, so its lookup key is never empty. */
export const ACTIVATION_NAME_RULE = "letters, digits, '_' or '-', starting with a letter";

export function isActivationName(name: unknown): name is string {
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_-]*$/.test(name);
}

/** Why a spec's aliases cannot be names in the table, or null when they can. */
export function aliasesProblem(aliases: unknown): string | null {
  if (aliases === undefined) return null;
  if (!Array.isArray(aliases)) return `aliases must be an array of names, got ${JSON.stringify(aliases) ?? String(aliases)}`;
  const index = aliases.findIndex((alias) => !isActivationName(alias));
  if (index < 0) return null;
  return `alias ${shown(aliases[index])} is not a name (${ACTIVATION_NAME_RULE})`;
}

/** '"!!!"' for a string, '7 (a number)' for anything else. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${String(value)} (a ${value === null ? 'null' : typeof value})`;
}

/** Names a spec would claim, normalized. */
function keysOf(spec: ActivationSpec): string[] {
  return [spec.name, ...(spec.aliases ?? [])].map(normalizeActivationName);
}

/** The spec already holding one of `spec`'s names, if any. */
export function clashingActivation(spec: ActivationSpec): { key: string; owner: ActivationSpec } | null {
  for (const key of keysOf(spec)) {
    const owner = byKey.get(key);
    if (owner) return { key, owner };
  }
  return null;
}

/** Add a spec to the table (no validation: gs.activations.register validates first). */
export function addActivationSpec(spec: ActivationSpec): void {
  if (!isActivationName(spec.name)) throw new Error(`activation name ${shown(spec.name)} is not a name (${ACTIVATION_NAME_RULE})`);
  const aliases = aliasesProblem(spec.aliases);
  if (aliases) throw new Error(`activation '${spec.name}': ${aliases}`);
  const clash = clashingActivation(spec);
  if (clash) {
    throw new Error(`activation '${spec.name}': the name '${clash.key}' is already taken by '${clash.owner.name}'`);
  }
  for (const key of keysOf(spec)) byKey.set(key, spec);
  specs.push(spec);
}

export function removeActivationSpec(name: string): boolean {
  const spec = byKey.get(normalizeActivationName(name));
  if (!spec) return false;
  for (const key of keysOf(spec)) byKey.delete(key);
  specs.splice(specs.indexOf(spec), 1);
  return true;
}

export function lookupActivation(name: string): ActivationSpec {
  const spec = typeof name === 'string' ? byKey.get(normalizeActivationName(name)) : undefined;
  if (!spec) {
    throw new Error(`unknown activation '${String(name)}' (valid: ${activationNames().join(', ')})`);
  }
  return spec;
}

export function hasActivation(name: string): boolean {
  return typeof name === 'string' && byKey.has(normalizeActivationName(name));
}

/** Canonical names of every registered activation, built-ins first. */
export function activationNames(): string[] {
  return specs.map((s) => s.name);
}
