// Runs the optimizer kernels (optimizer-kernel.ts) on JavaScript Float32Arrays: copies
// θ, g and the optimizer's buffers into one wasm memory, runs the update there, and
// copies θ and the buffers back. The copies are memcpy (~0.03 ms for SimpleNetwork's
// biggest weight); the update they replace is ~3 ns an element in a JS loop.
//
// Memory layout: the arrays one after another, each padded to a whole group of four
// float32s (PaddedFloats).
//
// One thread: the update is a few operations per element, less than waking a helper.
// No Node APIs: the same code runs in the browser bundle.

import type { AdamOptions, SgdOptions } from '../../backend';
import { adamExportName, optimizerModuleBytes, sgdExportName, sgdVariantIndex, type AdamVariant } from './optimizer-kernel';
import { simdMatmulSupported } from './simd-matmul';
import { PaddedFloats } from './wasm-memory';

type Kernel = (...args: number[]) => void;

export class SimdOptimizer {
  private readonly arrays = new PaddedFloats();
  private readonly exports: Record<string, Kernel>;

  constructor() {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(optimizerModuleBytes()), { env: { memory: this.arrays.memory } });
    this.exports = instance.exports as Record<string, Kernel>;
  }

  /** torch.optim.SGD's update of one parameter, as CpuBackend.sgdStep (velocity: null without momentum). */
  sgd(param: Float32Array, grad: Float32Array, velocity: Float32Array | null, size: number, o: SgdOptions): void {
    if (size === 0) return;
    const momentum = velocity !== null && o.momentum !== 0;
    const variant = { weightDecay: o.weightDecay !== 0, momentum, firstStep: momentum && o.firstStep, nesterov: momentum && o.nesterov };
    const at = this.arrays.place(size, momentum ? [param, grad, velocity] : [param, grad]);
    this.exports[sgdExportName(sgdVariantIndex(variant))](
      at[0], at[1], at[2] ?? 0, Math.ceil(size / 4),
      o.lr, o.momentum, 1 - o.dampening, o.weightDecay,
    );
    this.arrays.copyOut(param, at[0], size);
    if (momentum) this.arrays.copyOut(velocity, at[2], size);
  }

  /** torch.optim.Adam's update of one parameter, as CpuBackend.adamStep. */
  adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, size: number, o: AdamOptions): void {
    if (size === 0) return;
    const variant: AdamVariant = o.decoupledWeightDecay ? 'decoupled' : o.weightDecay !== 0 ? 'l2' : 'plain';
    const at = this.arrays.place(size, [param, grad, m, v]);
    // The scalars exactly as the JS loop computes them, in float64.
    const bias1 = 1 - Math.pow(o.beta1, o.step);
    const bias2 = 1 - Math.pow(o.beta2, o.step);
    this.exports[adamExportName(variant)](
      at[0], at[1], at[2], at[3], Math.ceil(size / 4),
      o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, Math.sqrt(bias2), o.eps, o.lr / bias1, 1 - o.lr * o.weightDecay, o.weightDecay,
    );
    this.arrays.copyOut(param, at[0], size);
    this.arrays.copyOut(m, at[2], size);
    this.arrays.copyOut(v, at[3], size);
  }
}

let shared: SimdOptimizer | null | undefined;

/** The shared instance, created on first use; null where the engine has no WebAssembly SIMD. */
export function sharedSimdOptimizer(): SimdOptimizer | null {
  if (shared === undefined) shared = simdMatmulSupported() ? new SimdOptimizer() : null;
  return shared;
}
