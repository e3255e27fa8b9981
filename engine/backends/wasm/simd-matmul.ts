// Runs the WebAssembly SIMD matmul kernel (simd-matmul-kernel.ts) on JavaScript
// Float32Arrays: packs op(A) and op(B) into the kernel's zero-padded panels inside one
// wasm memory, runs the kernel over blocks of k, and copies the m×n result out.
//
// The packing reads through strides, so a transposed operand costs nothing extra, and
// it is O(m·k + k·n) against the kernel's O(m·k·n): the caller only comes here when the
// product is big enough to pay for it (see cpu-matmul.ts).
//
// No Node APIs: the same code runs in the browser bundle. The module is a few hundred
// bytes, small enough for synchronous compilation on Chrome's main thread.

import { DEFAULT_TILE, KERNEL_EXPORT, simdMatmulModuleBytes, simdProbeModuleBytes, type KernelFunction, type SimdMatmulTile } from './simd-matmul-kernel';

const PAGE_BYTES = 65536;
/** Above this much packed data (A + B + C), the JS loops run instead of growing memory further. */
export const SIMD_MATMUL_MAX_BYTES = 1 << 30;

let simdSupported: boolean | undefined;

/** Whether this JavaScript engine runs WebAssembly 128-bit SIMD (checked once). */
export function simdMatmulSupported(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(simdProbeModuleBytes());
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

export interface SimdMatmulOptions {
  tile?: SimdMatmulTile;
  /** Steps of p per kernel call: C accumulates over blocks of k so the B panel stays in L1. */
  kBlock?: number;
}

export class SimdMatmul {
  readonly tile: SimdMatmulTile;
  readonly kBlock: number;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: KernelFunction;
  /** A view of the whole memory; re-created after each growth (growing detaches it). */
  private floats: Float32Array;

  constructor(options: SimdMatmulOptions = {}) {
    this.tile = options.tile ?? DEFAULT_TILE;
    const unroll = this.tile.unroll;
    this.kBlock = Math.max(unroll, Math.floor((options.kBlock ?? 256) / unroll) * unroll);
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(simdMatmulModuleBytes(this.tile));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.kernel = instance.exports[KERNEL_EXPORT] as KernelFunction;
    this.floats = new Float32Array(this.memory.buffer);
  }

  /** Bytes of wasm memory a product of these sizes needs (packed A, packed B, padded C). */
  bytesFor(m: number, k: number, n: number): number {
    const { aFloats, bFloats, cFloats } = this.layout(m, k, n);
    return 4 * (aFloats + bFloats + cFloats);
  }

  /** c[m, n] = op(A) · op(B), A and B row-major as in matmulInto; c is overwritten. */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
    if (m === 0 || n === 0) return;
    if (k === 0) {
      c.fill(0, 0, m * n); // an empty sum; the kernel needs at least one step of p
      return;
    }
    const { rows, vectors } = this.tile;
    const width = 4 * vectors;
    const { kPad, rowPanels, columnPanels, aFloats, bFloats, cFloats } = this.layout(m, k, n);
    this.reserve(4 * (aFloats + bFloats + cFloats));
    const mem = this.floats;
    const aAt = 0;
    const bAt = aFloats;
    const cAt = aFloats + bFloats;
    packA(a, m, k, transA, mem, aAt, rows, kPad);
    packB(b, k, n, transB, mem, bAt, width, kPad);

    const nPad = columnPanels * width;
    for (let p0 = 0; p0 < kPad; p0 += this.kBlock) {
      const steps = Math.min(this.kBlock, kPad - p0);
      this.kernel(
        4 * (aAt + p0 * rows), 4 * kPad * rows,
        4 * (bAt + p0 * width), 4 * kPad * width,
        4 * cAt, 4 * nPad,
        rowPanels, columnPanels, steps, p0 === 0 ? 0 : 1,
      );
    }
    if (n === nPad) c.set(mem.subarray(cAt, cAt + m * n));
    else for (let i = 0; i < m; i++) c.set(mem.subarray(cAt + i * nPad, cAt + i * nPad + n), i * n);
  }

  private layout(m: number, k: number, n: number) {
    const { rows, vectors, unroll } = this.tile;
    const kPad = Math.ceil(k / unroll) * unroll;
    const rowPanels = Math.ceil(m / rows);
    const columnPanels = Math.ceil(n / (4 * vectors));
    // Each region starts on a 16-byte boundary, so the kernel's v128 loads are aligned.
    const aFloats = roundUp4(rowPanels * rows * kPad);
    const bFloats = columnPanels * 4 * vectors * kPad;
    const cFloats = rowPanels * rows * columnPanels * 4 * vectors;
    return { kPad, rowPanels, columnPanels, aFloats, bFloats, cFloats };
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (have >= bytes) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    this.floats = new Float32Array(this.memory.buffer);
  }
}

