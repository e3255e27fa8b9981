// STAF's sine sums (engine/backends/wasm/sine-sum.ts), with both kernels (a multiply and
// an add, and relaxed SIMD's relaxed_madd): each agrees with Σ Cᵢ·sin(Ωᵢx + Φᵢ) and its
// gradients computed in float64, for every kind of pass the kernels make; on several
// threads, a big array is cut into runs of whole blocks that the calling thread and the
// helpers claim, and every block's gradient partials are added up in block order, so
// forward values, dx and the gradients of C, Ω and Φ are bit-identical for 1, 2 and 3
// threads, on sizes that are not a multiple of the block or of four; small arrays stay on
// the calling thread; close() ends every helper it started; the process's kernels share
// one set of helpers with the matmul. (STAF through the CPU backend, against the float64
// backend: tests/engine/cpu-activation-loops.test.ts, with the kernel this Node has by
// default.)
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { liveHelperThreads } from '../../engine/backends/wasm/helper-threads';
import { CpuKernels } from '../../engine/backends/wasm/cpu-threads';
import { SimdMatmul } from '../../engine/backends/wasm/simd-matmul';
import { SINE_SUM_THREAD_MIN_WORK, SineSum, sineSumSupported } from '../../engine/backends/wasm/sine-sum';
import { relaxedSimdSupported } from '../../engine/backends/wasm/simd-support';
import { randomFloat32, randomValues } from '../helpers/random';
import { untilThreadsTookPart } from '../helpers/threads';

// Node 20 (V8 11.3) has relaxed SIMD behind this flag (as tests/engine/cpu-matmul-threads.test.ts):
// set before the first probe, so that both kernels run here.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const KERNELS = [
  { kernel: 'multiply and add', relaxedMadd: false },
  { kernel: 'relaxed_madd', relaxedMadd: true },
];

const TERMS = 25;
const C = randomValues(TERMS, 1);
const Omega = randomValues(TERMS, 2, -3, 3);
const Phi = randomValues(TERMS, 3, -1, 1);
const opened: SineSum[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

interface Result {
  out: Float32Array;
  dx: Float32Array;
  grads: Float64Array[];
  /** Threads that took part in the forward and in the backward. */
  threads: [number, number];
}

function run(sum: SineSum, x: Float32Array, dy: Float32Array): Result {
  const out = new Float32Array(x.length);
  const dx = new Float32Array(x.length);
  const grads = [new Float64Array(TERMS), new Float64Array(TERMS), new Float64Array(TERMS)];
  const forwardThreads = sum.forward(x, out, C, Omega, Phi);
  const backwardThreads = sum.backward(x, dy, dx, C, Omega, Phi, grads[0], grads[1], grads[2]);
  return { out, dx, grads, threads: [forwardThreads, backwardThreads] };
}

/** The first index whose bits differ (NaN's too), or -1: a quick check of whole arrays. */
function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  const [x, y] = [new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)];
  if (x.length !== y.length) return Math.min(a.length, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
  return -1;
}

it('this Node runs the sine-sum kernels (WebAssembly SIMD), and relaxed SIMD with the flag above, so the cases below run both', () => {
  expect(sineSumSupported()).toBe(true);
  expect(relaxedSimdSupported()).toBe(true);
  expect(new SineSum(1).relaxedMadd, 'the default where relaxed SIMD validates').toBe(true);
});

/** Σ Cᵢ sin(Ωᵢx + Φᵢ), dy·f'(x) and the three parameter gradients in float64, with the sizes of their rounding (Σ of |addends|). */
function float64Reference(x: Float32Array, dy: Float32Array, C: number[], Omega: number[], Phi: number[]) {
  const terms = C.length;
  const out = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const scale = new Float64Array(x.length);
  const grads = [new Float64Array(terms), new Float64Array(terms), new Float64Array(terms)];
  const gradScales = [new Float64Array(terms), new Float64Array(terms), new Float64Array(terms)];
  x.forEach((xe, e) => {
    for (let i = 0; i < terms; i++) {
      const [s, c] = [Math.sin(Omega[i] * xe + Phi[i]), Math.cos(Omega[i] * xe + Phi[i])];
      out[e] += C[i] * s;
      dx[e] += dy[e] * C[i] * Omega[i] * c;
      scale[e] += Math.abs(C[i]) * (1 + Math.abs(Omega[i]));
      // Each gradient's addend, and its factor besides the sine or cosine (how large it can be).
      const factors = [dy[e], dy[e] * C[i] * xe, dy[e] * C[i]];
      [s, c, c].forEach((trig, k) => {
        grads[k][i] += factors[k] * trig;
        gradScales[k][i] += Math.abs(factors[k]);
      });
    }
  });
  return { out, dx, scale, grads, gradScales };
}

