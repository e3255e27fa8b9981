// The logistic sigmoid on the CPU as WebAssembly SIMD loops, four float32 elements per
// instruction, in the shared loop of elementwise-kernel.ts; elementwise-simd.ts runs
// them. In the JS loop each element costs a Math.exp (~20 ns); here a few ns.
//
//   σ(x): e = exp(−|x|), r = 1/(1 + e); r where x ≥ 0, e·r below (never exponentiates a
//   large positive number, as math.ts's sigmoid); within 2 ulp of the reference where σ
//   is a normal float32, and 0 where it is not (x below −87.3).
//   backward reads the OUTPUT, as the spec's f′ = y(1 − y) (training keeps y): dx =
//   dy·(y·(1 − y)) in float64 lanes (1 − y and its product with y are exact there) rounded
//   once, the JS loop's bits exactly; with the fused layer's bias-gradient sums.
// NaN gives NaN; +∞ gives 1 and −∞ 0, as the reference.

import { elementwiseModuleBytes, emitInFloat64Halves } from './elementwise-kernel';
import { ElementwiseSimd } from './elementwise-simd';
import { emitExp, expLocals, splat } from './simd-exp';
import { simdMatmulSupported } from './simd-matmul';
import { V128 } from './wasm-encoder';

export function sigmoidModuleBytes(sharedMemoryMaxPages?: number): Uint8Array<ArrayBuffer> {
  return elementwiseModuleBytes((f) => {
    const v = () => f.local(V128);
    const [e, y, z, low, y64] = [v(), v(), v(), v(), v()];
    const s = expLocals(f);
    return {
      /** Pushes σ(x): e = exp(−|x|); r = 1/(1 + e); bitselect(r, e·r, x ≥ 0). */
      value: (x) => {
        f.localGet(x).f32x4Abs().f32x4Neg().localSet(z);
        emitExp(f, z, s);
        f.localTee(e);
        splat(f, 1).f32x4Add().localSet(z);
        splat(f, 1).localGet(z).f32x4Div().localTee(y); // r
        f.localGet(y).localGet(e).f32x4Mul(); // e·r
        f.v128Zero().localGet(x).f32x4Le(); // 0 ≤ x
        f.v128Bitselect();
      },
      // dy·(y·(1 − y)), in float64 lanes rounded once.
      gradient: (yIn, dy) =>
        emitInFloat64Halves(f, low, z, (widen) => {
          widen(dy);
          widen(yIn);
          f.localTee(y64);
          f.f64x2Const(1, 1).localGet(y64).f64x2Sub().f64x2Mul().f64x2Mul();
        }),
    };
  }, sharedMemoryMaxPages);
}

let shared: ElementwiseSimd | null | undefined;

/** The shared sigmoid kernels, made on first use; null where the engine has no WebAssembly SIMD. */
export function sigmoidSimd(): ElementwiseSimd | null {
  shared ??= simdMatmulSupported() ? new ElementwiseSimd(sigmoidModuleBytes) : null;
  return shared;
}
