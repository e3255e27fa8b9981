// What this JavaScript engine's WebAssembly has, each probed once by validating the
// smallest module that uses it: 128-bit SIMD (every CPU kernel) and relaxed SIMD's
// fused multiply-add (the matmul's and the sine sums' faster variants).
//
// No Node APIs: the same code runs in the browser bundle.

import { encodeModule, FunctionBody } from './wasm-encoder';

/** The smallest module using a SIMD instruction (Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4). */
export function simdProbeModuleBytes(): Uint8Array<ArrayBuffer> {
  const probe = new FunctionBody([]);
  probe.v128Zero().drop();
  return encodeModule([{ name: 'probe', body: probe }]);
}

/**
 * The smallest module using f32x4.relaxed_madd (Chrome ≥ 114; Node ≥ 22, or Node 20
 * with --experimental-wasm-relaxed-simd).
 */
export function relaxedSimdProbeModuleBytes(): Uint8Array<ArrayBuffer> {
  const probe = new FunctionBody([]);
  probe.v128Zero().v128Zero().v128Zero().f32x4RelaxedMadd().drop();
  return encodeModule([{ name: 'probe', body: probe }]);
}

let simd: boolean | undefined;
let relaxed: boolean | undefined;

/** Whether this engine runs WebAssembly 128-bit SIMD. */
export function simdSupported(): boolean {
  simd ??= validates(simdProbeModuleBytes);
  return simd;
}

/**
 * Whether it also has relaxed SIMD (f32x4/f64x2.relaxed_madd). Checked once: a V8 flag
 * set after the first call is not seen.
 */
export function relaxedSimdSupported(): boolean {
  relaxed ??= validates(relaxedSimdProbeModuleBytes);
  return relaxed;
}

/**
 * Whether a kernel multiply-adds with relaxed_madd: as `asked`, or, when nothing was asked,
 * wherever relaxed SIMD validates. Asking for it where it does not validate is an error
 * naming `kernel`.
 */
export function relaxedMaddChoice(kernel: string, asked: boolean | undefined): boolean {
  const supported = relaxedSimdSupported();
  if (asked && !supported) throw new Error(`${kernel}: relaxedMadd was asked for, but this JavaScript engine does not validate relaxed_madd (WebAssembly relaxed SIMD)`);
  return asked ?? supported;
}

function validates(bytes: () => Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes());
  } catch {
    return false;
  }
}
