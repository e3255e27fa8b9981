// tanh on the CPU as WebAssembly SIMD loops, in the shared loops of elementwise-kernel.ts
// (with the linear layer's bias add and its bias gradient's column sums);
// elementwise-simd.ts runs them. In the JS loops each element costs a Math.tanh (~30 ns
// measured, the slowest of the quick protocol's activations); here ~3.5 ns with the copies
// in and out.
//
//   forward, four float32 lanes (Cephes' tanhf), on a = |x| with x's sign put back:
//     a ≥ 0.625: 1 − 2/(e^(2a) + 1)          (e^(2a) is ∞ from a ≈ 44.4 on: exactly 1)
//     a < 0.625: a + a·a²·P(a²)              (P of degree 4: no cancellation near 0)
//     within 1.4 ulp of the float64 reference (measured on 2²⁴ points of [−20, 20] and
//     of [10⁻⁶, 10⁻³]: 92% are Math.tanh rounded to float32 exactly; the worst just past
//     the switch; tests/engine/tanh-simd.test.ts holds it to 2); NaN stays NaN, ±∞
//     gives ±1 and ±0 itself, as Math.tanh.
//   backward reads the OUTPUT, as the spec's f′ = 1 − y²: dx = dy·(1 − y·y) in float64
//     lanes (y·y is exact there) rounded once, the JS loop's bits exactly.

import { elementwiseModuleBytes, emitInFloat64Halves } from './elementwise-kernel';
import { ElementwiseSimd } from './elementwise-simd';
import { emitExp, expLocals, splat } from './simd-exp';
import { simdMatmulSupported } from './simd-matmul';
import { V128 } from './wasm-encoder';

/** Cephes tanhf's odd polynomial for |x| < 0.625: tanh(a) ≈ a + a·z·P(z), z = a², highest power first. */
const P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
/** Where the polynomial hands over to the exponential form. */
const SWITCH = 0.625;
const SIGN_BIT = -0x80000000;

export function tanhModuleBytes(sharedMemoryMaxPages?: number): Uint8Array<ArrayBuffer> {
  return elementwiseModuleBytes((f) => {
    const v = () => f.local(V128);
    const [a, z, poly, low, y64] = [v(), v(), v(), v(), v()];
    const s = expLocals(f);
    return {
      value: (x) => {
        f.localGet(x).f32x4Abs().localTee(a);
        // poly = a + a·z·P(z), z = a²
        f.localGet(a).f32x4Mul().localSet(z);
        splat(f, P[0]).localSet(poly);
        for (let i = 1; i < P.length; i++) {
          f.localGet(poly).localGet(z).f32x4Mul();
          splat(f, P[i]).f32x4Add().localSet(poly);
        }
        f.localGet(poly).localGet(z).f32x4Mul().localGet(a).f32x4Mul().localGet(a).f32x4Add().localSet(poly);
        // 1 − 2/(e^(2a) + 1)
        f.localGet(a).localGet(a).f32x4Add().localSet(z);
        emitExp(f, z, s);
        splat(f, 1).f32x4Add().localSet(z);
        splat(f, 1);
        splat(f, 2).localGet(z).f32x4Div();
        f.f32x4Sub();
        // bitselect(exponential form, polynomial, a ≥ 0.625): NaN fails the comparison and
        // keeps the polynomial's NaN. Then x's sign bit: tanh is odd, and −0 stays −0.
        f.localGet(poly);
        splat(f, SWITCH).localGet(a).f32x4Le().v128Bitselect();
        f.localGet(x).i32Const(SIGN_BIT).i32x4Splat().v128And().v128Or();
      },
      // dy·(1 − y·y), in float64 lanes rounded once.
      gradient: (y, dy) =>
        emitInFloat64Halves(f, low, z, (widen) => {
          widen(dy);
          f.f64x2Const(1, 1);
          widen(y);
          f.localTee(y64).localGet(y64).f64x2Mul().f64x2Sub().f64x2Mul();
        }),
    };
  }, sharedMemoryMaxPages);
}

let shared: ElementwiseSimd | null | undefined;

/** The shared tanh kernels, made on first use; null where the engine has no WebAssembly SIMD. */
export function tanhSimd(): ElementwiseSimd | null {
  shared ??= simdMatmulSupported() ? new ElementwiseSimd(tanhModuleBytes) : null;
  return shared;
}
