// Leaky ReLU on the CPU as WebAssembly SIMD loops, in the shared loops of
// elementwise-kernel.ts (with the linear layer's bias add and column sums);
// elementwise-simd.ts runs them. The slope is the kernels' scalar parameter.
//
// The slope (0.01 by default) is not a float32, and the JS loops (leaky-relu.ts) take
// s·x in float64 and round once. So each group of four is widened to two float64 pairs,
// computed there and rounded back: the same bits as the JS loops, at two lanes per
// instruction instead of four.
//   forward:  y = x where x > 0, else s·x (NaN: s·NaN = NaN; −∞: −∞); in the fused
//             linear layer, of z + b summed in float64 as the JS loops do
//   backward: dx = dy · (1 where x > 0, else s), one float64 product rounded once

import { elementwiseModuleBytes, emitInFloat64Halves } from './elementwise-kernel';
import { ElementwiseSimd } from './elementwise-simd';
import { simdMatmulSupported } from './simd-matmul';
import { V128 } from './wasm-encoder';

export function leakyReluModuleBytes(sharedMemoryMaxPages?: number): Uint8Array<ArrayBuffer> {
  return elementwiseModuleBytes((f, slope) => {
    const [h, low] = [f.local(V128), f.local(V128)];
    /** Pushes four float32 lanes: each half of x (or of x + b, in float64) widened into h, `compute` pushes its float64 pair. */
    const perHalf = (x: number, compute: (widen: (v: number) => void) => void, b?: number) =>
      emitInFloat64Halves(f, low, h, (widen) => {
        widen(x);
        if (b !== undefined) {
          widen(b);
          f.f64x2Add(); // exact: two float32 values sum exactly in float64
        }
        f.localSet(h);
        compute(widen);
      });
    const slopeSplat = () => f.localGet(slope).f64x2Splat();
    const positive = () => f.localGet(h).v128Zero().f64x2Gt();
    /** bitselect(h, s·h, h > 0) */
    const leaky = () => {
      f.localGet(h);
      slopeSplat().localGet(h).f64x2Mul();
      positive().v128Bitselect();
    };
    return {
      value: (x) => perHalf(x, leaky),
      // The JS loops take f of z + b unrounded: so does this, from the float64 sum.
      valueOfSum: (z, b) => perHalf(z, leaky, b),
      // dy · bitselect(1, s, x > 0)
      gradient: (x, dy) =>
        perHalf(x, (widen) => {
          widen(dy);
          f.f64x2Const(1, 1);
          slopeSplat();
          positive().v128Bitselect();
          f.f64x2Mul();
        }),
    };
  }, sharedMemoryMaxPages);
}

let shared: ElementwiseSimd | null | undefined;

/** The shared leaky ReLU kernels, made on first use; null where the engine has no WebAssembly SIMD. */
export function leakyReluSimd(): ElementwiseSimd | null {
  shared ??= simdMatmulSupported() ? new ElementwiseSimd(leakyReluModuleBytes) : null;
  return shared;
}
