// Runs the sine-sum kernels (sine-sum-kernel.ts) on JavaScript arrays: f(x) = Σᵢ Cᵢ·sin(Ωᵢx
// + Φᵢ) and its backward, for STAF's CPU path. Copies the parameters (Ω/2π and Φ/2π as
// f64 for the exact argument reduction in turns, C and Ω as f32), x and dy into its own wasm memory, padded
// to a multiple of four elements with zeros (a zero dy adds nothing to the gradients),
// runs the kernel and copies dx out; the gradients' per-block partial sums are added up
// here in float64.
//
// Threads: as many as the CPU matmul uses (gs.setBackend('cpu', { threads })), through the
// same helper threads (helper-threads.ts) on a shared memory. A big array is cut into
// runs of whole blocks that the threads claim; every block's partial sums land in their
// own slot and are added up here in block order, so the values never depend on how many
// threads ran or which took which block.
//
// Memory layout, each region 16-byte aligned:
//   [Ω/2π f64 | Φ/2π f64 | C f32 | Ω f32 | x | dy | dx (or out) | partials [block][term][3][4]]
//
// No Node APIs: the same code runs in the browser bundle.

import { MAX_CHUNKS } from './helper-thread-source';
import { helperThreadsAvailable, HelperThreads, type HelperCall } from './helper-threads';
import { sharedSimdMatmulSettings } from './simd-matmul';
import { BACKWARD_EXPORT, BLOCK_ELEMENTS, FORWARD_EXPORT, sineSumModuleBytes } from './sine-sum-kernel';
import { PAGE_BYTES } from './wasm-heap';
import { growTo } from './wasm-memory';

/** The most a shared memory may hold (it needs a maximum up front); bigger arrays run on one thread. */
const SHARED_MAX_BYTES = 1 << 30;
const TWO_PI = 2 * Math.PI;
const FORWARD = 0;
const BACKWARD = 1;
/**
 * Element·terms from which an array is split over threads: one STAF term of one element
 * is ~30 SIMD instructions for four, so this is ~0.1 ms of work, a few times the cost of
 * waking a helper. (Not tuned: SimpleNetwork's STAF(25) arrays are 8-32k elements, 16-60
 * times this.)
 */
export const SINE_SUM_THREAD_MIN_WORK = 1 << 16;
/** Runs of blocks per thread, so that a helper that wakes late leaves its share to the others. */
const CHUNKS_PER_THREAD = 4;

interface Layout {
  omega64: number;
  phi64: number;
  c32: number;
  omega32: number;
  x: number;
  dy: number;
  dx: number;
  partials: number;
  end: number;
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

export class SineSum {
  /** Threads a big array is split over: those asked for, or 1 where helpers are unavailable. */
  readonly threads: number;
  private readonly memory: WebAssembly.Memory;
  /** The forward and backward kernels, indexed by FORWARD and BACKWARD. */
  private readonly kernels: ((...args: number[]) => void)[];
  private readonly helpers: HelperThreads | null;
  /** For arrays too big for the shared memory: one thread, a memory that grows freely. */
  private alone: SineSum | null = null;

