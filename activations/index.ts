// gs.activations: the registry of activation specs, and the door for user activations:
// register() a spec written in both languages, or one fromExpression() derived from a
// formula; either way the same checks run before it is accepted (validate.ts).
import type { ActivationSpec } from '../engine/activation-spec';
import {
  activationNames,
  addActivationSpec,
  clashingActivation,
  hasActivation,
  lookupActivation,
  removeActivationSpec,
} from '../engine/activation-registry';
import { deferDeviceCheck } from '../engine/activation-device-check';
import { BUILTIN_ACTIVATIONS } from './builtin/index';
import {
  checkDerivatives,
  checkDeviceAgreesWithCpu,
  checkOnDevice,
  checkSpecShape,
  checkWgsl,
  fail,
  openValidationDevice,
  VALIDATION_TIMEOUT_MS,
} from './validate';

export { fromExpression, type ExpressionOptions, type ExpressionActivationSpec, type ExpressionForms } from './expression/index';

/** Canonical names of every registered activation: built-ins in order, then user ones. */
export function names(): string[] {
  return activationNames();
}

/** Names of the elementwise activations only (not kind 'output', like softmax): what plots and per-unit analysis can use. */
export function elementwiseNames(): string[] {
  return activationNames().filter((n) => lookupActivation(n).kind !== 'output');
}

/** The spec registered under a name or alias (any spelling: 'LeakyReLU', 'leaky_relu'). */
export function get(name: string): ActivationSpec {
  return lookupActivation(name);
}

export interface RegisterResult {
  name: string;
  /**
   * 'compiled': the WGSL compiled and ran on a WebGPU validation device (Dawn in Node,
   * navigator.gpu in a page), whatever the current backend, and agreed with the
   * TypeScript there. 'parsed': no WebGPU device could be opened (a browser without
   * navigator.gpu), so the WGSL was only parsed; the first WebGPU backend that runs it
   * has it checked on a device before it returns any number computed with it.
   */
  wgsl: 'compiled' | 'parsed';
}

export interface RegisterOptions {
  /** How long the validation run on the device may take before the spec is refused (default 15 s). */
  timeoutMs?: number;
  /**
   * Replace the user activation registered under this name, once the new version has
   * passed every check: when it fails one, the previous version stays registered.
   */
  replace?: boolean;
}

/**
 * Add a user activation after checking it: its name and aliases are free; its WGSL
 * compiles on a validation device (or parses, where no WebGPU device can be had); f is
 * finite and f' and every ∂f/∂param match float64 finite differences of f on a grid
 * over its range; its WGSL f and f' agree with its TypeScript on the device. Any
 * failure throws with the reason and leaves the registry as it was.
 */
export async function register(spec: ActivationSpec, options: RegisterOptions = {}): Promise<RegisterResult> {
  checkSpecShape(spec);
  const timeoutMs = options.timeoutMs ?? VALIDATION_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    fail(spec, `timeoutMs must be a positive number of milliseconds, got ${String(options.timeoutMs)}`);
  }
  checkNamesFree(spec, options.replace ?? false);
  const device = await openValidationDevice();
  const wgsl = await checkWgsl(spec, device);
  checkDerivatives(spec);
  if (device) await checkDeviceAgreesWithCpu(spec, device, timeoutMs);
  // The awaits above let other code run: check the names once more, then swap in one step.
  const replaced = checkNamesFree(spec, options.replace ?? false);
  if (replaced) removeActivationSpec(replaced.name);
  addActivationSpec(spec);
  if (!device) deferDeviceCheck(spec, () => checkOnFirstDevice(spec, timeoutMs));
  return { name: spec.name, wgsl };
}

/**
 * Refuse a name or alias another activation holds; with `replace`, the user activation
 * registered under spec.name may hold them. Returns that one, to be replaced.
 */
function checkNamesFree(spec: ActivationSpec, replace: boolean): ActivationSpec | null {
  const current = replace && hasActivation(spec.name) ? lookupActivation(spec.name) : null;
  if (current && BUILTIN_ACTIVATIONS.includes(current)) {
    fail(spec, `'${current.name}' is a built-in activation and cannot be replaced`);
  }
  for (const name of [spec.name, ...(spec.aliases ?? [])]) {
    const clash = clashingActivation({ ...spec, name, aliases: [] });
    if (clash && clash.owner !== current) fail(spec, `the name '${clash.key}' is already taken by '${clash.owner.name}'`);
  }
  return current;
}

/** The device check of a spec register() could only parse; a refused spec is unregistered. */
async function checkOnFirstDevice(spec: ActivationSpec, timeoutMs: number): Promise<void> {
  try {
    const device = await openValidationDevice();
    if (!device) fail(spec, 'its WGSL was only parsed when it was registered, and no WebGPU device can be opened to check it on');
    await checkOnDevice(spec, device, timeoutMs);
  } catch (error) {
    if (hasActivation(spec.name) && lookupActivation(spec.name) === spec) removeActivationSpec(spec.name);
    throw error;
  }
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
