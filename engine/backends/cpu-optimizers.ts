// The CPU backend's optimizer updates, torch.optim's SGD and Adam on one parameter.
// Two paths, the same bits:
//
//  - float32 storage runs the WebAssembly SIMD loops in wasm/ (optimizer-kernel.ts)
//    wherever the engine has 128-bit SIMD: V8's typed-array loops cost ~3 ns an element,
//    about 1 ms of every SimpleNetwork step; the kernel with its copies ~0.2 ms.
//  - The loops below run everything else (float64, engines without SIMD) and are the
//    readable reference the kernel is tested against bit for bit
//    (tests/engine/cpu-optimizers.test.ts): both compute in float64 and round to
//    float32 on every store.

import type { AdamOptions, SgdOptions } from '../backend';
import { sharedSimdOptimizer } from './wasm/simd-optimizer';

type FloatArray = Float32Array | Float64Array;

/** Which implementation runs an update: 'auto' chooses; the others force one (tests). */
export type OptimizerPath = 'auto' | 'js' | 'simd';

/** The SIMD kernel for these arrays under `path`, or null for the JS loop. */
function simdFor(path: OptimizerPath, arrays: (FloatArray | null)[]) {
  if (path === 'js') return null;
  const simd = sharedSimdOptimizer();
  const float32 = arrays.every((a) => a === null || a instanceof Float32Array);
  if (path === 'simd' && !(simd && float32)) {
    throw new Error(simd ? 'optimizer: the SIMD path takes Float32Arrays' : 'optimizer: the SIMD path was forced but this JavaScript engine has no WebAssembly SIMD');
  }
  return float32 ? simd : null;
}

/**
 * torch.optim.SGD: g ← g + λθ; v ← μv + (1 − τ)g (v ← g on the first step);
 * step = g + μv with nesterov, else v; θ ← θ − lr·step. Updates param and velocity.
 */
export function sgdStepInto(param: FloatArray, grad: FloatArray, velocity: FloatArray | null, size: number, o: SgdOptions, path: OptimizerPath = 'auto'): void {
  const simd = simdFor(path, [param, grad, velocity]);
  if (simd) return simd.sgd(param as Float32Array, grad as Float32Array, velocity as Float32Array | null, size, o);
  const v = velocity && o.momentum !== 0 ? velocity : null;
  // Options read once, not per element.
  const { lr, momentum, dampening, nesterov, weightDecay, firstStep } = o;
  if (v && !firstStep && !nesterov && weightDecay === 0) {
    // The protocols' case (plain momentum), every step after the first: the same
    // arithmetic in a loop with no branch, which V8 runs several times faster.
    const keep = 1 - dampening;
    for (let i = 0; i < size; i++) {
      v[i] = momentum * v[i] + keep * grad[i];
      param[i] -= lr * v[i]; // v as stored (rounded), as the general loop and torch read it
    }
    return;
  }
  for (let i = 0; i < size; i++) {
    let g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * param[i];
    if (v) {
      v[i] = firstStep ? g : momentum * v[i] + (1 - dampening) * g;
      g = nesterov ? g + momentum * v[i] : v[i];
    }
    param[i] -= lr * g;
  }
}

/**
 * torch.optim.Adam: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), θ ← θ − lr·m̂/(√v̂ + ε); L2 decay adds
 * λθ to g, AdamW's decoupled decay scales θ by 1 − lr·λ first. Updates param, m and v.
 */
export function adamStepInto(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, size: number, o: AdamOptions, path: OptimizerPath = 'auto'): void {
  const simd = simdFor(path, [param, grad, m, v]);
  if (simd) return simd.adam(param as Float32Array, grad as Float32Array, m as Float32Array, v as Float32Array, size, o);
  const bias1 = 1 - Math.pow(o.beta1, o.step);
  const bias2 = 1 - Math.pow(o.beta2, o.step);
  for (let i = 0; i < size; i++) {
    let g = grad[i];
    // No decay term at all when weightDecay is 0, as torch.optim: 0·∞ would make NaN.
    if (o.decoupledWeightDecay) param[i] *= 1 - o.lr * o.weightDecay;
    else if (o.weightDecay !== 0) g += o.weightDecay * param[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    const denom = Math.sqrt(v[i]) / Math.sqrt(bias2) + o.eps;
    param[i] -= (o.lr / bias1) * (m[i] / denom);
  }
}
