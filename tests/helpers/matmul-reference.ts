// The float64 reference the CPU matmul paths are checked against (the JS loops, the
// SIMD kernel with and without relaxed SIMD, on any number of threads).
import fc from 'fast-check';
import { expect } from 'vitest';

export interface MatmulCase {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

export const TRANSPOSES = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
  { transA: true, transB: true },
] as const;

/**
 * Checks c against op(A)·op(B) computed in float64. Each element's allowance is
 * (k + 2)·2⁻²⁴·Σ_p |a(i,p)|·|b(p,j)|: the worst-case rounding of a float32 dot product
 * of length k (one rounding per product and per addition, in any order), so it holds
 * for every path whatever order it sums in, and for a fused multiply-add too (one
 * rounding per step instead of two: a smaller error, inside the same allowance), while
 * a wrong or missing term (of the same size as the terms themselves) is ~1/(k·2⁻²⁴)
 * times larger and still caught.
 */
export function expectProduct(a: Float32Array, b: Float32Array, c: Float32Array, { m, k, n, transA, transB }: MatmulCase): void {
  const unit = 2 ** -24;
  let worst = 0;
  let worstAt = '';
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let exact = 0;
      let scale = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * m + i] : a[i * k + p];
        const y = transB ? b[j * k + p] : b[p * n + j];
        exact += x * y;
        scale += Math.abs(x * y);
      }
      const allowed = (k + 2) * unit * scale;
      const excess = Math.abs(c[i * n + j] - exact) - allowed;
      if (!(excess <= 0) && !(excess < worst)) {
        worst = Number.isNaN(excess) ? Infinity : excess;
        worstAt = `C[${i}, ${j}] = ${c[i * n + j]}, expected ${exact} ± ${allowed}`;
      }
    }
  }
  expect(worstAt, `${m}×${k}×${n} transA=${transA} transB=${transB}`).toBe('');
}

/** Arbitrary odd-sized products (every transpose) for the property tests of the matmul kernels. */
export const arbitraryMatmulCase: fc.Arbitrary<MatmulCase> = fc.record({
  m: fc.integer({ min: 1, max: 70 }),
  k: fc.integer({ min: 1, max: 300 }),
  n: fc.integer({ min: 1, max: 70 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
});