function roundUp4(x: number): number {
  return Math.ceil(x / 4) * 4;
}

/**
 * op(A) [m, k] into panels of `rows` rows, [panel][p][row], zero-padded to whole panels
 * and kPad steps. Loops run along whichever index is contiguous in A.
 */
function packA(a: Float32Array, m: number, k: number, transA: boolean, out: Float32Array, at: number, rows: number, kPad: number): void {
  const panels = Math.ceil(m / rows);
  for (let panel = 0; panel < panels; panel++) {
    const base = at + panel * kPad * rows;
    const i0 = panel * rows;
    const live = Math.min(rows, m - i0); // rows of this panel inside A
    if (transA) {
      // A is [k, m]: op(A)[i, p] = a[p·m + i]; a step of p is `live` contiguous floats.
      for (let p = 0; p < k; p++) {
        const src = p * m + i0;
        const dst = base + p * rows;
        for (let r = 0; r < live; r++) out[dst + r] = a[src + r];
        for (let r = live; r < rows; r++) out[dst + r] = 0;
      }
    } else {
      // A is [m, k]: op(A)[i, p] = a[i·k + p]; read each row along p.
      for (let r = 0; r < live; r++) {
        const src = (i0 + r) * k;
        for (let p = 0; p < k; p++) out[base + p * rows + r] = a[src + p];
      }
      for (let r = live; r < rows; r++) for (let p = 0; p < k; p++) out[base + p * rows + r] = 0;
    }
    out.fill(0, base + k * rows, base + kPad * rows);
  }
}

/**
 * op(B) [k, n] into panels of `width` columns, [panel][p][column], zero-padded to whole
 * panels and kPad steps.
 */
function packB(b: Float32Array, k: number, n: number, transB: boolean, out: Float32Array, at: number, width: number, kPad: number): void {
  const panels = Math.ceil(n / width);
  for (let panel = 0; panel < panels; panel++) {
    const base = at + panel * kPad * width;
    const j0 = panel * width;
    const live = Math.min(width, n - j0);
    if (transB) {
      // B is [n, k]: op(B)[p, j] = b[j·k + p]; read each row of B along p.
      for (let q = 0; q < live; q++) {
        const src = (j0 + q) * k;
        for (let p = 0; p < k; p++) out[base + p * width + q] = b[src + p];
      }
      for (let q = live; q < width; q++) for (let p = 0; p < k; p++) out[base + p * width + q] = 0;
    } else {
      // B is [k, n]: op(B)[p, j] = b[p·n + j]; a step of p is `live` contiguous floats.
      for (let p = 0; p < k; p++) {
        const src = p * n + j0;
        const dst = base + p * width;
        for (let q = 0; q < live; q++) out[dst + q] = b[src + q];
        for (let q = live; q < width; q++) out[dst + q] = 0;
      }
    }
    out.fill(0, base + k * width, base + kPad * width);
  }
}

let shared: SimdMatmul | null | undefined;

/** The shared kernel instance, created on first use; null where SIMD is unavailable. */
export function sharedSimdMatmul(): SimdMatmul | null {
  if (shared === undefined) shared = simdMatmulSupported() ? new SimdMatmul() : null;
  return shared;
}
