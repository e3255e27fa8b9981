// eˣ on four float32 lanes, for the elementwise SIMD kernels (gelu-kernel.ts), emitted
// with wasm-encoder.ts. WebAssembly has no exp instruction; this is Cephes' expf:
//
//   x = n·ln2 + r, n = nearest(x·log₂e), |r| ≤ ln2/2, ln2 in two parts (Cody–Waite: n·LN2_HI
//   is exact in float32 for the n that occur, so r keeps its bits);
//   eʳ = 1 + r + r²·P(r), P of degree 5 (Cephes' coefficients: within 1 ulp of eʳ);
//   2ⁿ built from its bits, (n + 127) << 23, and multiplied in.
//
// Lanes below ln(2⁻¹²⁶) ≈ −87.34 (where the float32 result would be subnormal, and −∞)
// give 0; above 88.7, ∞; NaN gives NaN.

import { V128, type FunctionBody } from './wasm-encoder';

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
/** ln(2⁻¹²⁶): below it 2ⁿ has no normal float32 (the result is taken as 0). */
const MIN_ARGUMENT = -87.33654;
/** Just below ln(2¹²⁸): above it the result is taken as ∞. */
const MAX_ARGUMENT = 88.72283;
const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

/** Pushes v128.const with the value in all four f32 lanes. */
export function splat(f: FunctionBody, value: number): FunctionBody {
  return f.f32x4Const(value, value, value, value);
}

/** Scratch locals the exp needs (v128), made once per function. */
export interface ExpLocals {
  clamped: number;
  n: number;
  r: number;
  p: number;
}

/** Declares the scratch locals emitExp needs on a function body. */
export function expLocals(f: FunctionBody): ExpLocals {
  return { clamped: f.local(V128), n: f.local(V128), r: f.local(V128), p: f.local(V128) };
}

/** Pushes e^(local x) (four lanes); the locals are overwritten. */
export function emitExp(f: FunctionBody, x: number, s: ExpLocals): void {
  // xc = clamp(x); n = nearest(xc·log₂e); r = xc − n·LN2_HI − n·LN2_LO
  f.localGet(x);
  splat(f, MIN_ARGUMENT).f32x4Max();
  splat(f, MAX_ARGUMENT).f32x4Min().localTee(s.clamped);
  splat(f, LOG2E).f32x4Mul().f32x4Nearest().localSet(s.n);
  f.localGet(s.clamped).localGet(s.n);
  splat(f, LN2_HI).f32x4Mul().f32x4Sub();
  f.localGet(s.n);
  splat(f, LN2_LO).f32x4Mul().f32x4Sub().localSet(s.r);
  // p = P(r) by Horner, then eʳ = 1 + r + r²·p
  splat(f, P[0]).localSet(s.p);
  for (let i = 1; i < P.length; i++) {
    f.localGet(s.p).localGet(s.r).f32x4Mul();
    splat(f, P[i]).f32x4Add().localSet(s.p);
  }
  f.localGet(s.p).localGet(s.r).f32x4Mul().localGet(s.r).f32x4Mul().localGet(s.r).f32x4Add();
  splat(f, 1).f32x4Add();
  // × 2ⁿ, from its bits: (n + 127) << 23 (n ∈ [−126, 128] after the clamp; 2¹²⁸ is ∞)
  f.localGet(s.n).i32x4TruncSatF32x4S().i32Const(127).i32x4Splat().i32x4Add().i32Const(23).i32x4Shl();
  f.f32x4Mul().localSet(s.p);
  // 0 where x is below the normal range (−∞ included): bitselect(0, eˣ, x < MIN)
  f.v128Zero().localGet(s.p).localGet(x);
  splat(f, MIN_ARGUMENT).f32x4Lt().v128Bitselect();
}
