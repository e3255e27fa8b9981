// Issue 15, item 6: where no WebGPU device can be opened when an activation is
// registered (a browser without navigator.gpu), register() can only parse its WGSL and
// says so ('parsed'). The first WebGPU backend that runs it has it checked on a device
// before any number computed with it comes back, and refuses it with the error
// register() gives where a device is at hand. "No WebGPU" is the factory failing as
// device.ts does in such a browser; everything after it runs on Dawn for real.
import { afterAll, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import type { ActivationSpec } from '../../engine/activation-spec';
import { registerBackendFactory, type BackendFactory } from '../../engine/backend-registry';
import { closeValidationDevice } from '../../activations/validate';

const identity = { formula: 'x', range: [-2, 2] as [number, number] };
/** WGSL f = 2x for a TypeScript f = x. */
const doubled = (name: string): ActivationSpec => ({ name, ...identity, cpu: { f: (x) => x, df: () => 1 }, wgsl: { f: 'return 2.0 * x;', df: 'return 1.0;' } });
const cubic = (name: string): ActivationSpec => ({
  name,
  ...identity,
  cpu: { f: (x) => x * x * x, df: (x) => 3 * x * x },
  wgsl: { f: 'return x * x * x;', df: 'return 3.0 * x * x;' },
});

/** Register while no WebGPU device can be opened. */
async function registerWithoutWebGpu(spec: ActivationSpec): Promise<gs.activations.RegisterResult> {
  await closeValidationDevice();
  const noWebGpu: BackendFactory = async () => {
    throw new Error("setBackend('webgpu'): no WebGPU adapter found. Tried: navigator.gpu: absent");
  };
  const factory = registerBackendFactory('webgpu', noWebGpu)!;
  try {
    return await gs.activations.register(spec);
  } finally {
    registerBackendFactory('webgpu', factory);
  }
}

describe('user activations registered without WebGPU [webgpu]', () => {
  afterAll(async () => {
    await gs.setBackend('cpu');
    for (const n of gs.activations.names()) if (n.startsWith('deferred_')) gs.activations.unregister(n);
  });

  it("says 'parsed', then on WebGPU refuses WGSL that disagrees before returning any number, with register()'s error", async () => {
    await gs.setBackend('cpu');
    expect(await registerWithoutWebGpu(doubled('deferred_doubled'))).toEqual({ name: 'deferred_doubled', wgsl: 'parsed' });
    // The CPU runs the TypeScript, which passed its derivative check.
    expect(Array.from(await gs.activation('deferred_doubled').forward(gs.tensor([1, -2])).toArray())).toEqual([1, -2]);

    // Where a device is at hand, register() refuses it with this error.
    const refusal = /deferred_doubled.*the WGSL and TypeScript disagree: worst at x = -2: f on webgpu \(WGSL\) gives -4, cpu gives -2/;
    await gs.setBackend('webgpu');
    const act = gs.activation('deferred_doubled');
    const before = gs.tensor([3, 4]);
    const y = act.forward(gs.tensor([0.5, 1.5]));
    await expect(y.toArray()).rejects.toThrow(refusal);
    // Refused for good: unregistered, and the module made before it throws the same error.
    expect(gs.activations.names()).not.toContain('deferred_doubled');
    expect(() => act.forward(gs.tensor([1]))).toThrow(refusal);
    // The backend goes on: what was on the device before is intact, new work runs.
    expect(Array.from(await before.toArray())).toEqual([3, 4]);
    expect(Array.from(await gs.tensor([1, 2]).mul(gs.tensor([3, 4])).toArray())).toEqual([3, 8]);
  });

  it("accepts WGSL that agrees: 'parsed', then on WebGPU the same values and gradients as the CPU", async () => {
    await gs.setBackend('cpu');
    expect(await registerWithoutWebGpu(cubic('deferred_cubic'))).toEqual({ name: 'deferred_cubic', wgsl: 'parsed' });
    await gs.setBackend('webgpu');
    const x = gs.tensor([-1.5, 0.5, 2], { requiresGrad: true });
    const y = gs.activation('deferred_cubic').forward(x);
    y.sum().backward();
    expect(Array.from(await y.toArray())).toEqual([-3.375, 0.125, 8]);
    expect(Array.from(await x.grad!.toArray())).toEqual([6.75, 0.75, 12]);
    expect(gs.activations.names()).toContain('deferred_cubic');
  });

  it('refuses WGSL that does not compile on the first device, with its field and line', async () => {
    await gs.setBackend('cpu');
    const broken: ActivationSpec = { ...cubic('deferred_broken'), wgsl: { f: 'return x * x * x;', df: 'let y2 = x * x;\nreturn 3.0 * y2 * undefined_name;' } };
    expect((await registerWithoutWebGpu(broken)).wgsl).toBe('parsed');
    await gs.setBackend('webgpu');
    const y = gs.activation('deferred_broken').forward(gs.tensor([1, 2]));
    await expect(y.toArray()).rejects.toThrow(/deferred_broken.*WGSL does not compile: wgsl\.df line 2(:\d+)?: .*undefined_name/);
    expect(gs.activations.names()).not.toContain('deferred_broken');
  });
});
