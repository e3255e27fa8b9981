// The CPU matmul on several threads, with both kernels (f32x4.mul + add, and relaxed
// SIMD's f32x4.relaxed_madd): bit-identical results for 1, 2, 3 and 4 threads on odd
// shapes and every transpose, each within float32 rounding of a float64 reference;
// small products kept on one thread; helper threads ended by close() and never keeping
// Node alive; and gs.setBackend('cpu', { threads }) with its validation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import * as esbuild from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { liveHelperThreads } from '../../engine/backends/wasm/helper-threads';
import { DEFAULT_TILE } from '../../engine/backends/wasm/simd-matmul-kernel';
import { sharedSimdMatmul } from '../../engine/backends/wasm/cpu-threads';
import { SimdMatmul, THREAD_MIN_WORK } from '../../engine/backends/wasm/simd-matmul';
import { relaxedSimdSupported } from '../../engine/backends/wasm/simd-support';
import { encodeModule, FunctionBody } from '../../engine/backends/wasm/wasm-encoder';
import { arbitraryMatmulCase, expectProduct, TRANSPOSES, type MatmulCase } from '../helpers/matmul-reference';
import { randomFloat32 } from '../helpers/random';
import { untilThreadsTookPart } from '../helpers/threads';

// Node 20 (V8 11.3) has relaxed SIMD behind this flag (Chrome ≥ 114 and Node ≥ 22 ship
// it): set it before the first probe so that both kernels run here. V8 flags are
// per process, and vitest runs each test file in a process of its own.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const THREAD_COUNTS = [1, 2, 3, 4];

/** Panels of the dimension the product is split along: the most threads it can use. */
function maxParts(m: number, n: number): number {
  return Math.max(Math.ceil(m / DEFAULT_TILE.rows), Math.ceil(n / (4 * DEFAULT_TILE.vectors)));
}

it('this Node validates relaxed SIMD (with the flag above), so the relaxed cases below run', () => {
  expect(relaxedSimdSupported()).toBe(true);
});

it('f32x4.relaxed_madd computes a·b + c, rounded once (fused) or twice, nothing else', () => {
  // memory[48..64) = relaxed_madd(memory[0..16), memory[16..32), memory[32..48))
  const f = new FunctionBody([]);
  f.i32Const(48).i32Const(0).v128Load().i32Const(0).v128Load(16).i32Const(0).v128Load(32).f32x4RelaxedMadd().v128Store();
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([{ name: 'madd', body: f }], { importMemoryPages: 1 })), { env: { memory } });
  const lanes = new Float32Array(memory.buffer, 0, 16);
  const x = 1 + 2 ** -12; // x·x = 1 + 2⁻¹¹ + 2⁻²⁴: the 2⁻²⁴ survives only a fused multiply-add
  lanes.set([2, x, -1.5, 0], 0);
  lanes.set([3, x, 4, 5], 4);
  lanes.set([1, -(1 + 2 ** -11), 0.25, -7], 8);
  (instance.exports.madd as () => void)();
  expect(lanes[12]).toBe(7);
  expect([0, 2 ** -24]).toContain(lanes[13]);
  expect(lanes[14]).toBe(-5.75);
  expect(lanes[15]).toBe(-7);
});

