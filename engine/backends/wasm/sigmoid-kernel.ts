// The logistic sigmoid on the CPU as WebAssembly SIMD loops, four float32 elements per
// instruction, emitted with wasm-encoder.ts; elementwise-simd.ts runs them. In the JS
// loop each element costs a Math.exp (~20 ns); here a few ns.
//
//   σ(x): e = exp(−|x|), r = 1/(1 + e); r where x ≥ 0, e·r below (never exponentiates a
//   large positive number, as math.ts's sigmoid); within 2 ulp of the reference where σ
//   is a normal float32, and 0 where it is not (x below −87.3).
//   backward: dx = dy·y(1 − y), y = σ(x) recomputed. (Training reads f′ from the kept
//   output in the JS loop; this completes the SIMD form.)
// NaN gives NaN; +∞ gives 1 and −∞ 0, as the reference. Addresses in bytes; `groups`
// counts groups of four (the caller pads).

import { ElementwiseSimd } from './elementwise-simd';
import { emitExp, splat, type ExpLocals } from './simd-exp';
import { simdMatmulSupported } from './simd-matmul';
import { encodeModule, FunctionBody, I32, V128 } from './wasm-encoder';
import { doCounting } from './wasm-loops';

export const SIGMOID_FORWARD = 'sigmoidForward';
export const SIGMOID_BACKWARD = 'sigmoidBackward';

export function sigmoidModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: SIGMOID_FORWARD, body: emitKernel(false) },
      { name: SIGMOID_BACKWARD, body: emitKernel(true) },
    ],
    { importMemoryPages: 1 },
  );
}

/** forward(x, out, groups) or backward(x, dy, dx, groups). */
function emitKernel(backward: boolean): FunctionBody {
  const f = new FunctionBody(backward ? [I32, I32, I32, I32] : [I32, I32, I32]);
  const [xAt, dyAt, outAt, groups] = backward ? [0, 1, 2, 3] : [0, -1, 1, 2];
  const v = () => f.local(V128);
  const [x, e, y, z] = [v(), v(), v(), v()];
  const s: ExpLocals = { clamped: v(), n: v(), r: v(), p: v() };
  const i = f.local(I32);
  f.i32Const(0).localSet(i);
  doCounting(f, i, groups, () => {
    f.localGet(outAt);
    f.localGet(xAt).v128Load().localSet(x);
    // e = exp(−|x|); r = 1/(1 + e); y = bitselect(r, e·r, x ≥ 0)
    f.localGet(x).f32x4Abs().f32x4Neg().localSet(z);
    emitExp(f, z, s);
    f.localTee(e);
    splat(f, 1).f32x4Add().localSet(z);
    splat(f, 1).localGet(z).f32x4Div().localTee(y); // r
    f.localGet(y).localGet(e).f32x4Mul(); // e·r
    f.v128Zero().localGet(x).f32x4Le(); // 0 ≤ x
    f.v128Bitselect();
    if (backward) {
      // dx = dy·y(1 − y)
      f.localSet(y);
      f.localGet(dyAt).v128Load().localGet(y).f32x4Mul();
      splat(f, 1).localGet(y).f32x4Sub().f32x4Mul();
      f.localGet(dyAt).i32Const(16).i32Add().localSet(dyAt);
    }
    f.v128Store();
    f.localGet(xAt).i32Const(16).i32Add().localSet(xAt);
    f.localGet(outAt).i32Const(16).i32Add().localSet(outAt);
  });
  return f;
}

let shared: ElementwiseSimd | null | undefined;

/** The shared sigmoid kernels, made on first use; null where the engine has no WebAssembly SIMD. */
export function sigmoidSimd(): ElementwiseSimd | null {
  shared ??= simdMatmulSupported() ? new ElementwiseSimd(sigmoidModuleBytes(), SIGMOID_FORWARD, SIGMOID_BACKWARD) : null;
  return shared;
}