// Tolerances: the kernels' sine and cosine are within 2e-7 of float64 (engine/backends/wasm/
// sine-sum-kernel.ts), summed in float32; so |error| ≤ 1e-6 of the sum of |addends|, a few
// times what was measured (the largest errors: ~2e-7 of it).
const RELATIVE_TO_ADDENDS = 1e-6;

describe.each(KERNELS)('the $kernel kernel', ({ relaxedMadd }) => {
  // The forward takes element groups in passes of 4, 2 and 1, the backward terms in passes
  // of 5, 2 and 1: 25, 8 and 3 terms and 1 to 258 groups of four reach every kind of pass.
  it.each([25, 8, 3])('agrees with the float64 sums for %i terms, 1 to 1031 elements, NaN and ±∞ giving NaN', (terms) => {
    const [c, omega, phi] = [randomValues(terms, 40 + terms), randomValues(terms, 41 + terms, -3, 3), randomValues(terms, 42 + terms, -1, 1)];
    const sum = new SineSum(1, undefined, undefined, relaxedMadd);
    opened.push(sum);
    for (const size of [1, 7, 11, 255, 257, 1031]) {
      const x = randomFloat32(size, size, -6, 6);
      const dy = randomFloat32(size, size + 1);
      const ref = float64Reference(x, dy, c.map(Math.fround), omega, phi);
      const out = new Float32Array(size);
      const dx = new Float32Array(size);
      const grads = [new Float64Array(terms), new Float64Array(terms), new Float64Array(terms)];
      sum.forward(x, out, c, omega, phi);
      sum.backward(x, dy, dx, c, omega, phi, grads[0], grads[1], grads[2]);
      for (let e = 0; e < size; e++) {
        const bound = RELATIVE_TO_ADDENDS * ref.scale[e];
        expect(Math.abs(out[e] - ref.out[e]), `f(${x[e]}), ${size} elements`).toBeLessThanOrEqual(bound);
        expect(Math.abs(dx[e] - ref.dx[e]), `dy·f'(${x[e]}), ${size} elements`).toBeLessThanOrEqual(bound * Math.max(1, Math.abs(dy[e])));
      }
      grads.forEach((g, k) =>
        g.forEach((value, i) =>
          expect(Math.abs(value - ref.grads[k][i]), `∂${['C', 'Ω', 'Φ'][k]}[${i}], ${size} elements`).toBeLessThanOrEqual(RELATIVE_TO_ADDENDS * ref.gradScales[k][i]),
        ),
      );
    }
    const special = Float32Array.from([NaN, Infinity, -Infinity, 0.5]);
    const out = new Float32Array(4);
    sum.forward(special, out, c, omega, phi);
    expect(Array.from(out.subarray(0, 3), Number.isNaN)).toEqual([true, true, true]);
    expect(out[3]).toBeCloseTo(float64Reference(special.subarray(3), Float32Array.of(1), c.map(Math.fround), omega, phi).out[0], 5);
  });

  it.each([2, 3])('%i threads give the bits of one thread (sizes 4099, 17·256 + 3 and 40000 with NaN and ±∞)', async (threads) => {
    await threadsGiveOneThreadsBits(threads, relaxedMadd);
  });
});