describe.each([
  { kernel: 'f32x4.mul + f32x4.add', relaxedMadd: false },
  { kernel: 'f32x4.relaxed_madd', relaxedMadd: true },
])('$kernel on 1-4 threads', ({ relaxedMadd }) => {
  // Blocks of k of 64 in the threaded instances (several passes over C for k > 64); the
  // reference keeps the default 1024: results must not depend on either.
  const reference = () => matmuls.get(0)!;
  const matmuls = new Map<number, SimdMatmul>();
  beforeAll(async () => {
    matmuls.set(0, new SimdMatmul({ relaxedMadd }));
    for (const threads of THREAD_COUNTS) matmuls.set(threads, new SimdMatmul({ relaxedMadd, threads, kBlock: 64, threadMinWork: 0 }));
    await Promise.all([...matmuls.values()].map((s) => s.whenThreadsReady()));
  });
  afterAll(async () => {
    await Promise.all([...matmuls.values()].map((s) => s.close()));
  });

  /** Threads that took part in a product, most seen per thread count. */
  const mostThreadsSeen = new Map<number, number>();

  /** Runs one case on every thread count; the outputs must be the same bits as one thread's. */
  function expectIdenticalOnEveryThreadCount(testCase: MatmulCase, seed: number): void {
    const { m, k, n, transA, transB } = testCase;
    const a = randomFloat32(m * k, seed);
    const b = randomFloat32(k * n, seed + 7919);
    const expected = new Float32Array(m * n);
    reference().matmul(a, b, expected, m, k, n, transA, transB);
    expectProduct(a, b, expected, testCase);
    for (const threads of THREAD_COUNTS) {
      const c = new Float32Array(m * n).fill(NaN);
      const took = matmuls.get(threads)!.matmul(a, b, c, m, k, n, transA, transB);
      expect(took, `${m}×${k}×${n}: threads that took part, of ${threads}`).toBeGreaterThanOrEqual(1);
      expect(took).toBeLessThanOrEqual(Math.min(threads, maxParts(m, n)));
      mostThreadsSeen.set(threads, Math.max(mostThreadsSeen.get(threads) ?? 0, took));
      const same = new Uint32Array(c.buffer).every((bits, i) => bits === new Uint32Array(expected.buffer)[i]);
      expect(same, `${m}×${k}×${n} transA=${transA} transB=${transB} on ${threads} threads: not bit-identical to one thread`).toBe(true);
    }
  }

  it.each([
    [33, 257, 65], // odd everywhere, k over four blocks of 64
    [67, 5, 131], // split along n (17 column panels)
    [131, 70, 9], // split along m (33 row panels)
    [5, 3, 200],
    [1, 37, 50],
    [50, 37, 1],
    [9, 1, 9],
  ])('%i×%i×%i, all four transposes', (m, k, n) => {
    for (const t of TRANSPOSES) expectIdenticalOnEveryThreadCount({ m, k, n, ...t }, m * 31 + k * 7 + n);
  });

  it('random shapes and transposes (fast-check)', () => {
    fc.assert(
      fc.property(
        arbitraryMatmulCase,
        fc.integer({ min: 1, max: 1 << 30 }),
        (testCase, seed) => expectIdenticalOnEveryThreadCount(testCase, seed),
      ),
      { seed: 20261124, numRuns: 40 },
    );
  });

  it('helpers did compute chunks of the products above (else the cases would test one thread only)', async () => {
    for (const threads of [2, 3, 4]) {
      // A product long enough for every helper to wake, repeated until helpers took part.
      const [m, k, n] = [256, 256, 256];
      const a = randomFloat32(m * k, threads);
      const b = randomFloat32(k * n, threads + 1);
      const expected = new Float32Array(m * n);
      reference().matmul(a, b, expected, m, k, n, false, false);
      const c = new Float32Array(m * n);
      const most = await untilThreadsTookPart(() => matmuls.get(threads)!.matmul(a, b, c, m, k, n, false, false));
      expect(Math.max(most, mostThreadsSeen.get(threads) ?? 0), `threads that took part with ${threads} asked for`).toBeGreaterThanOrEqual(2);
      expect(Array.from(c)).toEqual(Array.from(expected));
    }
  });
});

describe('when products use threads', () => {
  it('products under THREAD_MIN_WORK multiply-adds stay on the calling thread', async () => {
    const simd = new SimdMatmul({ threads: 2 });
    try {
      await simd.whenThreadsReady();
      const run = (m: number, k: number, n: number) => simd.matmul(randomFloat32(m * k, 1), randomFloat32(k * n, 2), new Float32Array(m * n), m, k, n, false, true);
      expect(64 * 64 * 64).toBeLessThan(THREAD_MIN_WORK);
      for (let i = 0; i < 10; i++) expect(run(64, 64, 64)).toBe(1);
      expect(128 * 784 * 256).toBeGreaterThanOrEqual(THREAD_MIN_WORK);
      expect(await untilThreadsTookPart(() => run(128, 784, 256))).toBe(2);
    } finally {
      await simd.close();
    }
  });
});

