// Runs the WebAssembly SIMD matmul kernel (simd-matmul-kernel.ts) on JavaScript
// Float32Arrays: packs op(A) and op(B) into the kernel's zero-padded panels
// (simd-pack-kernel.ts), runs the kernel, and leaves the m×n result in C. Where the
// WebAssembly heap holds A, B and C (the CPU backend's tensors) the packing reads them
// where they are and the kernel writes C in place when C needs no padding (m a whole
// number of row panels, n of column panels); otherwise A and B are copied into scratch
// first and C copied out of a padded one (KernelArrays).
//
// The packing reads through strides, so a transposed operand costs nothing extra, and
// it is O(m·k + k·n) against the kernel's O(m·k·n): the caller only comes here when the
// product is big enough to pay for it (see cpu-matmul.ts).
//
// Threads: a product big enough to share (THREAD_MIN_WORK) is split into chunks of
// OUTPUT panels, contiguous ranges along whichever of m and n has more panels, which
// this thread and its helpers claim one at a time (helper-threads.ts). A chunk packs its
// own panels of the split operand and runs the kernel over them; the operand every chunk
// reads in full is packed first, on this thread. Every element of C is still one
// thread's full sum over k, in the same order, so the result is bit-identical for any
// number of threads.
//
// Scratch, each region 16-byte aligned: packed A, packed B, and where needed padded C, A, B.
//
// No Node APIs: the same code runs in the browser bundle. The module is a few hundred
// bytes, small enough for synchronous compilation on Chrome's main thread.

import { MAX_CHUNKS } from './helper-thread-source';
import { runnerHelpers, type HelperCall, type HelperThreads, type SharedHelpers, type ThreadedModule } from './helper-threads';
import {
  DEFAULT_TILE,
  KERNEL_EXPORT,
  simdMatmulModuleBytes,
  type SimdMatmulTile,
} from './simd-matmul-kernel';
import { packExportName } from './simd-pack-kernel';
import { relaxedMaddChoice, simdSupported } from './simd-support';
import { wasmHeap } from './wasm-heap';
import { KernelArrays, type KernelArray } from './wasm-memory';

/** Above this much packed data (A + B + C), the JS loops run instead of growing memory further. */
export const SIMD_MATMUL_MAX_BYTES = 1 << 30;

/**
 * Multiply-adds (m·k·n) from which a product is split over threads. Below it, waking a
 * sleeping helper and handing out chunks costs more than the second core saves.
 * Measured on the 2-core EPYC, quiet (Node 20, 1 vs 2 threads alternated, medians of
 * 11): break-even near 1M multiply-adds (the 128·128·64 products of SimpleNetwork ran
 * 0.92-1.09× as fast on 2 threads; 64³ 0.6-0.7×, 32³ 0.3-0.4×); from 128³ (2.1M) on, 2
 * threads ran 1.24-1.33× as fast, SimpleNetwork's 784→256 products 1.56-1.70×, 512³ 1.52-1.77×.
 */
export const THREAD_MIN_WORK = 128 * 128 * 128;

/** Whether this JavaScript engine runs WebAssembly 128-bit SIMD (checked once). */
export function simdMatmulSupported(): boolean {
  return simdSupported();
}

export interface SimdMatmulOptions {
  tile?: SimdMatmulTile;
  /** Steps of p per pass over C: C accumulates over blocks of k so the B panel stays in L1. */
  kBlock?: number;
  /**
   * Accumulate with f32x4.relaxed_madd (fused multiply-add where the hardware has it).
   * Default: wherever relaxed SIMD validates. Asking for it elsewhere is an error.
   */
  relaxedMadd?: boolean;
  /**
   * Threads that compute one product, the calling one included (default 1). Where
   * helper threads are unavailable (a page that is not cross-origin isolated) the
   * product runs on the calling thread alone.
   */
  threads?: number;
  /** Multiply-adds from which a product is split over threads (default THREAD_MIN_WORK). */
  threadMinWork?: number;
  /**
   * Helper threads shared with other kernels (cpu-threads.ts), running this tile's module
   * on the heap; `threads` is then theirs plus this one. Without it, a product that is
   * split runs on helpers of this instance's own.
   */
  helpers?: SharedHelpers;
}

/** Chunks per thread a shared product is cut into (fewer when there are fewer panels). */
const CHUNKS_PER_THREAD = 4;

/** Indices into the module's exports (threaded calls add the module's first index). */
const KERNEL = 0;
const PACK_A = 1;
const PACK_B = 2;

const modules = new Map<string, ThreadedModule>();

/**
 * The kernel module for a tile (compiled once per tile and options) and the exports a
 * call names: KERNEL, PACK_A, PACK_B.
 */