  constructor(threads = 1) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`SineSum: threads must be a positive integer, got ${threads}`);
    const shared = threads > 1 && helperThreadsAvailable() ? sharedMemory() : null;
    this.threads = shared ? threads : 1;
    this.memory = shared ?? new WebAssembly.Memory({ initial: 1 });
    const module = compiled(!!shared)!;
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    const exportNames = [FORWARD_EXPORT, BACKWARD_EXPORT];
    this.kernels = exportNames.map((name) => instance.exports[name] as (...args: number[]) => void);
    this.helpers = shared ? new HelperThreads(module, this.memory, threads - 1, exportNames) : null;
  }

  /** Resolves once every helper thread can take work (at once when there are none). */
  async whenThreadsReady(): Promise<void> {
    await this.helpers?.whenReady();
  }

  /** Ends the helper threads; resolves when they have ended. The instance keeps working on one thread. */
  async close(): Promise<void> {
    await this.helpers?.close();
  }

  /** out[e] = Σᵢ C[i]·sin(Omega[i]·x[e] + Phi[i]); out may be x itself. Returns how many threads took part. */
  forward(x: Float32Array, out: Float32Array, C: ArrayLike<number>, Omega: ArrayLike<number>, Phi: ArrayLike<number>): number {
    const size = x.length;
    if (size === 0) return 1;
    const at = this.prepare(size, C, Omega, Phi);
    if (!at) return this.single().forward(x, out, C, Omega, Phi);
    const floats = new Float32Array(this.memory.buffer);
    floats.set(x, at.x / 4);
    floats.fill(0, at.x / 4 + size, at.x / 4 + padded(size));
    const threads = this.runBlocks(padded(size), C.length, (first, count) => ({
      fn: FORWARD,
      args: [at.x + 16 * first, at.dx + 16 * first, count, at.omega64, at.phi64, at.c32, C.length],
    }));
    out.set(floats.subarray(at.dx / 4, at.dx / 4 + size));
    return threads;
  }

  /**
   * dx = dy ⊙ f'(x); the gradients of C, Omega and Phi (dy·∂f/∂θ summed over the
   * elements) are added into gC, gOmega, gPhi. Returns how many threads took part.
   */
  backward(
    x: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    C: ArrayLike<number>,
    Omega: ArrayLike<number>,
    Phi: ArrayLike<number>,
    gC: Float64Array,
    gOmega: Float64Array,
    gPhi: Float64Array,
  ): number {
    const size = x.length;
    if (size === 0) return 1;
    const terms = C.length;
    const at = this.prepare(size, C, Omega, Phi);
    if (!at) return this.single().backward(x, dy, dx, C, Omega, Phi, gC, gOmega, gPhi);
    const floats = new Float32Array(this.memory.buffer);
    const n = padded(size);
    floats.set(x, at.x / 4);
    floats.fill(0, at.x / 4 + size, at.x / 4 + n);
    floats.set(dy, at.dy / 4);
    floats.fill(0, at.dy / 4 + size, at.dy / 4 + n);
    const threads = this.runBlocks(n, terms, (first, count) => ({
      fn: BACKWARD,
      args: [
        at.x + 16 * first, at.dy + 16 * first, at.dx + 16 * first, count,
        at.omega64, at.phi64, at.c32, at.omega32, terms, at.partials + ((first * 4) / BLOCK_ELEMENTS) * terms * 48,
      ],
    }));
    dx.set(floats.subarray(at.dx / 4, at.dx / 4 + size));
    // partials: [block][term][C, Ω/C, Φ/C][lane], added in block order whatever thread wrote them
    const blocks = Math.ceil(n / BLOCK_ELEMENTS);
    for (let i = 0; i < terms; i++) {
      let sumC = 0;
      let sumOmega = 0;
      let sumPhi = 0;
      for (let block = 0, p = at.partials / 4 + 12 * i; block < blocks; block++, p += 12 * terms) {
        sumC += floats[p] + floats[p + 1] + floats[p + 2] + floats[p + 3];
        sumOmega += floats[p + 4] + floats[p + 5] + floats[p + 6] + floats[p + 7];
        sumPhi += floats[p + 8] + floats[p + 9] + floats[p + 10] + floats[p + 11];
      }
      gC[i] += sumC;
      gOmega[i] += C[i] * sumOmega;
      gPhi[i] += C[i] * sumPhi;
    }
    return threads;
  }

  /**
   * Runs a kernel over `n` elements (a multiple of 4): in one call, or, when the array is
   * big enough, in runs of whole blocks claimed by this thread and the helpers.
   * `call(firstGroup, elements)` makes the call for a run starting at group (of 4) firstGroup.
   */
  private runBlocks(n: number, terms: number, call: (firstGroup: number, elements: number) => HelperCall): number {
    const blocks = Math.ceil(n / BLOCK_ELEMENTS);
    // Ten arguments spelt out (extra ones are ignored by a wasm export): a spread call takes V8's generic path.
    const run = ({ fn, args: a }: HelperCall) => this.kernels[fn](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
    if (!this.helpers || blocks === 1 || n * terms < SINE_SUM_THREAD_MIN_WORK) {
      run(call(0, n));
      return 1;
    }
    const parts = Math.min(blocks, MAX_CHUNKS, CHUNKS_PER_THREAD * this.threads);
    const chunks: HelperCall[][] = [];
    for (let part = 0; part < parts; part++) {
      const first = Math.floor((part * blocks) / parts) * BLOCK_ELEMENTS;
      const last = Math.min(n, Math.floor(((part + 1) * blocks) / parts) * BLOCK_ELEMENTS);
      chunks.push([call(first / 4, last - first)]);
    }
    return this.helpers.run(chunks, run);
  }

  /** The one-thread instance for arrays too big for the shared memory. */
  private single(): SineSum {
    this.alone ??= new SineSum(1);
    return this.alone;
  }

  /**
   * Lays out the memory for `size` elements (growing it if needed) and writes the
   * parameters; null when a shared memory cannot hold them.
   */
  private prepare(size: number, C: ArrayLike<number>, Omega: ArrayLike<number>, Phi: ArrayLike<number>): Layout | null {
    const terms = C.length;
    const n = padded(size);
    const omega64 = 0;
    const phi64 = align16(terms * 8);
    const c32 = phi64 + align16(terms * 8);
    const omega32 = c32 + align16(terms * 4);
    const x = omega32 + align16(terms * 4);
    const dy = x + n * 4;
    const dx = dy + n * 4;
    const partials = dx + n * 4;
    const end = partials + Math.ceil(n / BLOCK_ELEMENTS) * terms * 48;
    if (this.helpers && end > SHARED_MAX_BYTES) return null;
    growTo(this.memory, end);
    const buffer = this.memory.buffer;
    const f64 = new Float64Array(buffer, 0, (c32 / 8) | 0);
    const f32 = new Float32Array(buffer);
    for (let i = 0; i < terms; i++) {
      f64[omega64 / 8 + i] = Omega[i] / TWO_PI;
      f64[phi64 / 8 + i] = Phi[i] / TWO_PI;
      f32[c32 / 4 + i] = C[i];
      f32[omega32 / 4 + i] = Omega[i];
    }
    return { omega64, phi64, c32, omega32, x, dy, dx, partials, end };
  }
}

