// The process's threaded CPU kernels: the SIMD matmul (simd-matmul.ts) and STAF's sine
// sums (sine-sum.ts), both on the WebAssembly heap, sharing ONE set of helper threads
// (helper-threads.ts) that runs either module's exports. One set, not one per kernel: a
// training step calls the two in turn, and a helper of each would compete for the same
// cores, the one spinning after its job (helper-thread-source.ts) taking the core the
// other needs.
//
// Threads default to the cores available; gs.setBackend('cpu', { threads }) sets them
// (cpu-matmul.ts, setCpuMatmulThreads). Made on first use and re-made, with fresh
// helpers, when the thread count changes.
//
// No Node APIs: the same code runs in the browser bundle.

import { availableCores, helpersCanRunOn, HelperThreads } from './helper-threads';
import { DEFAULT_TILE } from './simd-matmul-kernel';
import { simdMatmulModule, simdMatmulSupported, SimdMatmul } from './simd-matmul';
import { relaxedSimdSupported } from './simd-support';
import { SineSum, sineSumModule } from './sine-sum';
import { HEAP_MAX_PAGES, wasmHeap } from './wasm-heap';

export class CpuKernels {
  /** Threads a big job is split over (the calling one included): those asked for, or 1 where helpers are unavailable. */
  readonly threads: number;
  readonly matmul: SimdMatmul;
  /** Null where the sine-sum module does not validate. */
  readonly sineSum: SineSum | null;
  private readonly helpers: HelperThreads | null;

  /** Call simdMatmulSupported() first. */
  constructor(threads: number) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`CpuKernels: threads must be a positive integer, got ${threads}`);
    const heap = wasmHeap();
    const pages = heap ? HEAP_MAX_PAGES : undefined;
    const relaxedMadd = relaxedSimdSupported();
    const matmulModule = simdMatmulModule(DEFAULT_TILE, relaxedMadd, pages);
    const sineModule = sineSumModule(pages, relaxedMadd);
    const modules = sineModule ? [matmulModule, sineModule] : [matmulModule];
    const memory = heap?.memory;
    this.helpers = threads > 1 && memory && helpersCanRunOn(memory) ? new HelperThreads(memory, threads - 1, modules) : null;
    this.threads = this.helpers ? threads : 1;
    const helpers = this.helpers;
    this.matmul = new SimdMatmul(helpers ? { helpers: { helpers, module: matmulModule, first: 0 } } : {});
    this.sineSum = sineModule && new SineSum(this.threads, heap, helpers ? { helpers, module: sineModule, first: matmulModule.exportNames.length } : undefined, relaxedMadd);
  }

  /** Resolves once every helper thread can take work (at once when there are none). */
  async whenThreadsReady(): Promise<void> {
    await this.helpers?.whenReady();
  }

  /** Ends the helper threads and gives the kernels' scratch back; resolves when the helpers have ended. */
  async close(): Promise<void> {
    await this.helpers?.close();
    await Promise.all([this.matmul.close(), this.sineSum?.close()]);
  }
}

let shared: CpuKernels | null | undefined;
/** Threads for the shared kernels; undefined: every core available. */
let sharedThreads: number | undefined;

/** The process's kernels, made on first use; null where WebAssembly SIMD is unavailable. */
export function sharedCpuKernels(): CpuKernels | null {
  if (shared === undefined) shared = simdMatmulSupported() ? new CpuKernels(sharedThreads ?? availableCores()) : null;
  return shared;
}

/** The shared SIMD matmul; null where SIMD is unavailable. */
export function sharedSimdMatmul(): SimdMatmul | null {
  return sharedCpuKernels()?.matmul ?? null;
}

/** The shared sine sums. Call sineSumSupported() first. */
export function sharedSineSum(): SineSum {
  const sineSum = sharedCpuKernels()?.sineSum;
  if (!sineSum) throw new Error('sharedSineSum: this JavaScript engine has no WebAssembly SIMD (check sineSumSupported() first)');
  return sineSum;
}

/** How the shared kernels run (or will, once the first use makes them); null where SIMD is unavailable. */
export function cpuKernelSettings(): { threads: number; relaxedMadd: boolean } | null {
  if (shared) return { threads: shared.threads, relaxedMadd: shared.matmul.relaxedMadd };
  if (!simdMatmulSupported()) return null;
  const threads = sharedThreads ?? availableCores();
  return { threads: threads > 1 && helpersCanRunOn(wasmHeap()?.memory) ? threads : 1, relaxedMadd: relaxedSimdSupported() };
}

/**
 * Threads for the shared kernels from now on (undefined: every core). Ends the current
 * kernels' helpers; with more than one thread, starts the new ones' and resolves once
 * they can take work, so the next product already uses them.
 */
export async function setCpuKernelThreads(threads: number | undefined): Promise<void> {
  const previous = shared;
  shared = undefined;
  sharedThreads = threads;
  await previous?.close();
  await sharedCpuKernels()?.whenThreadsReady();
}