export function simdMatmulModule(tile: SimdMatmulTile, relaxedMadd: boolean, sharedMemoryMaxPages: number | undefined): ThreadedModule {
  const key = JSON.stringify([tile, relaxedMadd, sharedMemoryMaxPages]);
  let entry = modules.get(key);
  if (!entry) {
    const module = new WebAssembly.Module(simdMatmulModuleBytes(tile, { relaxedMadd, sharedMemoryMaxPages }));
    entry = { module, exportNames: [KERNEL_EXPORT, packExportName(tile.rows), packExportName(4 * tile.vectors)] };
    modules.set(key, entry);
  }
  return entry;
}

export class SimdMatmul {
  readonly tile: SimdMatmulTile;
  readonly kBlock: number;
  readonly relaxedMadd: boolean;
  /** Threads a big product is split over: the `threads` asked for, or 1 where helpers are unavailable. */
  readonly threads: number;
  private readonly threadMinWork: number;
  /** Where the kernel's operands are: the WebAssembly heap (shared: helpers run on it too) or a private memory. */
  private readonly arrays: KernelArrays;
  /** The kernel and the two packing functions, indexed by KERNEL, PACK_A, PACK_B. */
  private readonly functions: ((...args: number[]) => void)[];
  private readonly helpers: HelperThreads | null;
  /** The helpers' index of this module's first export (0 unless they are shared). */
  private readonly first: number;
  /** Whether close() ends the helpers (not when they are shared). */
  private readonly ownsHelpers: boolean;

  constructor(options: SimdMatmulOptions = {}) {
    this.tile = options.tile ?? DEFAULT_TILE;
    const unroll = this.tile.unroll;
    this.kBlock = Math.max(unroll, Math.floor((options.kBlock ?? 1024) / unroll) * unroll);
    this.relaxedMadd = relaxedMaddChoice('SimdMatmul', options.relaxedMadd);
    const shared = options.helpers;
    const threads = shared ? shared.helpers.count + 1 : (options.threads ?? 1);
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`SimdMatmul: threads must be a positive integer, got ${threads}`);
    this.threadMinWork = options.threadMinWork ?? THREAD_MIN_WORK;

