// gs.activations: the registry of activation specs.
import type { ActivationSpec } from '../../engine/activation-spec';
import { activationNames, lookupActivation } from '../../engine/activation-registry';

/** Canonical names of every registered activation. */
export function names(): string[] {
  return activationNames();
}

/** The spec registered under a name or alias. */
export function get(name: string): ActivationSpec {
  return lookupActivation(name);
}
