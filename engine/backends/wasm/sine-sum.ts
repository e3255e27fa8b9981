// Runs the sine-sum kernels (sine-sum-kernel.ts) on float32 arrays: f(x) = Σᵢ Cᵢ·sin(Ωᵢx
// + Φᵢ) and its backward, for STAF's CPU path. The parameters go into scratch (Ω/2π and
// Φ/2π as f64 for the argument reduction in turns, C and Ω as f32). x, dy and the
// output are read and written where they are when the WebAssembly heap holds them
// (wasm-heap.ts: the CPU backend's tensors) and their size is a multiple of four; any
// other array is copied into scratch padded with zeros (a zero x and dy add nothing to
// the gradients; a padding lane of a tensor may hold anything, a NaN) and the output
// copied out (KernelArrays). The gradients' per-block partial sums are added up here in
// float64.
//
// Threads: the process's instance (cpu-threads.ts) shares the CPU matmul's helper
// threads (gs.setBackend('cpu', { threads })) on the heap's shared memory. A big array
// is cut into runs of whole blocks that the threads claim; every block's partial sums land in their
// own slot and are added up here in block order, so the values never depend on how many
// threads ran or which took which block.
//
// No Node APIs: the same code runs in the browser bundle.

import { MAX_CHUNKS } from './helper-thread-source';
import { runnerHelpers, type HelperCall, type HelperThreads, type SharedHelpers, type ThreadedModule } from './helper-threads';
import { BACKWARD_EXPORT, BLOCK_ELEMENTS, FORWARD_EXPORT, sineSumModuleBytes } from './sine-sum-kernel';
import { relaxedMaddChoice } from './simd-support';
import { wasmHeap, type WasmHeap } from './wasm-heap';
import { KernelArrays } from './wasm-memory';

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

/** Byte addresses of one call's arrays. */
interface Placed {
  omega64: number;
  phi64: number;
  c32: number;
  omega32: number;
  x: number;
  dy: number;
  out: number;
  partials: number;
  /** The output was placed in scratch by this runner (KernelArrays.finish() does not copy it out). */
  outViaScratch: boolean;
}

export class SineSum {
  /** Threads a big array is split over: those asked for, or 1 where helpers are unavailable. */
  readonly threads: number;
  /** Whether the kernels multiply-add with relaxed SIMD's relaxed_madd (sineSumModuleBytes). */
  readonly relaxedMadd: boolean;
  /** Where the kernels' arrays are: the WebAssembly heap (shared: helpers run on it too) or a private memory. */
  private readonly arrays: KernelArrays;
  /** The forward and backward kernels, indexed by FORWARD and BACKWARD. */
  private readonly kernels: ((...args: number[]) => void)[];
  private readonly helpers: HelperThreads | null;
  /** The helpers' index of this module's first export (0 unless they are shared). */
  private readonly first: number;
  /** Whether close() ends the helpers (not when they are shared). */
  private readonly ownsHelpers: boolean;
  /** For arrays the heap cannot hold: one thread, a private memory that grows freely. */
  private alone: SineSum | null = null;