    this.arrays = new KernelArrays(wasmHeap());
    const module = shared?.module ?? simdMatmulModule(this.tile, this.relaxedMadd, this.arrays.sharedMemoryMaxPages);
    const instance = new WebAssembly.Instance(module.module, { env: { memory: this.arrays.memory } });
    this.functions = module.exportNames.map((name) => instance.exports[name] as (...args: number[]) => void);
    ({ threads: this.threads, helpers: this.helpers, first: this.first, owned: this.ownsHelpers } = runnerHelpers(shared, threads, this.arrays.memory, module));
  }

  /** Resolves once every helper thread can take work (at once when there are none). */
  async whenThreadsReady(): Promise<void> {
    await this.helpers?.whenReady();
  }

  /** Ends the helper threads (unless they are shared) and gives the scratch back; resolves when the helpers have ended. */
  async close(): Promise<void> {
    if (this.ownsHelpers) await this.helpers?.close();
    this.arrays.dispose();
  }

  /** Bytes of wasm memory a product of these sizes needs. */
  bytesFor(m: number, k: number, n: number): number {
    return 4 * this.layout(m, k, n).totalFloats;
  }

  /**
   * c[m, n] = op(A) · op(B), A and B row-major as in matmulInto; c is overwritten.
   * Returns how many threads computed part of it.
   */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): number {
    if (m === 0 || n === 0) return 1;
    if (k === 0) {
      c.fill(0, 0, m * n); // an empty sum; the kernel needs at least one step of p
      return 1;
    }
    const { rows, vectors } = this.tile;
    const width = 4 * vectors;
    const { kPad, rowPanels, columnPanels } = this.layout(m, k, n);
    const nPad = columnPanels * width;
    // C unpadded is C itself: the kernel writes it in place where the heap holds it.
    const cUnpadded = n === nPad && m === rowPanels * rows;
    // A B stored [k][n] (not transposed) that needs no padding is read where it is: at
    // each p its columns are consecutive, as in a packed panel. That skips the packing of
    // B in a weight gradient (Aᵀ·B) and a backward product (~1% of a SimpleNetwork step).
    const bUnpacked = this.tile.unroll === 1 && !transB && n === nPad;
    const entries: KernelArray[] = [
      [null, rowPanels * rows * kPad, 'out'],
      [null, bUnpacked ? 0 : columnPanels * width * kPad, 'out'],
      cUnpadded ? [c, m * n, 'out'] : [null, rowPanels * rows * nPad, 'out'],
      [a, m * k, 'in'],
      [b, k * n, 'in'],
    ];
    const [aAt, packedBAt, cAt, rawAAt, rawBAt] = this.arrays.place(entries).map((bytes) => bytes / 4);
    // Where the kernel reads B, in floats: a panel's start, from one panel to the next, from one p to the next.
    const [bAt, bPanel, bStepFloats] = bUnpacked ? [rawBAt, width, n] : [packedBAt, width * kPad, width];

    // Lanes of A are rows i of op(A); lanes of B are columns j of op(B). Strides in floats.
    const [aLane, aStep] = transA ? [1, m] : [k, 1];
    const [bLane, bStep] = transB ? [k, 1] : [1, n];
    const packA = (first: number, count: number): HelperCall => ({
      fn: this.first + PACK_A,
      args: [4 * (aAt + first * rows * kPad), 4 * (rawAAt + first * rows * aLane), Math.min(m - first * rows, count * rows), 4 * aLane, 4 * aStep, k, kPad],
    });
    const packB = (first: number, count: number): HelperCall[] => bUnpacked ? [] : [{
      fn: this.first + PACK_B,
      args: [4 * (bAt + first * width * kPad), 4 * (rawBAt + first * width * bLane), Math.min(n - first * width, count * width), 4 * bLane, 4 * bStep, k, kPad],
    }];
    const kernel = (firstRow: number, rowCount: number, firstColumn: number, columnCount: number): HelperCall => ({
      fn: this.first + KERNEL,
      args: [
        4 * (aAt + firstRow * rows * kPad), 4 * kPad * rows,
        4 * (bAt + firstColumn * bPanel), 4 * bPanel,
        4 * (cAt + firstRow * rows * nPad + firstColumn * width), 4 * nPad,
        rowCount, columnCount, kPad, this.kBlock, 4 * bStepFloats,
      ],
    });
    // Eleven arguments spelt out (extra ones are ignored by a wasm export): a spread call
    // takes V8's generic path, a few µs per product at the sizes that come here.
    const call = ({ fn, args: x }: HelperCall) => this.functions[fn - this.first](x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10]);

    const splitColumns = columnPanels >= rowPanels;
    const panels = splitColumns ? columnPanels : rowPanels;
    let threads = 1;
    if (!this.helpers || m * k * n < this.threadMinWork || panels === 1) {
      call(packA(0, rowPanels));
      for (const pack of packB(0, columnPanels)) call(pack);
      call(kernel(0, rowPanels, 0, columnPanels));
    } else {
      // The operand every chunk reads in full is packed here first; each chunk packs
      // its own panels of the other and multiplies them. Several chunks per thread, so
      // that a helper that wakes late leaves its share to the others.
      for (const pack of splitColumns ? [packA(0, rowPanels)] : packB(0, columnPanels)) call(pack);
      const chunks = evenRanges(panels, Math.min(panels, MAX_CHUNKS, CHUNKS_PER_THREAD * this.threads)).map(([first, count]) =>
        splitColumns ? [...packB(first, count), kernel(0, rowPanels, first, count)] : [packA(first, count), kernel(first, count, 0, columnPanels)],
      );
      threads = this.helpers.run(chunks, call);
    }
    if (cUnpadded) this.arrays.finish(); // copies C out only where it was not in place
    else {
      const padded = this.arrays.float32At(4 * cAt, rowPanels * rows * nPad);
      for (let i = 0; i < m; i++) c.set(padded.subarray(i * nPad, i * nPad + n), i * n);
    }
    return threads;
  }

  private layout(m: number, k: number, n: number) {
    const { rows, vectors, unroll } = this.tile;
    const kPad = Math.ceil(k / unroll) * unroll;
    const rowPanels = Math.ceil(m / rows);
    const columnPanels = Math.ceil(n / (4 * vectors));
    // Packed A and B, padded C, A and B: the most a product needs (in the heap, C, A and B are not copied).
    const totalFloats = roundUp4(rowPanels * rows * kPad) + columnPanels * 4 * vectors * kPad + rowPanels * rows * columnPanels * 4 * vectors + roundUp4(m * k) + k * n;
    return { kPad, rowPanels, columnPanels, totalFloats };
  }
}

/** [first, count] of `parts` contiguous ranges covering 0..total, sizes differing by at most one. */
function evenRanges(total: number, parts: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let p = 0; p < parts; p++) {
    const first = Math.floor((p * total) / parts);
    ranges.push([first, Math.floor(((p + 1) * total) / parts) - first]);
  }
  return ranges;
}

function roundUp4(x: number): number {
  return Math.ceil(x / 4) * 4;
}