describe('helper threads end', () => {
  it('close() ends every helper thread it started', async () => {
    const before = liveHelperThreads();
    const simd = new SimdMatmul({ threads: 4 });
    expect(liveHelperThreads()).toBe(before + 3);
    await simd.whenThreadsReady();
    await simd.close();
    expect(liveHelperThreads()).toBe(before);
    // Still usable, on one thread.
    expect(simd.matmul(randomFloat32(128 * 256, 1), randomFloat32(256 * 128, 2), new Float32Array(128 * 128), 128, 256, 128, false, false)).toBe(1);
  });

  it('sleeping helper threads do not keep a Node process alive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradscope-threads-'));
    try {
      const entry = join(dir, 'entry.ts');
      // Starts 3 helpers, uses them, and returns without closing anything: Node must exit by itself.
      writeFileSync(
        entry,
        `import { SimdMatmul } from ${JSON.stringify(join(process.cwd(), 'engine/backends/wasm/simd-matmul.ts'))};
const simd = new SimdMatmul({ threads: 3 });
await simd.whenThreadsReady();
const [m, k, n] = [128, 256, 128];
const c = new Float32Array(m * n);
simd.matmul(new Float32Array(m * k).fill(1), new Float32Array(k * n).fill(2), c, m, k, n, false, false);
console.log('c[0] =', c[0]);
`,
      );
      const bundle = join(dir, 'entry.mjs');
      await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: bundle, logLevel: 'error' });
      // A process kept alive would hang here until the timeout (then status is null).
      const child = spawnSync(process.execPath, [bundle], { encoding: 'utf8', timeout: 60_000 });
      expect(child.stderr).toBe('');
      expect(child.stdout.trim()).toBe('c[0] = 512');
      expect(child.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("gs.setBackend('cpu', { threads })", () => {
  afterAll(async () => {
    await gs.setBackend('cpu', { threads: 1 });
  });

  it.each([0, -1, 1.5, NaN, Infinity])('refuses threads = %s, naming the value', async (threads) => {
    await expect(gs.setBackend('cpu', { threads })).rejects.toThrow(new RegExp(`setBackend: threads must be a positive integer .*got ${threads}$`));
  });

  it('sets the threads of every float32 product, and ends the previous helpers', async () => {
    const description = await gs.setBackend('cpu', { threads: 3 });
    expect(description).toMatch(/WebAssembly SIMD matmul, 3 threads/);
    expect(liveHelperThreads()).toBe(2);
    const [m, k, n] = [128, 784, 256];
    const a = randomFloat32(m * k, 1);
    const b = randomFloat32(k * n, 2);
    expect(await untilThreadsTookPart(() => sharedSimdMatmul()!.matmul(a, b, new Float32Array(m * n), m, k, n, false, true))).toBeGreaterThanOrEqual(2);

    expect(await gs.setBackend('cpu', { threads: 1 })).toMatch(/WebAssembly SIMD matmul, 1 thread\b/);
    expect(liveHelperThreads()).toBe(0);
  });

  it('trains to the same bits on 1 and 3 threads (SimpleNetwork-sized layers, SGD momentum)', async () => {
    const losses = async (threads: number) => {
      await gs.setBackend('cpu', { threads });
      const model = gs.nn.mlp({ input: 784, hidden: [256, 128], output: 10, activation: 'relu', seed: 3 });
      const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = gs.tensor(randomFloat32(128 * 784, 5), { shape: [128, 784] });
      const labels = Array.from({ length: 128 }, (_, i) => (i * 7) % 10);
      const out: number[] = [];
      for (let step = 0; step < 4; step++) {
        optimizer.zeroGrad();
        const loss = gs.losses.crossEntropy(model.forward(x), labels);
        loss.backward();
        optimizer.step();
        out.push(await loss.item());
      }
      out.push(...(await model.parameters()[0].toArray()).slice(0, 64));
      return out;
    };
    const one = await losses(1);
    const three = await losses(3);
    expect(three).toEqual(one);
    expect(one[3]).toBeLessThan(one[0]); // it trained
  });
});