function padded(size: number): number {
  return Math.ceil(size / 4) * 4;
}

/** A shared memory for the kernels and their helpers, or null where the engine refuses one (then: one thread). */
function sharedMemory(): WebAssembly.Memory | null {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_BYTES / PAGE_BYTES, shared: true });
  } catch {
    return null;
  }
}

const modules: { [shared: string]: WebAssembly.Module | null } = {};

/** The compiled module (with a shared memory or not); null where this engine has no WebAssembly SIMD (it does not validate). */
function compiled(shared: boolean): WebAssembly.Module | null {
  const key = String(shared);
  if (!(key in modules)) {
    try {
      const bytes = sineSumModuleBytes(shared ? SHARED_MAX_BYTES / PAGE_BYTES : undefined);
      modules[key] = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      modules[key] = null;
    }
  }
  return modules[key];
}

/** Whether this JavaScript engine runs the sine-sum kernels (WebAssembly SIMD). */
export function sineSumSupported(): boolean {
  return compiled(false) !== null;
}

let shared: SineSum | undefined;

/**
 * The process's sine-sum runner, on as many threads as the CPU matmul (re-made when that
 * setting changes; the old one's helpers are ended). Call sineSumSupported() first.
 */
export function sharedSineSum(): SineSum {
  const threads = sharedSimdMatmulSettings()?.threads ?? 1;
  if (shared && shared.threads !== threads) {
    void shared.close();
    shared = undefined;
  }
  shared ??= new SineSum(threads);
  return shared;
}
