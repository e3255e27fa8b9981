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

import { elementwiseModuleBytes } from './elementwise-kernel';
import { ElementwiseSimd } from './elementwise-simd';
import { simdMatmulSupported } from './simd-matmul';
import { V128, type FunctionBody } from './wasm-encoder';

/** i8x16.shuffle lanes: float32 lanes 2, 3 of the first operand into lanes 0, 1. */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
/** Lanes 0, 1 of the first operand, then lanes 0, 1 of the second. */
const JOIN_LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

export function leakyReluModuleBytes(): Uint8Array<ArrayBuffer> {
  return elementwiseModuleBytes((f, slope) => {
    const [h, low] = [f.local(V128), f.local(V128)];
    /** Pushes the float32 lanes of v's half (0: lanes 0, 1; 1: lanes 2, 3) as two float64. */
    const widen = (v: number, half: number) => {
      f.localGet(v);
      if (half === 1) f.localGet(v).i8x16Shuffle(HIGH_HALF);
      f.f64x2PromoteLowF32x4();
    };
    /** Pushes four float32 lanes: each half of x (or of x + b, in float64) widened into h, `compute` pushes its float64 pair. */
    const perHalf = (x: number, compute: (half: number) => void, b?: number) => {
      for (const half of [0, 1]) {
        widen(x, half);
        if (b !== undefined) {
          widen(b, half);
          f.f64x2Add(); // exact: two float32 values sum exactly in float64
        }
        f.localSet(h);
        compute(half);
        f.f32x4DemoteF64x2Zero();
        if (half === 0) f.localSet(low);
      }
      const high = h; // h is free again: the high half's result goes there
      f.localSet(high).localGet(low).localGet(high).i8x16Shuffle(JOIN_LOW_HALVES);
    };
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
        perHalf(x, (half) => {
          widen(dy, half);
          f.f64x2Const(1, 1);
          slopeSplat();
          positive().v128Bitselect();
          f.f64x2Mul();
        }),
    };
  });
}

let shared: ElementwiseSimd | null | undefined;

/** The shared leaky ReLU kernels, made on first use; null where the engine has no WebAssembly SIMD. */
export function leakyReluSimd(): ElementwiseSimd | null {
  shared ??= simdMatmulSupported() ? new ElementwiseSimd(leakyReluModuleBytes()) : null;
  return shared;
}
