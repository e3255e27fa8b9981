// Errors on WebGPU are clear and prompt: a shader that does not compile becomes an Error
// with the compiler's message and line; compileActivation locates errors in the spec's
// own text; device loss and uncaptured validation errors fail the next operation
// instead of hanging or returning zeros; no adapter gives a message saying what was tried.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActivationSpec } from '../../engine/activation-spec';
import { paramLayout } from '../../engine/activation-spec';
import { openDevice } from '../../engine/backends/webgpu/device';
import { WebGpuBackend } from '../../engine/backends/webgpu/index';
import { relu } from '../../activations/builtin/relu';
import { webgpuBackend } from './helpers';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

/** A separate backend on its own device, for tests that break the device. */
async function freshBackend(debugWgsl = false): Promise<WebGpuBackend> {
  const { device, adapter } = await openDevice({});
  return new WebGpuBackend(device, adapter, { debugWgsl });
}

function spec(wgsl: ActivationSpec['wgsl'], params: ActivationSpec['params'] = []): ActivationSpec {
  return {
    name: 'broken_test_activation',
    formula: 'test',
    range: [-1, 1],
    params,
    cpu: { f: (x) => x, df: () => 1, dparams: Object.fromEntries((params ?? []).map((p) => [p.name, () => 0])) },
    wgsl,
  };
}

describe('webgpu errors', () => {
  it('a kernel that does not compile fails the next read with the compiler message and line', async () => {
    const bad = spec({ f: 'let a = 2.0;\nreturn a * not_defined_anywhere;', df: 'return 1.0;' });
    const x = gpu.upload([1, 2, 3]);
    const y = gpu.activation({ spec: bad, layout: [], params: [] }, x, 3, 3);
    const error = await gpu.read(y, 3).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/WGSL kernel 'activation_broken_test_activation' failed to compile/);
    expect(error!.message).toContain('not_defined_anywhere');
    expect(error!.message).toMatch(/line \d+:\d+/);
    // The device is still usable: the error is reported once.
    expect(Array.from(await gpu.read(x, 3))).toEqual([1, 2, 3]);
  });

  it('compileActivation reports errors with lines relative to the spec text', async () => {
    expect(await gpu.compileActivation(relu)).toEqual([]);
    const messages = await gpu.compileActivation(
      spec(
        {
          f: 'return x;',
          df: 'let a = 1.0;\nlet b = 2.0;\nreturn a + b + oops;',
          dparams: { k: 'return x * p_k(0u);' },
        },
        [{ name: 'k', default: 1, trainable: true }],
      ),
    );
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0].field).toBe('df');
    expect(messages[0].message).toMatch(/oops/);
    expect(messages[0].line).toBe(3);
    expect(messages[0].column).toBeGreaterThan(0);
    const inDparams = await gpu.compileActivation(
      spec({ f: 'return x;', df: 'return 1.0;', dparams: { k: 'return x * p_k(0u) +;' } }, [{ name: 'k', default: 1, trainable: true }]),
    );
    expect(inDparams[0].field).toBe('dparams.k');
    expect(inDparams[0].line).toBe(1);
  });

  it('the debug flag prints every generated WGSL program', async () => {
    const backend = await freshBackend(true);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const s = backend.unary('neg', backend.upload([0, 1]), 2);
      expect(Array.from(await backend.read(s, 2))).toEqual([-0, -1]);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toContain('gradscope WGSL: unary_neg');
      expect(printed).toContain('@compute');
    } finally {
      log.mockRestore();
      backend.device.destroy();
    }
  });

  it('an uncaptured validation error fails the next operation', async () => {
    const backend = await freshBackend();
    // MAP_READ may only be combined with COPY_DST: this is a validation error.
    backend.device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 });
    // The error event may arrive before the upload or during the read: either fails.
    const next = async () => backend.read(backend.upload([1]), 1);
    await expect(next()).rejects.toThrow(/WebGPU error: .*usage/i);
    backend.device.destroy();
  });

  it('device loss fails the next operation (and every one after), never hangs', async () => {
    const backend = await freshBackend();
    const x = backend.upload([1, 2]);
    backend.device.destroy();
    await backend.device.lost;
    expect(backend.lost).toBe(true);
    expect(backend.deviceState.lost).toBe(true); // what setBackend reads to open a new device
    expect(() => backend.unary('neg', x, 2)).toThrow(/WebGPU device lost/);
    await expect(backend.read(x, 2)).rejects.toThrow(/WebGPU device lost/);
  });

  it('no adapter: the error says what was tried', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await expect(openDevice({ gpu: noAdapter })).rejects.toThrow(
      /setBackend\('webgpu'\): no WebGPU adapter found\. Tried: the injected GPU object \(BackendOptions\.gpu\): no adapter/,
    );
  });

  it('bad parameter layouts name the activation and the parameter', () => {
    const noRule = spec({ f: 'return x;', df: 'return 1.0;' }, [{ name: 'k', default: 1, trainable: true }]);
    const layout = paramLayout(noRule);
    const x = gpu.upload([1]);
    expect(() => gpu.activationBackward({ spec: noRule, layout, params: [gpu.upload([1])] }, x, null, x, 1, 1, false)).toThrow(
      "activation 'broken_test_activation': trainable parameter 'k' has no wgsl.dparams body",
    );
  });
});

afterAll(() => {
  gpu.flush();
});
