// gs.activations: the registry of activation specs, and the door for user activations.
import type { ActivationSpec } from '../../engine/activation-spec';
import {
  activationNames,
  addActivationSpec,
  clashingActivation,
  lookupActivation,
  removeActivationSpec,
} from '../../engine/activation-registry';
import { getBackend } from '../../engine/backend-registry';
import { BUILTIN_ACTIVATIONS } from './index';
import { checkDerivatives, checkDeviceAgreesWithCpu, checkSpecShape, checkWgsl, fail, type ActivationCompiler } from './validate';

export { activationWgslModule, locateWgslLine } from './wgsl-module';
export type { WgslCompileMessage, ActivationCompiler } from './validate';

/** Canonical names of every registered activation: built-ins in order, then user ones. */
export function names(): string[] {
  return activationNames();
}

/** Names of the elementwise activations only (everything but softmax): what plots and per-unit analysis can use. */
export function elementwiseNames(): string[] {
  return activationNames().filter((n) => lookupActivation(n).kind !== 'output');
}

/** The spec registered under a name or alias (any spelling: 'LeakyReLU', 'leaky_relu'). */
export function get(name: string): ActivationSpec {
  return lookupActivation(name);
}

export interface RegisterResult {
  name: string;
  /** 'compiled' on the current backend's device, or 'parsed' when the backend cannot compile (CPU). */
  wgsl: 'compiled' | 'parsed';
}

/**
 * Add a user activation after checking it: its name and aliases are free; its WGSL
 * compiles on the current backend (or parses, where the backend has no compiler);
 * f is finite and f' and every ∂f/∂param match float64 finite differences of f on a
 * grid over its range; on a device, its WGSL f and f' agree with its TypeScript there. Any failure throws with the reason and leaves the registry as it was.
 */
export interface RegisterOptions {
  /** How long the validation run on the device may take before the spec is refused (default 15 s). */
  timeoutMs?: number;
}

export async function register(spec: ActivationSpec, options: RegisterOptions = {}): Promise<RegisterResult> {
  checkSpecShape(spec);
  const clash = clashingActivation(spec);
  if (clash) fail(spec, `the name '${clash.key}' is already taken by '${clash.owner.name}'`);
  const backend = getBackend();
  const wgsl = await checkWgsl(spec, backend as Partial<ActivationCompiler>);
  checkDerivatives(spec);
  if (wgsl === 'compiled') await checkDeviceAgreesWithCpu(spec, backend.name, options.timeoutMs);
  // The awaits above let other code run: check the names once more before adding.
  const late = clashingActivation(spec);
  if (late) fail(spec, `the name '${late.key}' is already taken by '${late.owner.name}'`);
  addActivationSpec(spec);
  return { name: spec.name, wgsl };
}

/** Remove a user activation (built-ins stay). Returns whether it was registered. */
export function unregister(name: string): boolean {
  let spec: ActivationSpec;
  try {
    spec = lookupActivation(name);
  } catch {
    return false;
  }
  if (BUILTIN_ACTIVATIONS.includes(spec)) {
    throw new Error(`gs.activations.unregister('${name}'): '${spec.name}' is a built-in activation and cannot be removed`);
  }
  return removeActivationSpec(spec.name);
}