  /**
   * On `threads` threads: helpers of its own, or `shared` ones (cpu-threads.ts) that run
   * this module (made with the same `relaxedMadd`) on the heap. relaxedMadd defaults to
   * wherever relaxed SIMD validates; asking for it elsewhere is an error. Call
   * sineSumSupported() first.
   */
  constructor(threads = 1, private readonly heap: WasmHeap | null = wasmHeap(), shared?: SharedHelpers, relaxedMadd?: boolean) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`SineSum: threads must be a positive integer, got ${threads}`);
    this.relaxedMadd = relaxedMaddChoice('SineSum', relaxedMadd);
    this.arrays = new KernelArrays(heap);
    const module = shared?.module ?? sineSumModule(this.arrays.sharedMemoryMaxPages, this.relaxedMadd)!;
    const instance = new WebAssembly.Instance(module.module, { env: { memory: this.arrays.memory } });
    this.kernels = module.exportNames.map((name) => instance.exports[name] as (...args: number[]) => void);
    ({ threads: this.threads, helpers: this.helpers, first: this.first, owned: this.ownsHelpers } = runnerHelpers(shared, threads, this.arrays.memory, module));
  }

  /** Resolves once every helper thread can take work (at once when there are none). */
  async whenThreadsReady(): Promise<void> {
    await this.helpers?.whenReady();
  }

  /** Ends the helper threads (unless they are shared) and gives the scratch back; resolves when the helpers have ended. */
  async close(): Promise<void> {
    if (this.ownsHelpers) await this.helpers?.close();
    await this.alone?.close();
    this.arrays.dispose();
  }

  /** out[e] = Σᵢ C[i]·sin(Omega[i]·x[e] + Phi[i]); out may be x itself. Returns how many threads took part. */
  forward(x: Float32Array, out: Float32Array, C: ArrayLike<number>, Omega: ArrayLike<number>, Phi: ArrayLike<number>): number {
    const size = x.length;
    if (size === 0) return 1;
    const at = this.place(x, null, out, C, Omega, Phi);
    if (!at) return this.single().forward(x, out, C, Omega, Phi);
    const threads = this.runBlocks(padded(size), C.length, (first, count) => ({
      fn: this.first + FORWARD,
      args: [at.x + 16 * first, at.out + 16 * first, count, at.omega64, at.phi64, at.c32, C.length],
    }));
    this.arrays.finish();
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
    const at = this.place(x, dy, dx, C, Omega, Phi);
    if (!at) return this.single().backward(x, dy, dx, C, Omega, Phi, gC, gOmega, gPhi);
    const n = padded(size);
    const threads = this.runBlocks(n, terms, (first, count) => ({
      fn: this.first + BACKWARD,
      args: [
        at.x + 16 * first, at.dy + 16 * first, at.out + 16 * first, count,
        at.omega64, at.phi64, at.c32, at.omega32, terms, at.partials + ((first * 4) / BLOCK_ELEMENTS) * terms * 48,
      ],
    }));
    this.arrays.finish();
    if (at.outViaScratch) dx.set(this.arrays.float32At(at.out, size));
    // partials: [block][term][C, Ω/C, Φ/C][lane], added in block order whatever thread wrote them
    const blocks = Math.ceil(n / BLOCK_ELEMENTS);
    const partials = this.arrays.float32At(at.partials, blocks * terms * 12);
    for (let i = 0; i < terms; i++) {
      let sumC = 0;
      let sumOmega = 0;
      let sumPhi = 0;
      for (let block = 0, p = 12 * i; block < blocks; block++, p += 12 * terms) {
        sumC += partials[p] + partials[p + 1] + partials[p + 2] + partials[p + 3];
        sumOmega += partials[p + 4] + partials[p + 5] + partials[p + 6] + partials[p + 7];
        sumPhi += partials[p + 8] + partials[p + 9] + partials[p + 10] + partials[p + 11];
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
    const run = ({ fn, args: a }: HelperCall) => this.kernels[fn - this.first](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
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

  /** The one-thread instance on a private memory, for arrays the heap cannot hold. */
  private single(): SineSum {
    this.alone ??= new SineSum(1, null, undefined, this.relaxedMadd);
    return this.alone;
  }

  /**
   * Places one call's arrays (dy null for the forward) and writes the parameters; null
   * when the heap cannot hold the scratch (then the caller runs alone()).
   */
  private place(x: Float32Array, dy: Float32Array | null, out: Float32Array, C: ArrayLike<number>, Omega: ArrayLike<number>, Phi: ArrayLike<number>): Placed | null {
    const terms = C.length;
    const size = x.length;
    const n = padded(size);
    // x and dy are read in place only without padding lanes: those of a tensor may hold anything.
    const whole = size === n;
    // The backward clears dx before it reads x and dy: a dx over either is written in scratch.
    const outViaScratch = dy !== null && (this.overlap(out, x) || this.overlap(out, dy));
    let addresses: number[];
    try {
      addresses = this.arrays.place([
        [null, 2 * terms, 'out'], // Ω/2π, f64
        [null, 2 * terms, 'out'], // Φ/2π, f64
        [null, terms, 'out'], // C
        [null, terms, 'out'], // Ω
        [whole ? x : null, n, 'in'],
        [whole || !dy ? dy : null, dy ? n : 0, 'in'],
        // The backward clears dx before it reads x and dy: a dx over either is written in scratch.
        [outViaScratch ? null : out, size, 'out'],
        [null, dy ? Math.ceil(n / BLOCK_ELEMENTS) * terms * 12 : 0, 'out'],
      ]);
    } catch (error) {
      if (error instanceof RangeError && this.arrays.sharedMemoryMaxPages !== undefined) return null;
      throw error;
    }
    const [omega64, phi64, c32, omega32, xAt, dyAt, outAt, partials] = addresses;
    const [omegaTurns, phiTurns] = [this.arrays.float64At(omega64, terms), this.arrays.float64At(phi64, terms)];
    const [c, omega] = [this.arrays.float32At(c32, terms), this.arrays.float32At(omega32, terms)];
    for (let i = 0; i < terms; i++) {
      omegaTurns[i] = Omega[i] / TWO_PI;
      phiTurns[i] = Phi[i] / TWO_PI;
      c[i] = C[i];
      omega[i] = Omega[i];
    }
    if (!whole) {
      for (const [array, at] of dy ? [[x, xAt], [dy, dyAt]] as const : [[x, xAt]] as const) {
        const padded = this.arrays.float32At(at, n);
        padded.set(array);
        padded.fill(0, size);
      }
    }
    return { omega64, phi64, c32, omega32, x: xAt, dy: dyAt, out: outAt, partials, outViaScratch };
  }

  /** Whether two arrays share bytes (in the same buffer, or both in the heap, whose buffer changes as it grows). */
  private overlap(a: Float32Array, b: Float32Array): boolean {
    const sameMemory = a.buffer === b.buffer || (this.heap !== null && this.heap.resident(a) && this.heap.resident(b));
    return sameMemory && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
  }
}

function padded(size: number): number {
  return Math.ceil(size / 4) * 4;
}

const modules = new Map<string, ThreadedModule | null>();

/**
 * The kernels' module, importing a shared memory of that many pages at most (the heap's)
 * or a private one, with or without relaxed_madd, and the exports a call names (FORWARD,
 * BACKWARD); null where this engine does not validate it (no WebAssembly SIMD).
 */
export function sineSumModule(sharedMemoryMaxPages: number | undefined, relaxedMadd = false): ThreadedModule | null {
  const key = JSON.stringify([sharedMemoryMaxPages ?? null, relaxedMadd]);
  if (!modules.has(key)) {
    let module: WebAssembly.Module | null = null;
    try {
      const bytes = sineSumModuleBytes({ sharedMemoryMaxPages, relaxedMadd });
      module = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      module = null;
    }
    modules.set(key, module && { module, exportNames: [FORWARD_EXPORT, BACKWARD_EXPORT] });
  }
  return modules.get(key)!;
}

/** Whether this JavaScript engine runs the sine-sum kernels (WebAssembly SIMD). */
export function sineSumSupported(): boolean {
  return sineSumModule(undefined) !== null;
}
