// User activations whose WGSL register() could only parse (no WebGPU device at hand,
// e.g. a browser without navigator.gpu): the first device backend that runs one starts
// its device check, and returns no number until the check has passed. The check itself
// is register()'s (activations/validate.ts); the engine only holds it, so it
// never imports the activations layer.

import type { ActivationSpec } from './activation-spec';

/** Resolves when the spec's WGSL passed the device check; rejects with the refusal. */
export type DeviceCheck = () => Promise<void>;

const waiting = new WeakMap<ActivationSpec, DeviceCheck>();
const running = new WeakMap<ActivationSpec, Promise<void>>();
const refused = new WeakMap<ActivationSpec, Error>();

/** Check this spec on the first device that runs it. */
export function deferDeviceCheck(spec: ActivationSpec, check: DeviceCheck): void {
  waiting.set(spec, check);
}

/**
 * The device check a backend must wait for before it submits work with this spec: null
 * when there is none (never deferred, or passed), the same promise for every backend
 * while it runs. A spec whose check failed is refused here, with the check's error.
 */
export function deviceCheckFor(spec: ActivationSpec): Promise<void> | null {
  const refusal = refused.get(spec);
  if (refusal) throw refusal;
  const run = running.get(spec);
  if (run) return run;
  const check = waiting.get(spec);
  if (!check) return null;
  waiting.delete(spec);
  const started = check().then(
    () => void running.delete(spec),
    (error: Error) => {
      running.delete(spec);
      refused.set(spec, error);
      throw error;
    },
  );
  running.set(spec, started);
  return started;
}
