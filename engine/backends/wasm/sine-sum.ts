// Runs the sine-sum kernels (sine-sum-kernel.ts) on JavaScript arrays: f(x) = Σᵢ Cᵢ·sin(Ωᵢx
// + Φᵢ) and its backward, for STAF's CPU path. Copies the parameters (Ω and Φ as f64 for
// the exact argument reduction, C and Ω as f32), x and dy into its own wasm memory, padded
// to a multiple of four elements with zeros (a zero dy adds nothing to the gradients),
// runs the kernel and copies dx out; the gradients' per-block partial sums are added up
// here in float64.
//
// Memory layout, each region 16-byte aligned:
//   [Ω f64 | Φ f64 | C f32 | Ω f32 | x | dy | dx (or out) | partials [block][term][3][4]]
//
// No Node APIs: the same code runs in the browser bundle.

import {
  BACKWARD_EXPORT,
  BLOCK_ELEMENTS,
  FORWARD_EXPORT,
  sineSumModuleBytes,
  type SineSumBackward,
  type SineSumForward,
} from './sine-sum-kernel';

const PAGE_BYTES = 65536;

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
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly forwardKernel: SineSumForward;
  private readonly backwardKernel: SineSumBackward;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.forwardKernel = instance.exports[FORWARD_EXPORT] as SineSumForward;
    this.backwardKernel = instance.exports[BACKWARD_EXPORT] as SineSumBackward;
  }

  /** out[e] = Σᵢ C[i]·sin(Omega[i]·x[e] + Phi[i]); out may be x itself. */
  forward(x: Float32Array, out: Float32Array, C: ArrayLike<number>, Omega: ArrayLike<number>, Phi: ArrayLike<number>): void {
    const size = x.length;
    if (size === 0) return;
    const at = this.prepare(size, C, Omega, Phi);
    const floats = new Float32Array(this.memory.buffer);
    floats.set(x, at.x / 4);
    floats.fill(0, at.x / 4 + size, at.x / 4 + padded(size));
    this.forwardKernel(at.x, at.dx, padded(size), at.omega64, at.phi64, at.c32, C.length);
    out.set(floats.subarray(at.dx / 4, at.dx / 4 + size));
  }

  /** dx = dy ⊙ f'(x); the gradients of C, Omega and Phi (dy·∂f/∂θ summed over the elements) are added into gC, gOmega, gPhi. */
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
  ): void {
    const size = x.length;
    if (size === 0) return;
    const terms = C.length;
    const at = this.prepare(size, C, Omega, Phi);
    const floats = new Float32Array(this.memory.buffer);
    const n = padded(size);
    floats.set(x, at.x / 4);
    floats.fill(0, at.x / 4 + size, at.x / 4 + n);
    floats.set(dy, at.dy / 4);
    floats.fill(0, at.dy / 4 + size, at.dy / 4 + n);
    this.backwardKernel(at.x, at.dy, at.dx, n, at.omega64, at.phi64, at.c32, at.omega32, terms, at.partials);
    dx.set(floats.subarray(at.dx / 4, at.dx / 4 + size));
    // partials: [block][term][C, Ω, Φ][lane]
    const blocks = Math.ceil(n / BLOCK_ELEMENTS);
    let p = at.partials / 4;
    for (let block = 0; block < blocks; block++) {
      for (let i = 0; i < terms; i++) {
        gC[i] += floats[p] + floats[p + 1] + floats[p + 2] + floats[p + 3];
        gOmega[i] += floats[p + 4] + floats[p + 5] + floats[p + 6] + floats[p + 7];
        gPhi[i] += floats[p + 8] + floats[p + 9] + floats[p + 10] + floats[p + 11];
        p += 12;
      }
    }
  }

  /** Lays out the memory for `size` elements (growing it if needed) and writes the parameters. */
  private prepare(size: number, C: ArrayLike<number>, Omega: ArrayLike<number>, Phi: ArrayLike<number>): Layout {
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
    const missing = end - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE_BYTES));
    const buffer = this.memory.buffer;
    const f64 = new Float64Array(buffer, 0, (c32 / 8) | 0);
    const f32 = new Float32Array(buffer);
    for (let i = 0; i < terms; i++) {
      f64[omega64 / 8 + i] = Omega[i];
      f64[phi64 / 8 + i] = Phi[i];
      f32[c32 / 4 + i] = C[i];
      f32[omega32 / 4 + i] = Omega[i];
    }
    return { omega64, phi64, c32, omega32, x, dy, dx, partials, end };
  }
}

function padded(size: number): number {
  return Math.ceil(size / 4) * 4;
}

let module: WebAssembly.Module | null | undefined;

/** A sine-sum runner, or null where this engine has no WebAssembly SIMD (the module does not validate). */
export function createSineSum(): SineSum | null {
  if (module === undefined) {
    try {
      const bytes = sineSumModuleBytes();
      module = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      module = null;
    }
  }
  return module ? new SineSum(module) : null;
}
