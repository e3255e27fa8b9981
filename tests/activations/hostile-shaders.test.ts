// Issue 9: a user's WGSL cannot hang or corrupt the engine. WGSL's rules keep every
// access inside its buffer (an out-of-bounds index is clamped); a loop that runs too
// long is stopped by the validation timeout — the test run happens on a separate
// validation device, so the user's device never sees the shader — and the registry is
// unchanged after every refusal.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';

const base = { formula: 'x', range: [-2, 2] as const, cpu: { f: (x: number) => x, df: () => 1 } };

describe('hostile user shaders [webgpu]', () => {
  it('a shader that loops far too long is refused by the timeout; the user device and registry are untouched', async () => {
    await gs.setBackend('webgpu');
    const names = gs.activations.names();
    const model = gs.nn.mlp({ input: 2, hidden: [8], output: 2, activation: 'tanh', seed: 1 });
    const x = gs.tensor([[1, 2], [3, -1]]);
    const expected = await model.forward(x).toArray();
    // Bounded (so the abandoned run ends by itself) but far longer than the timeout.
    const slow = 'var s = x; for (var i = 0u; i < 3000000u; i = i + 1u) { s = sin(s * 1.0001) + x * 1e-9; } return s;';
    const started = performance.now();
    await expect(
      gs.activations.register({ name: 'runaway_loop', ...base, wgsl: { f: slow, df: 'return 1.0;' } }, { timeoutMs: 1000 }),
    ).rejects.toThrow(/runaway_loop.*did not finish within 1 s.*never ran on the device your tensors use/);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(gs.activations.names()).toEqual(names);
    // The user's device answers at once and gives the same numbers as before.
    expect(Array.from(await model.forward(x).toArray())).toEqual(Array.from(expected));
  });

  it('a loop that never exits does not compile, with its line', async () => {
    await gs.setBackend('webgpu');
    const names = gs.activations.names();
    await expect(
      gs.activations.register({ name: 'endless', ...base, wgsl: { f: 'var i = 0u;\nloop { i = i + 1u; }\nreturn x;', df: 'return 1.0;' } }),
    ).rejects.toThrow(/endless.*wgsl\.f line 2.*loop does not exit/);
    expect(gs.activations.names()).toEqual(names);
  });

  it('an out-of-bounds index is clamped by WGSL: finite values, nothing else corrupted', async () => {
    await gs.setBackend('webgpu');
    const other = gs.tensor([5, 6, 7]);
    const oob = 'var a = array<f32, 2>(0.0, 0.0);\nlet i = u32(abs(x) * 1000.0) + 7u;\nreturn x + a[i];';
    await gs.activations.register({ name: 'oob_index', ...base, wgsl: { f: oob, df: 'return 1.0;' } });
    try {
      const y = await gs.activation('oob_index').forward(gs.tensor([-1.5, 0, 2])).toArray();
      expect(Array.from(y)).toEqual([-1.5, 0, 2]);
      expect(Array.from(await other.toArray())).toEqual([5, 6, 7]);
    } finally {
      gs.activations.unregister('oob_index');
    }
  });
});
