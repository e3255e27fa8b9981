// Runs a parameter-free activation's SIMD kernels (a module of elementwise-kernel.ts:
// forward(x, out, groups) and backward(x, dy, dx, groups), as gelu-kernel.ts's) on
// JavaScript Float32Arrays: copies the inputs into its wasm memory (PaddedFloats), runs
// the kernel and copies the result out.
//
// One thread: at a few ns an element, SimpleNetwork's biggest activation (128×256) is
// ~0.1 ms, near the cost of waking a helper. No Node APIs: the browser bundle runs it too.

import { BACKWARD_EXPORT, FORWARD_EXPORT } from './elementwise-kernel';
import { PaddedFloats } from './wasm-memory';

type Kernel = (...addresses: number[]) => void;

export class ElementwiseSimd {
  private readonly arrays = new PaddedFloats();
  private readonly forwardKernel: Kernel;
  private readonly backwardKernel: Kernel;

  constructor(moduleBytes: Uint8Array<ArrayBuffer>) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes), { env: { memory: this.arrays.memory } });
    this.forwardKernel = instance.exports[FORWARD_EXPORT] as Kernel;
    this.backwardKernel = instance.exports[BACKWARD_EXPORT] as Kernel;
  }

  /** out = f(x); out may be x itself. */
  forward(x: Float32Array, out: Float32Array): void {
    const size = Math.min(x.length, out.length);
    if (size === 0) return;
    const [xAt, outAt] = this.arrays.place(size, [x, null]);
    this.forwardKernel(xAt, outAt, Math.ceil(size / 4));
    this.arrays.copyOut(out, outAt, size);
  }

  /** dx = dy ⊙ f′(x); dx may be dy itself. */
  backward(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
    const size = Math.min(x.length, dy.length, dx.length);
    if (size === 0) return;
    const [xAt, dyAt, dxAt] = this.arrays.place(size, [x, dy, null]);
    this.backwardKernel(xAt, dyAt, dxAt, Math.ceil(size / 4));
    this.arrays.copyOut(dx, dxAt, size);
  }
}
