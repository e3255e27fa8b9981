// Issue 9: a user's WGSL cannot hang or corrupt the engine. WGSL's rules keep every
// access inside its buffer (an out-of-bounds index is clamped); the validation run
// happens on a separate validation device, so the user's device never sees the shader,
// and the registry is unchanged after every refusal.
// Issue 15, item 15: a loop that runs far too long is stopped on the device by the
// validation run's step budget, so nothing goes on burning CPU; a run that still takes
// too long is refused by the timeout and its device destroyed once drained. Either way,
// a valid registration after a refused one always succeeds.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { STEP_BUDGET } from '../../activations/step-budget';

const base = { formula: 'x', range: [-2, 2] as const, cpu: { f: (x: number) => x, df: () => 1 } };
/** Bounded, but 30 s and more of SwiftShader per validation run without the step budget. */
const runaway = 'var s = x; for (var i = 0u; i < 30000000u; i = i + 1u) { s = sin(s * 1.0001) + x * 1e-9; } return s;';
const valid = (name: string) => ({
  name,
  formula: '(x + √(x² + 4)) / 2',
  range: [-4, 4] as [number, number],
  cpu: { f: (x: number) => (x + Math.sqrt(x * x + 4)) / 2, df: (x: number) => (1 + x / Math.sqrt(x * x + 4)) / 2 },
  wgsl: { f: 'return (x + sqrt(x * x + 4.0)) / 2.0;', df: 'return (1.0 + x / sqrt(x * x + 4.0)) / 2.0;' },
});

/**
 * The most CPU seconds a second of waiting may cost: an abandoned kernel would burn ~2
 * (both cores); the drain of a destroyed device and the suite's other test process
 * sharing the two cores cost up to 0.31 measured (in the full suite, 2026-12-02).
 */
const IDLE_CPU_SECONDS = 0.5;

/** CPU seconds this process (SwiftShader's threads included) spends while it waits `ms`. */
async function cpuSecondsWhileIdle(ms: number): Promise<number> {
  const start = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

describe('hostile user shaders [webgpu]', () => {
  it('a loop that runs far too long is stopped on the device by the step budget: nothing keeps running, the user device and registry are untouched', async () => {
    await gs.setBackend('webgpu');
    const names = gs.activations.names();
    const model = gs.nn.mlp({ input: 2, hidden: [8], output: 2, activation: 'tanh', seed: 1 });
    const x = gs.tensor([[1, 2], [3, -1]]);
    const expected = await model.forward(x).toArray();
    await expect(gs.activations.register({ name: 'runaway_loop', ...base, wgsl: { f: runaway, df: 'return 1.0;' } })).rejects.toThrow(
      new RegExp(`runaway_loop.*stopped at x = -2: one element took more than ${STEP_BUDGET} loop iterations and function calls \\(a loop that never ends\\?\\); the shader never ran on the device your tensors use`),
    );
    expect(gs.activations.names()).toEqual(names);
    // No abandoned kernel burns on: a runaway uses both cores (about 2 CPU seconds a second).
    expect(await cpuSecondsWhileIdle(1000)).toBeLessThan(IDLE_CPU_SECONDS);
    // The user's device answers at once and gives the same numbers as before.
    expect(Array.from(await model.forward(x).toArray())).toEqual(Array.from(expected));
  });

  it('a valid registration after a refused runaway always succeeds, four times in a row, on either backend', async () => {
    for (const [round, backend] of (['webgpu', 'cpu', 'webgpu', 'cpu'] as const).entries()) {
      await gs.setBackend(backend);
      await expect(gs.activations.register({ name: `runaway_${round}`, ...base, wgsl: { f: runaway, df: 'return 1.0;' } })).rejects.toThrow(
        /a loop that never ends\?/,
      );
      expect(await gs.activations.register(valid(`after_runaway_${round}`))).toEqual({ name: `after_runaway_${round}`, wgsl: 'compiled' });
      const y = await gs.activation(`after_runaway_${round}`).forward(gs.tensor([0])).toArray();
      expect(y[0]).toBeCloseTo(1, 6);
      gs.activations.unregister(`after_runaway_${round}`);
    }
  });

  it('a run within the step budget that outlasts the timeout is refused; its device is drained and destroyed, and valid registrations then succeed', async () => {
    await gs.setBackend('webgpu');
    // 20,000 iterations of a 20-sine helper: 40,000 steps, well within the budget, but slow on SwiftShader.
    const helpers = `fn heavy(v: f32) -> f32 {\n  var t = v;\n${'  t = sin(t) + 0.5;\n'.repeat(20)}  return t;\n}`;
    const slow = 'var s = x; for (var i = 0u; i < 20000u; i = i + 1u) { s = heavy(s) * 1e-9 + x; } return s;';
    for (let round = 0; round < 3; round++) {
      await expect(
        gs.activations.register({ name: `slow_${round}`, ...base, wgsl: { helpers, f: slow, df: 'return 1.0;' } }, { timeoutMs: 1 }),
      ).rejects.toThrow(new RegExp(`slow_${round}.*did not finish within 0.001 s; the shader never ran on the device your tensors use`));
      expect(await gs.activations.register(valid(`after_slow_${round}`))).toEqual({ name: `after_slow_${round}`, wgsl: 'compiled' });
      gs.activations.unregister(`after_slow_${round}`);
    }
    expect(await cpuSecondsWhileIdle(1000)).toBeLessThan(IDLE_CPU_SECONDS);
    await expect(gs.activations.register(valid('bad_timeout'), { timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive number of milliseconds, got 0/);
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