async function threadsGiveOneThreadsBits(threads: number, relaxedMadd: boolean): Promise<void> {
  const one = new SineSum(1, undefined, undefined, relaxedMadd);
  const many = new SineSum(threads, undefined, undefined, relaxedMadd);
  opened.push(many);
  await many.whenThreadsReady();
  expect(many.threads).toBe(threads);
  // Helpers claim runs of blocks when they wake (late, on a busy machine): each size is
  // run until a helper took part in its forward and in its backward (untilThreadsTookPart),
  // every run checked.
  for (const [size, seed] of [[4099, 10], [17 * 256 + 3, 11], [40000, 12]]) {
    const x = randomFloat32(size, seed, -6, 6);
    x[5] = NaN;
    x[size - 1] = Infinity;
    x[size - 2] = -Infinity;
    const dy = randomFloat32(size, seed + 100);
    const reference = run(one, x, dy);
    const most = [1, 1];
    await untilThreadsTookPart(() => {
      const result = run(many, x, dy);
      result.threads.forEach((t, k) => (most[k] = Math.max(most[k], t)));
      expect(firstDifference(result.out, reference.out), `size ${size}: first element of out that differs`).toBe(-1);
      expect(firstDifference(result.dx, reference.dx), `size ${size}: first element of dx that differs`).toBe(-1);
      result.grads.forEach((g, k) => expect(firstDifference(g, reference.grads[k]), `size ${size}: first term of ∂${['C', 'Ω', 'Φ'][k]} that differs`).toBe(-1));
      return Math.min(...most);
    });
    expect(Math.min(...most), `size ${size}: threads that took part (forward, backward: ${most.join(', ')})`).toBeGreaterThanOrEqual(2);
    expect(Number.isNaN(reference.out[5]) && Number.isNaN(reference.out[size - 1])).toBe(true);
  }
}

it('an array below SINE_SUM_THREAD_MIN_WORK element·terms stays on the calling thread', async () => {
  const many = new SineSum(2);
  opened.push(many);
  await many.whenThreadsReady();
  const size = Math.floor(SINE_SUM_THREAD_MIN_WORK / TERMS) - 4;
  expect(run(many, randomFloat32(size, 20), randomFloat32(size, 21)).threads).toEqual([1, 1]);
});

it('close() ends every helper thread it started', async () => {
  const before = liveHelperThreads();
  const many = new SineSum(3);
  expect(liveHelperThreads()).toBe(before + 2);
  await many.close();
  expect(liveHelperThreads()).toBe(before);
});

it("the process's kernels (cpu-threads.ts) share one set of helpers: the matmul and the sine sums both run on them, with one thread's bits", async () => {
  const before = liveHelperThreads();
  const kernels = new CpuKernels(3);
  expect(kernels.threads).toBe(3);
  expect(liveHelperThreads(), 'helpers started for 3 threads and two kernels').toBe(before + 2);
  await kernels.whenThreadsReady();
  const size = 40000;
  const x = randomFloat32(size, 30, -6, 6);
  const dy = randomFloat32(size, 31);
  const reference = run(new SineSum(1), x, dy);
  const [m, k, n] = [192, 160, 256];
  const a = randomFloat32(m * k, 32);
  const b = randomFloat32(k * n, 33);
  const product = new Float32Array(m * n);
  new SimdMatmul().matmul(a, b, product, m, k, n, false, false);
  const most = [1, 1, 1];
  await untilThreadsTookPart(() => {
    const result = run(kernels.sineSum!, x, dy);
    result.threads.forEach((t, j) => (most[j] = Math.max(most[j], t)));
    expect(firstDifference(result.out, reference.out)).toBe(-1);
    expect(firstDifference(result.dx, reference.dx)).toBe(-1);
    result.grads.forEach((g, j) => expect(firstDifference(g, reference.grads[j])).toBe(-1));
    const c = new Float32Array(m * n);
    most[2] = Math.max(most[2], kernels.matmul.matmul(a, b, c, m, k, n, false, false));
    expect(firstDifference(c, product)).toBe(-1);
    return Math.min(...most);
  });
  expect(Math.min(...most), `threads that took part (sine forward, sine backward, matmul: ${most.join(', ')})`).toBeGreaterThanOrEqual(2);
  await kernels.close();
  expect(liveHelperThreads()).toBe(before);
});
