// Runs the WebAssembly SIMD matmul kernel (simd-matmul-kernel.ts) on JavaScript
// Float32Arrays: copies A and B as they are into one wasm memory, packs op(A) and op(B)
// there into the kernel's zero-padded panels (simd-pack-kernel.ts), runs the kernel
// over blocks of k, and copies the m×n result out.
//
// The packing reads through strides, so a transposed operand costs nothing extra, and
// it is O(m·k + k·n) against the kernel's O(m·k·n): the caller only comes here when the
// product is big enough to pay for it (see cpu-matmul.ts).
//
// Memory layout, each region 16-byte aligned: [packed A | packed B | padded C | A | B].
//
// No Node APIs: the same code runs in the browser bundle. The module is a few hundred
// bytes, small enough for synchronous compilation on Chrome's main thread.

import { DEFAULT_TILE, KERNEL_EXPORT, simdMatmulModuleBytes, simdProbeModuleBytes, type KernelFunction, type SimdMatmulTile } from './simd-matmul-kernel';
import { packExportName, type PackFunction } from './simd-pack-kernel';

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
  private readonly packA: PackFunction;
  private readonly packB: PackFunction;
  /** A view of the whole memory; re-created after each growth (growing detaches it). */
  private floats: Float32Array;

  constructor(options: SimdMatmulOptions = {}) {
    this.tile = options.tile ?? DEFAULT_TILE;
    const unroll = this.tile.unroll;
    this.kBlock = Math.max(unroll, Math.floor((options.kBlock ?? 1024) / unroll) * unroll);
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(simdMatmulModuleBytes(this.tile));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.kernel = instance.exports[KERNEL_EXPORT] as KernelFunction;
    this.packA = instance.exports[packExportName(this.tile.rows)] as PackFunction;
    this.packB = instance.exports[packExportName(4 * this.tile.vectors)] as PackFunction;
    this.floats = new Float32Array(this.memory.buffer);
  }

  /** Bytes of wasm memory a product of these sizes needs. */
  bytesFor(m: number, k: number, n: number): number {
    return 4 * this.layout(m, k, n).totalFloats;
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
    const { kPad, rowPanels, columnPanels, aAt, bAt, cAt, rawAAt, rawBAt, totalFloats } = this.layout(m, k, n);
    this.reserve(4 * totalFloats);
    const mem = this.floats;
    mem.set(a.subarray(0, m * k), rawAAt);
    mem.set(b.subarray(0, k * n), rawBAt);
    // Lanes of A are rows i of op(A); lanes of B are columns j of op(B). Strides in bytes.
    this.packA(4 * aAt, 4 * rawAAt, m, transA ? 4 : 4 * k, transA ? 4 * m : 4, k, kPad);
    this.packB(4 * bAt, 4 * rawBAt, n, transB ? 4 * k : 4, transB ? 4 : 4 * n, k, kPad);

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
    const aAt = 0;
    const bAt = aAt + roundUp4(rowPanels * rows * kPad);
    const cAt = bAt + columnPanels * 4 * vectors * kPad;
    const rawAAt = cAt + rowPanels * rows * columnPanels * 4 * vectors;
    const rawBAt = rawAAt + roundUp4(m * k);
    const totalFloats = rawBAt + k * n;
    return { kPad, rowPanels, columnPanels, aAt, bAt, cAt, rawAAt, rawBAt, totalFloats };
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

let shared: SimdMatmul | null | undefined;

/** The shared kernel instance, created on first use; null where SIMD is unavailable. */
export function sharedSimdMatmul(): SimdMatmul | null {
  if (shared === undefined) shared = simdMatmulSupported() ? new SimdMatmul() : null;
  return shared;
}
