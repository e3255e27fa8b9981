// The CPU backend's matrix product, C[m, n] = op(A) · op(B), without materialising a
// transpose. Two paths, the same results up to float32 rounding order:
//
//  - Float32 products of at least SIMD_MIN_WORK multiply-adds run the hand-written
//    WebAssembly SIMD kernel in wasm/ wherever the engine has 128-bit SIMD (feature-
//    detected once): A and B are copied into a wasm memory, packed into zero-padded
//    panels, and a 4×8 block of C lives in eight f32x4 registers. JavaScript has no SIMD
//    and its typed-array loops top out near 3-4 GFLOP/s; the kernel measured 25-40
//    GFLOP/s on one core of the 2-core EPYC (N = 256..1024 and the SimpleNetwork layer
//    products, every transpose), 9-15× the loops, and still ~4× where n = 10 pads the
//    8-wide panel.
//    Products of THREAD_MIN_WORK multiply-adds and up are split over threads (every
//    core by default; setCpuMatmulThreads, i.e. gs.setBackend('cpu', { threads })):
//    blocks of the OUTPUT go to worker threads sharing the wasm memory, never parts of
//    the sum over k, so results are bit-identical for any thread count.
//  - Everything else runs the plain loops below: float64 (gradient checks need the
//    precision), small products (copies and packing would cost more than they save),
//    engines without WebAssembly SIMD. They are also the readable reference the kernel
//    is tested against (tests/engine/cpu-matmul-simd.test.ts).
//
// The loops: two orders cover the four transA/transB cases.
//
//  - B not transposed (B's rows run along j): "row updates". C's row i gets
//    Σ_p a(i, p) · B[p, :], so the innermost loop streams contiguous rows of B and C.
//  - B transposed (B's rows run along p): "dot products". C[i, j] = a(i, :) · B[j, :],
//    two contiguous streams along p.
//
// op(A) is read through two strides (aRow to the next i, aCol to the next p), so a
// transposed A costs nothing but a different stride.
//
// Both loops are register-blocked (the win in plain JavaScript is in loads):
// two rows of C at once share every load of B, and four steps of p (or four columns j)
// at once share every load and store of C. Panels of B are sized to stay in cache while
// all rows of A sweep over them.

import { cpuKernelSettings, setCpuKernelThreads, sharedSimdMatmul } from './wasm/cpu-threads';
import { SIMD_MATMUL_MAX_BYTES } from './wasm/simd-matmul';

type FloatArray = Float32Array | Float64Array;

/** Rows of B (row-update order) or columns of C (dot-product order) per cache panel. */
const PANEL = 128;

/** Which implementation runs a product: 'auto' chooses; the others force one (tests). */
export type MatmulPath = 'auto' | 'js' | 'simd';

/**
 * Multiply-adds (m·k·n) from which a float32 product goes to the SIMD kernel. Below it,
 * the fixed cost of a call (copies, packing, the wasm call) is about the JS loops' whole
 * time: on the 2-core EPYC the paths broke even between 8³ and 16³, and at 16³ the
 * kernel took 0.7-1 µs against the loops' 3 µs.
 */
export const SIMD_MIN_WORK = 16 * 16 * 16;

/**
 * Threads for each float32 product from now on (undefined: every core available).
 * Resolves once the helper threads can take work. A page that is not cross-origin
 * isolated has no SharedArrayBuffer: there every product stays on one thread.
 */
export async function setCpuMatmulThreads(threads: number | undefined): Promise<void> {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`threads must be a positive integer (1 keeps every product on the calling thread), got ${String(threads)}`);
  }
  await setCpuKernelThreads(threads);
}

/** How the float32 products run, for the backend's description: 'WebAssembly SIMD matmul, 2 threads, relaxed SIMD'. */
export function describeCpuMatmul(): string {
  const simd = cpuKernelSettings();
  if (!simd) return 'TypeScript matmul';
  return `WebAssembly SIMD matmul, ${simd.threads} thread${simd.threads === 1 ? '' : 's'}${simd.relaxedMadd ? ', relaxed SIMD' : ''}`;
}

/**
 * c[m, n] = op(A) · op(B), overwriting c (whatever it held). Returns the path that ran.
 */
export function matmulInto(
  a: FloatArray,
  b: FloatArray,
  c: FloatArray,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  path: MatmulPath = 'auto',
): 'js' | 'simd' {
  if (path !== 'js') {
    const float32 = a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array;
    const simd = float32 ? sharedSimdMatmul() : null;
    if (path === 'simd' && !simd) {
      throw new Error(
        float32
          ? 'matmulInto: the SIMD path was forced but this JavaScript engine has no WebAssembly SIMD'
          : `matmulInto: the SIMD path takes Float32Arrays, got ${a.constructor.name}, ${b.constructor.name}, ${c.constructor.name}`,
      );
    }
    if (simd && (path === 'simd' || (m * k * n >= SIMD_MIN_WORK && simd.bytesFor(m, k, n) <= SIMD_MATMUL_MAX_BYTES))) {
      try {
        simd.matmul(a as Float32Array, b as Float32Array, c as Float32Array, m, k, n, transA, transB);
        return 'simd';
      } catch (error) {
        // The wasm memory could not grow (RangeError: the engine refused the pages). c
        // is written only at the end, so it is untouched: the JS loops compute the
        // product instead, and nothing is lost. A forced SIMD path reports the failure.
        if (path === 'simd' || !(error instanceof RangeError)) throw error;
      }
    }
  }
  const aRow = transA ? 1 : k; // step in A to the next row i of op(A)
  const aCol = transA ? m : 1; // step in A to the next p
  if (transB) dotProducts(a, b, c, m, k, n, aRow, aCol);
  else {
    c.fill(0, 0, m * n); // row updates accumulate into C
    rowUpdates(a, b, c, m, k, n, aRow, aCol);
  }
  return 'js';
}

