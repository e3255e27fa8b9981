// Runs a parameter-free activation's SIMD kernels (a module of elementwise-kernel.ts:
// forward(x, out, groups) and backward(x, dy, dx, groups), as gelu-kernel.ts's) on
// JavaScript Float32Arrays: copies the inputs into its wasm memory, padded to a whole
// group of four (the padding lanes compute on whatever is there and are never copied
// out), runs the kernel and copies the result out.
//
// One thread: at a few ns an element, SimpleNetwork's biggest activation (128×256) is
// ~0.1 ms, near the cost of waking a helper. No Node APIs: the browser bundle runs it too.

import { BACKWARD_EXPORT, FORWARD_EXPORT } from './elementwise-kernel';
import { growTo } from './wasm-memory';

type Kernel = (...addresses: number[]) => void;

export class ElementwiseSimd {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly forwardKernel: Kernel;
  private readonly backwardKernel: Kernel;
  /** A view of the whole memory; re-created after each growth (growing detaches it). */
  private floats: Float32Array;

  constructor(moduleBytes: Uint8Array<ArrayBuffer>) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes), { env: { memory: this.memory } });
    this.forwardKernel = instance.exports[FORWARD_EXPORT] as Kernel;
    this.backwardKernel = instance.exports[BACKWARD_EXPORT] as Kernel;
    this.floats = new Float32Array(this.memory.buffer);
  }

  /** out = f(x); out may be x itself. */
  forward(x: Float32Array, out: Float32Array): void {
    const size = Math.min(x.length, out.length);
    if (size === 0) return;
    const [xAt, outAt] = this.place(size, [x, null]);
    this.forwardKernel(4 * xAt, 4 * outAt, Math.ceil(size / 4));
    out.set(this.floats.subarray(outAt, outAt + size));
  }

  /** dx = dy ⊙ f′(x); dx may be dy itself. */
  backward(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
    const size = Math.min(x.length, dy.length, dx.length);
    if (size === 0) return;
    const [xAt, dyAt, dxAt] = this.place(size, [x, dy, null]);
    this.backwardKernel(4 * xAt, 4 * dyAt, 4 * dxAt, Math.ceil(size / 4));
    dx.set(this.floats.subarray(dxAt, dxAt + size));
  }

  /** Float offsets of one padded region per array (copied in) or null (an output); grows the memory as needed. */
  private place(size: number, arrays: (Float32Array | null)[]): number[] {
    const padded = Math.ceil(size / 4) * 4;
    const bytes = 4 * padded * arrays.length;
    if (growTo(this.memory, bytes)) this.floats = new Float32Array(this.memory.buffer);
    return arrays.map((array, i) => {
      if (array) this.floats.set(array.subarray(0, size), i * padded);
      return i * padded;
    });
  }
}
