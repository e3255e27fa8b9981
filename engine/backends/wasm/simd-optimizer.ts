// Runs the optimizer kernels (optimizer-kernel.ts) on JavaScript Float32Arrays: in place
// where the WebAssembly heap holds them (the CPU backend's tensors: θ, g and the
// optimizer's buffers), else copied into its scratch, updated there and θ and the
// buffers copied back (KernelArrays). The copies were ~0.2 of the 0.4 ms a SimpleNetwork
// step spent in SGD; the update is ~3 ns an element in a JS loop.
//
// One thread: the update is a few operations per element, less than waking a helper.
// No Node APIs: the same code runs in the browser bundle.

import type { AdamOptions, SgdOptions } from '../../backend';
import { adamExportName, optimizerModuleBytes, sgdExportName, sgdVariantIndex, type AdamVariant } from './optimizer-kernel';
import { simdMatmulSupported } from './simd-matmul';
import { wasmHeap } from './wasm-heap';
import { KernelArrays } from './wasm-memory';

type Kernel = (...args: number[]) => void;

export class SimdOptimizer {
  private readonly arrays = new KernelArrays(wasmHeap());
  private readonly exports: Record<string, Kernel>;

  constructor() {
    const bytes = optimizerModuleBytes(this.arrays.sharedMemoryMaxPages);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.arrays.memory } });
    this.exports = instance.exports as Record<string, Kernel>;
  }

  /** torch.optim.SGD's update of one parameter, as CpuBackend.sgdStep (velocity: null without momentum). */
  sgd(param: Float32Array, grad: Float32Array, velocity: Float32Array | null, size: number, o: SgdOptions): void {
    if (size === 0) return;
    const momentum = velocity !== null && o.momentum !== 0;
    const variant = { weightDecay: o.weightDecay !== 0, momentum, firstStep: momentum && o.firstStep, nesterov: momentum && o.nesterov };
    const at = this.arrays.place(momentum ? [[param, size, 'inout'], [grad, size, 'in'], [velocity, size, 'inout']] : [[param, size, 'inout'], [grad, size, 'in']]);
    this.exports[sgdExportName(sgdVariantIndex(variant))](
      at[0], at[1], at[2] ?? 0, Math.ceil(size / 4),
      o.lr, o.momentum, 1 - o.dampening, o.weightDecay,
    );
    this.arrays.finish();
  }

  /** torch.optim.Adam's update of one parameter, as CpuBackend.adamStep. */
  adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, size: number, o: AdamOptions): void {
    if (size === 0) return;
    const variant: AdamVariant = o.decoupledWeightDecay ? 'decoupled' : o.weightDecay !== 0 ? 'l2' : 'plain';
    const at = this.arrays.place([[param, size, 'inout'], [grad, size, 'in'], [m, size, 'inout'], [v, size, 'inout']]);
    // The scalars exactly as the JS loop computes them, in float64.
    const bias1 = 1 - Math.pow(o.beta1, o.step);
    const bias2 = 1 - Math.pow(o.beta2, o.step);
    this.exports[adamExportName(variant)](
      at[0], at[1], at[2], at[3], Math.ceil(size / 4),
      o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, Math.sqrt(bias2), o.eps, o.lr / bias1, 1 - o.lr * o.weightDecay, o.weightDecay,
    );
    this.arrays.finish();
  }
}

let shared: SimdOptimizer | null | undefined;

/** The shared instance, created on first use; null where the engine has no WebAssembly SIMD. */
export function sharedSimdOptimizer(): SimdOptimizer | null {
  if (shared === undefined) shared = simdMatmulSupported() ? new SimdOptimizer() : null;
  return shared;
}
