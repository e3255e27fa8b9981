// ReLU on the CPU as WebAssembly SIMD loops, four float32 elements per instruction, in
// the shared loops of elementwise-kernel.ts (which also fuse the linear layer's bias add
// and its bias gradient's column sums); elementwise-simd.ts runs them.
//
//   forward: y = x where x ≤ 0 is false, else +0: NaN stays NaN, −∞ and −0 give +0 —
//     the values of relu.ts's fastF, bit for bit.
//   backward reads the OUTPUT (relu's f′ is y > 0, NaN included, as relu.ts's df):
//     dx = dy · (0 where y ≤ 0, else 1), a float32 product that is exact, so the same
//     bits as the JS loop's float64 one (−0 for a negative dy times 0, NaN for NaN).
// In the JS loops each element costs ~2-4 ns with the bias add and the column sums; here
// well under one.

import { elementwiseModuleBytes } from './elementwise-kernel';
import { ElementwiseSimd } from './elementwise-simd';
import { splat } from './simd-exp';
import { simdMatmulSupported } from './simd-matmul';

export function reluModuleBytes(sharedMemoryMaxPages?: number): Uint8Array<ArrayBuffer> {
  return elementwiseModuleBytes((f) => ({
    // bitselect(+0, x, x ≤ 0)
    value: (x) => {
      f.v128Zero().localGet(x);
      f.localGet(x).v128Zero().f32x4Le();
      f.v128Bitselect();
    },
    // bitselect(0, 1, y ≤ 0)
    derivative: (y) => {
      f.v128Zero();
      splat(f, 1);
      f.localGet(y).v128Zero().f32x4Le();
      f.v128Bitselect();
    },
  }), sharedMemoryMaxPages);
}

let shared: ElementwiseSimd | null | undefined;

/** The shared ReLU kernels, made on first use; null where the engine has no WebAssembly SIMD. */
export function reluSimd(): ElementwiseSimd | null {
  shared ??= simdMatmulSupported() ? new ElementwiseSimd(reluModuleBytes) : null;
  return shared;
}