/** C += op(A) · B for B [k, n] row-major; C must start zeroed. */
function rowUpdates(a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, aRow: number, aCol: number): void {
  for (let p0 = 0; p0 < k; p0 += PANEL) {
    const p1 = Math.min(k, p0 + PANEL);
    let i = 0;
    // Two rows of C per pass: each value of B loaded feeds two multiply-adds.
    for (; i + 1 < m; i += 2) {
      const c0 = i * n;
      const c1 = c0 + n;
      let p = p0;
      for (; p + 3 < p1; p += 4) {
        // a(i, p..p+3) and a(i+1, p..p+3)
        const x0 = i * aRow + p * aCol;
        const x1 = x0 + aRow;
        const a00 = a[x0], a01 = a[x0 + aCol], a02 = a[x0 + 2 * aCol], a03 = a[x0 + 3 * aCol];
        const a10 = a[x1], a11 = a[x1 + aCol], a12 = a[x1 + 2 * aCol], a13 = a[x1 + 3 * aCol];
        const b0 = p * n;
        const b1 = b0 + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let j = 0; j < n; j++) {
          const v0 = b[b0 + j], v1 = b[b1 + j], v2 = b[b2 + j], v3 = b[b3 + j];
          c[c0 + j] += a00 * v0 + a01 * v1 + a02 * v2 + a03 * v3;
          c[c1 + j] += a10 * v0 + a11 * v1 + a12 * v2 + a13 * v3;
        }
      }
      for (; p < p1; p++) {
        const a0 = a[i * aRow + p * aCol];
        const a1 = a[(i + 1) * aRow + p * aCol];
        const b0 = p * n;
        for (let j = 0; j < n; j++) {
          const v = b[b0 + j];
          c[c0 + j] += a0 * v;
          c[c1 + j] += a1 * v;
        }
      }
    }
    // The last row when m is odd.
    for (; i < m; i++) {
      const c0 = i * n;
      for (let p = p0; p < p1; p++) {
        const av = a[i * aRow + p * aCol];
        const b0 = p * n;
        for (let j = 0; j < n; j++) c[c0 + j] += av * b[b0 + j];
      }
    }
  }
}

/** C = op(A) · Bᵀ for B [n, k] row-major: dot products along p. */
function dotProducts(a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, aRow: number, aCol: number): void {
  for (let j0 = 0; j0 < n; j0 += PANEL) {
    const j1 = Math.min(n, j0 + PANEL);
    let i = 0;
    // 2 rows × 4 columns of C per pass: 8 running sums from 6 loads per step of p.
    for (; i + 1 < m; i += 2) {
      let j = j0;
      for (; j + 3 < j1; j += 4) {
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let x0 = i * aRow;
        let x1 = x0 + aRow;
        const b0 = j * k;
        const b1 = b0 + k;
        const b2 = b1 + k;
        const b3 = b2 + k;
        for (let p = 0; p < k; p++, x0 += aCol, x1 += aCol) {
          const u0 = a[x0], u1 = a[x1];
          const v0 = b[b0 + p], v1 = b[b1 + p], v2 = b[b2 + p], v3 = b[b3 + p];
          s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
          s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
        }
        const c0 = i * n + j;
        const c1 = c0 + n;
        c[c0] = s00; c[c0 + 1] = s01; c[c0 + 2] = s02; c[c0 + 3] = s03;
        c[c1] = s10; c[c1 + 1] = s11; c[c1 + 2] = s12; c[c1 + 3] = s13;
      }
      // Columns left over when the panel width is not a multiple of 4.
      for (; j < j1; j++) {
        c[i * n + j] = dot(a, b, i * aRow, aCol, j * k, k);
        c[(i + 1) * n + j] = dot(a, b, (i + 1) * aRow, aCol, j * k, k);
      }
    }
    // The last row when m is odd.
    for (; i < m; i++) {
      for (let j = j0; j < j1; j++) c[i * n + j] = dot(a, b, i * aRow, aCol, j * k, k);
    }
  }
}

/** Σ_p a[aStart + p·aStep] · b[bStart + p] over k terms. */
function dot(a: FloatArray, b: FloatArray, aStart: number, aStep: number, bStart: number, k: number): number {
  let sum = 0;
  for (let p = 0, x = aStart; p < k; p++, x += aStep) sum += a[x] * b[bStart + p];
  return sum;
}
