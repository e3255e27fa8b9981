// The CPU backend's two matmul paths (the WebAssembly SIMD kernel and the plain JS
// loops) against a float64 reference, over edge shapes, every transA/transB case, blocks
// of k, memory growth between calls, and random shapes (fast-check); and the dispatch:
// which path `matmulInto` takes for which inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmulInto, SIMD_MIN_WORK, type MatmulPath } from '../../engine/backends/cpu-matmul';
import { SimdMatmul, simdMatmulSupported } from '../../engine/backends/wasm/simd-matmul';
import { arbitraryMatmulCase, expectProduct, TRANSPOSES, type MatmulCase } from '../helpers/matmul-reference';
import { randomFloat32 } from '../helpers/random';

function runCase(testCase: MatmulCase, path: MatmulPath, seed = 1): void {
  const { m, k, n, transA, transB } = testCase;
  const a = randomFloat32(m * k, seed);
  const b = randomFloat32(k * n, seed + 1000);
  const c = new Float32Array(m * n);
  const ran = matmulInto(a, b, c, m, k, n, transA, transB, path);
  expect(ran).toBe(path);
  expectProduct(a, b, c, testCase);
}

/** [m, k, n]: tiny, primes, non-multiples of the 4×8 tile, single rows/columns, long k. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [31, 17, 29],
  [1, 64, 1],
  [1, 37, 50],
  [50, 37, 1],
  [3, 5, 7],
  [4, 8, 8],
  [5, 9, 9],
  [9, 3, 17],
  [33, 257, 65], // k one past a block of k (256)
  [6, 2048, 10],
  [13, 1000, 3],
];

describe.each(['simd', 'js'] as const)('matmulInto, %s path, against float64', (path) => {
  it('has WebAssembly SIMD in this Node (else the SIMD cases below would not run)', () => {
    expect(simdMatmulSupported()).toBe(true);
  });

  for (const [m, k, n] of SHAPES) {
    it(`${m}×${k}×${n}, all four transposes`, () => {
      for (const t of TRANSPOSES) runCase({ m, k, n, ...t }, path, m * 7 + k * 13 + n);
    });
  }

  it('random shapes and transposes (fast-check)', () => {
    fc.assert(
      fc.property(
        arbitraryMatmulCase,
        fc.integer({ min: 1, max: 1 << 30 }),
        (testCase, seed) => runCase(testCase, path, seed),
      ),
      { seed: 20261123, numRuns: 60 },
    );
  });
});

describe('SIMD matmul memory reuse', () => {
  it('a small product after a large one (memory grown, stale data in the padding) is exact', () => {
    const simd = new SimdMatmul();
    const sizes: MatmulCase[] = [
      { m: 5, k: 3, n: 6, transA: false, transB: false },
      { m: 300, k: 700, n: 260, transA: true, transB: true }, // ~3 MB: grows the memory
      { m: 5, k: 3, n: 6, transA: false, transB: true },
      { m: 3, k: 2, n: 1, transA: true, transB: false },
    ];
    sizes.forEach((s, index) => {
      const a = randomFloat32(s.m * s.k, index + 1);
      const b = randomFloat32(s.k * s.n, index + 101);
      const c = new Float32Array(s.m * s.n).fill(NaN); // the SIMD path must overwrite all of c
      simd.matmul(a, b, c, s.m, s.k, s.n, s.transA, s.transB);
      expectProduct(a, b, c, s);
    });
  });

  it('k = 0 gives zeros; m = 0 or n = 0 writes nothing', () => {
    const simd = new SimdMatmul();
    const c = new Float32Array(6).fill(NaN);
    simd.matmul(new Float32Array(0), new Float32Array(0), c, 2, 0, 3, false, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    simd.matmul(new Float32Array(0), new Float32Array(12), new Float32Array(0), 0, 4, 3, false, false);
  });

  it.each([
    { rows: 6, vectors: 2, unroll: 1 },
    { rows: 4, vectors: 3, unroll: 1 },
    { rows: 4, vectors: 2, unroll: 2 },
  ])('other tiles give the same products: %o', (tile) => {
    const simd = new SimdMatmul({ tile, kBlock: 64 });
    // The largest first, so the smaller ones run on dirty memory: with unroll 2 an odd k
    // is padded by one step of p, which must be zeroed, not left from the last product.
    for (const [m, k, n] of [[25, 131, 27], [1, 1, 1], [7, 13, 5], [31, 17, 29]]) {
      for (const t of TRANSPOSES) {
        const s = { m, k, n, ...t };
        const a = randomFloat32(m * k, m + k);
        const b = randomFloat32(k * n, n + k);
        const c = new Float32Array(m * n);
        simd.matmul(a, b, c, m, k, n, s.transA, s.transB);
        expectProduct(a, b, c, s);
      }
    }
  });
});

describe('matmulInto dispatch', () => {
  const big = { m: 64, k: 64, n: 64 };
  const small = { m: 4, k: 4, n: 4 };

  function pathFor(type: 'f32' | 'f64', { m, k, n }: { m: number; k: number; n: number }, path: MatmulPath = 'auto') {
    const make = (length: number) => (type === 'f32' ? new Float32Array(length) : new Float64Array(length));
    return matmulInto(make(m * k), make(k * n), make(m * n), m, k, n, false, true, path);
  }

  it('takes the SIMD path for float32 products of at least SIMD_MIN_WORK multiply-adds', () => {
    expect(big.m * big.k * big.n).toBeGreaterThanOrEqual(SIMD_MIN_WORK);
    expect(pathFor('f32', big)).toBe('simd');
    // The SimpleNetwork shapes, forward and both gradients.
    for (const [m, k, n, transA, transB] of [[128, 784, 256, false, true], [128, 256, 784, false, false], [256, 128, 784, true, false]] as const) {
      expect(matmulInto(new Float32Array(m * k), new Float32Array(k * n), new Float32Array(m * n), m, k, n, transA, transB)).toBe('simd');
    }
  });

  it('keeps small float32 products on the JS loops', () => {
    expect(small.m * small.k * small.n).toBeLessThan(SIMD_MIN_WORK);
    expect(pathFor('f32', small)).toBe('js');
  });

  it('never sends float64 (gradient checks) to the SIMD path, and refuses to force it', () => {
    expect(pathFor('f64', big)).toBe('js');
    expect(pathFor('f64', { m: 256, k: 256, n: 256 })).toBe('js');
    expect(() => pathFor('f64', big, 'simd')).toThrow(/Float32Array.*Float64Array/);
  });

  it('honours a forced path either way', () => {
    expect(pathFor('f32', big, 'js')).toBe('js');
    expect(pathFor('f32', small, 'simd')).toBe('simd');
  });
});
