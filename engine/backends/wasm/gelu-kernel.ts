// GELU's forward and backward on the CPU as WebAssembly SIMD loops, four float32
// elements per instruction, in the shared loop of elementwise-kernel.ts; elementwise-simd.ts
// runs them.
//
// The same formulas as the float32 JS loops (activations/builtin/math.ts,
// normalCdfAndPdf), in float32 arithmetic:
//   a = |x|/√2, t = 1/(1 + a/2), e = exp(−a²) = exp(−x²/2)
//   erfc(a) = t·e·exp(q), q = −1.26551223 + t·(1.00002368 + t·(0.37409196 + …)) (Numerical
//     Recipes' erfc fit, relative error below 1.2e-7), q ∈ [−1.27, 0]
//   Φ(x) = ½·erfc(−x/√2): ½·erfc(a) for x ≤ 0, 1 − ½·erfc(a) above (a lane select)
//   forward: y = x·Φ(x);  backward: dx = dy·(Φ(x) + x·φ(x)), φ(x) = e/√(2π).
// In the JS loops this is ~40 ns an element each way (two exponentials' worth of
// dependent multiplications); here a few ns. Against the float64 reference (measured,
// tests/engine/gelu-simd.test.ts) the forward within 1e-6 relative down to x = −12 (where
// |y| < 1e-30), the backward within 3e-7 absolute per unit dy. NaN and ±∞ give what the
// reference gives.
//

import { elementwiseModuleBytes } from './elementwise-kernel';
import { ElementwiseSimd } from './elementwise-simd';
import { emitExp, expLocals, splat, type ExpLocals } from './simd-exp';
import { simdMatmulSupported } from './simd-matmul';
import { V128, type FunctionBody } from './wasm-encoder';

/** Numerical Recipes' erfc series coefficients, t¹ to t⁹. */
const SERIES = [1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
const INV_SQRT_2PI = 0.3989422804014327;

export function geluModuleBytes(sharedMemoryMaxPages?: number): Uint8Array<ArrayBuffer> {
  return elementwiseModuleBytes((f) => {
    const v = () => f.local(V128);
    const [a, t, e, q, cdf, xh, xl] = [v(), v(), v(), v(), v(), v(), v()];
    const s = expLocals(f);
    /** Sets cdf = Φ(x) and e = exp(−x²/2). */
    const normal = (x: number) => {
      // a = |x|·√½; t = 1/(1 + a/2)
      f.localGet(x).f32x4Abs();
      splat(f, Math.SQRT1_2).f32x4Mul().localTee(a);
      splat(f, 0.5).f32x4Mul();
      splat(f, 1).f32x4Add().localSet(t);
      splat(f, 1).localGet(t).f32x4Div().localSet(t);
      emitGaussian(f, x, { e, q, xh, xl, s });
      // q = −1.26551223 + t·(c₁ + t·(c₂ + … + t·c₉)), Horner
      splat(f, SERIES[SERIES.length - 1]).localSet(q);
      for (let k = SERIES.length - 2; k >= 0; k--) {
        f.localGet(q).localGet(t).f32x4Mul();
        splat(f, SERIES[k]).f32x4Add().localSet(q);
      }
      f.localGet(q).localGet(t).f32x4Mul();
      splat(f, -1.26551223).f32x4Add().localSet(q);
      // erfc(a) = t·e·exp(q); Φ = ½·erfc(a) where x ≤ 0, else 1 − ½·erfc(a)
      emitExp(f, q, s);
      f.localGet(t).f32x4Mul().localGet(e).f32x4Mul();
      splat(f, 0.5).f32x4Mul().localTee(cdf); // ½·erfc(a)
      splat(f, 1).localGet(cdf).f32x4Sub(); // 1 − ½·erfc(a)
      f.localGet(x).v128Zero().f32x4Le().v128Bitselect().localSet(cdf);
    };
    return {
      // x·Φ
      value: (x) => {
        normal(x);
        f.localGet(x).localGet(cdf).f32x4Mul();
      },
      // Φ + x·φ, φ = e/√(2π)
      derivative: (x) => {
        normal(x);
        f.localGet(cdf).localGet(x).localGet(e).f32x4Mul();
        splat(f, INV_SQRT_2PI).f32x4Mul().f32x4Add();
      },
    };
  }, sharedMemoryMaxPages);
}

/**
 * e = exp(−x²/2), its argument without float32's rounding of x² (which alone would cost
 * ~x²·6e-8 relative: 4e-6 at x = −8). x = xh + xl, xh with the low 12 bits of its
 * significand cleared, so −xh²/2 is exact; the rest, s = −(xh·xl + xl²/2), is small
 * (|s| < x²·2⁻¹¹): e = exp(−xh²/2)·(1 + s + s²/2 + s³/6). From |x| = 14 on e is 0 anyway
 * (below float32's normal range), and s is taken as 0 there, for ±∞ and NaN too (∞ − ∞
 * or an overflowing xh·xl would make it NaN).
 */
function emitGaussian(f: FunctionBody, x: number, l: { e: number; q: number; xh: number; xl: number; s: ExpLocals }): void {
  const { e, q, xh, xl, s } = l;
  f.localGet(x).i32Const(-4096).i32x4Splat().v128And().localSet(xh); // 0xFFFFF000
  f.localGet(x).localGet(xh).f32x4Sub().localSet(xl);
  f.localGet(xh).localGet(xh).f32x4Mul();
  splat(f, -0.5).f32x4Mul().localSet(q);
  emitExp(f, q, s);
  f.localSet(e);
  f.localGet(xh).localGet(xl).f32x4Mul().localGet(xl).localGet(xl).f32x4Mul();
  splat(f, 0.5).f32x4Mul().f32x4Add().f32x4Neg(); // s
  f.v128Zero().localGet(x).f32x4Abs();
  splat(f, 14).f32x4Lt().v128Bitselect().localSet(xl); // s where |x| < 14, else 0
  splat(f, 1 / 6).localGet(xl).f32x4Mul();
  splat(f, 0.5).f32x4Add().localGet(xl).f32x4Mul();
  splat(f, 1).f32x4Add().localGet(xl).f32x4Mul();
  splat(f, 1).f32x4Add().localGet(e).f32x4Mul().localSet(e);
}

let shared: ElementwiseSimd | null | undefined;

/** The shared GELU kernels, made on first use; null where the engine has no WebAssembly SIMD. */
export function geluSimd(): ElementwiseSimd | null {
  shared ??= simdMatmulSupported() ? new ElementwiseSimd(geluModuleBytes) : null;
  return shared;
}
