// Runs an activation's SIMD kernels (a module of elementwise-kernel.ts, as gelu-kernel.ts's
// or relu-kernel.ts's) on JavaScript Float32Arrays: in place where the WebAssembly heap
// holds them (the CPU backend's tensors), else copied into its scratch and the results
// copied out (KernelArrays).
//
// One thread: at a few ns an element, SimpleNetwork's biggest activation (128×256) is
// ~0.1 ms, near the cost of waking a helper. No Node APIs: the browser bundle runs it too.

import type { ActivationSimd } from '../../activation-spec';
import { BACKWARD_EXPORT, BACKWARD_SUMS_EXPORT, FORWARD_EXPORT, LINEAR_EXPORT } from './elementwise-kernel';
import { wasmHeap } from './wasm-heap';
import { KernelArrays } from './wasm-memory';

type Kernel = (...args: number[]) => void;

export class ElementwiseSimd {
  private readonly arrays = new KernelArrays(wasmHeap());
  private readonly forwardKernel: Kernel;
  private readonly backwardKernel: Kernel;
  private readonly linearKernel: Kernel;
  private readonly backwardSumsKernel: Kernel;

  /** `moduleBytes` makes the module, importing a shared memory of that many pages at most when given one. */
  constructor(moduleBytes: (sharedMemoryMaxPages?: number) => Uint8Array<ArrayBuffer>) {
    const bytes = moduleBytes(this.arrays.sharedMemoryMaxPages);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.arrays.memory } });
    this.forwardKernel = instance.exports[FORWARD_EXPORT] as Kernel;
    this.backwardKernel = instance.exports[BACKWARD_EXPORT] as Kernel;
    this.linearKernel = instance.exports[LINEAR_EXPORT] as Kernel;
    this.backwardSumsKernel = instance.exports[BACKWARD_SUMS_EXPORT] as Kernel;
  }

  /** out = f(x); out may be x itself. `param`: the kernel's scalar parameter, if it has one. */
  forward(x: Float32Array, out: Float32Array, param = 0): void {
    const size = Math.min(x.length, out.length);
    if (size === 0) return;
    const [xAt, outAt] = this.arrays.place([[x, size, 'in'], [out, size, 'out']]);
    this.forwardKernel(xAt, outAt, Math.ceil(size / 4), param);
    this.arrays.finish();
  }

  /** dx = dy ⊙ f′(input); dx may be dy itself. `input` is x, or y for a kernel whose f′ reads the output. */
  backward(input: Float32Array, dy: Float32Array, dx: Float32Array, param = 0): void {
    const size = Math.min(input.length, dy.length, dx.length);
    if (size === 0) return;
    const [inAt, dyAt, dxAt] = this.arrays.place([[input, size, 'in'], [dy, size, 'in'], [dx, size, 'out']]);
    this.backwardKernel(inAt, dyAt, dxAt, Math.ceil(size / 4), param);
    this.arrays.finish();
  }

  /**
   * The fused linear layer's epilogue over z [rows, n] (n a multiple of 4): y = f(z + b)
   * (see the kernel's valueOfSum); z keeps z + b, rounded to float32, when keepZ. y may be z itself.
   */
  linear(z: Float32Array, b: Float32Array, y: Float32Array, rows: number, n: number, keepZ: boolean, param = 0): void {
    multipleOfFour('linear', n);
    const size = rows * n;
    if (size === 0) return;
    const [zAt, bAt, yAt] = this.arrays.place([[z, size, keepZ ? 'inout' : 'in'], [b, n, 'in'], [y, size, 'out']]);
    this.linearKernel(zAt, bAt, yAt, keepZ ? 1 : 0, rows, n / 4, param);
    this.arrays.finish();
  }

  /**
   * backward over [rows, n] (n a multiple of 4), and Σ over rows of dx added into
   * columnSums[j] (float64, row by row: the values of a plain JS loop, bit for bit).
   */
  backwardWithSums(input: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, n: number, columnSums: Float64Array, param = 0): void {
    multipleOfFour('backwardWithSums', n);
    const size = rows * n;
    if (size === 0) return;
    const [inAt, dyAt, dxAt, sumsAt] = this.arrays.place([[input, size, 'in'], [dy, size, 'in'], [dx, size, 'out'], [null, 2 * n, 'out']]);
    const sums = this.arrays.float64At(sumsAt, n);
    sums.set(columnSums.subarray(0, n));
    this.backwardSumsKernel(inAt, dyAt, dxAt, sumsAt, rows, n / 4, param);
    columnSums.set(this.arrays.float64At(sumsAt, n));
    this.arrays.finish();
  }
}

/**
 * A spec's SIMD forms (cpu.simd) from kernels whose f′ reads the output y, as the spec's
 * does (derivativeUses 'output': tanh, sigmoid): training keeps y and hands it to
 * backwardWithSums; the backward given x (a forward that kept no y) computes y first.
 */
export function simdFormsReadingOutput(k: ElementwiseSimd): ActivationSimd {
  return {
    forward: (x, out) => k.forward(x, out),
    backward: (x, dy, dx) => {
      const y = new Float32Array(x.length);
      k.forward(x, y);
      k.backward(y, dy, dx);
    },
    linear: (z, b, y, rows, n, keepZ) => k.linear(z, b, y, rows, n, keepZ),
    backwardWithSums: (y, dy, dx, rows, n, _p, sums) => k.backwardWithSums(y, dy, dx, rows, n, sums),
  };
}

function multipleOfFour(method: string, n: number): void {
  if (!(Number.isInteger(n) && n > 0 && n % 4 === 0)) throw new Error(`ElementwiseSimd.${method}: n must be a positive multiple of 4 (whole SIMD groups per row), got ${n}`);
}
