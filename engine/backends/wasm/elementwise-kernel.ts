// The loops every elementwise activation kernel shares (gelu-kernel.ts, sigmoid-kernel.ts,
// relu-kernel.ts), emitted with wasm-encoder.ts: four float32 elements per step,
// addresses in bytes, `groups` groups of four (the caller pads). Every export takes the
// activation's one scalar parameter last (leaky_relu's slope; 0 where there is none).
//
//   forward(x, out, groups, param):                 out = f(x)
//   backward(in, dy, dx, groups, param):            dx = dy · f′(in)
//   linear(z, b, y, keep, rows, rowGroups, param):  y = f(z + b) over z [rows, 4·rowGroups],
//                                                   b broadcast along rows; z keeps z + b
//                                                   (rounded to float32) when keep ≠ 0:
//                                                   the fused linear layer
//   backwardSums(in, dy, dx, sums, rows, rowGroups, param):
//                                                   backward, and Σ over rows of dx added
//                                                   into sums (float64, one per column,
//                                                   in row order: the bias gradient)
//
// `in` is what the kernel's derivative reads: x, or y = f(x) for a kernel whose derivative
// is a function of the output (relu's). A kernel says only how to push f and dy·f′ for
// the four lanes of a local.

import { doCounting } from './wasm-loops';
import { encodeModule, F64, FunctionBody, I32, V128 } from './wasm-encoder';

export const FORWARD_EXPORT = 'forward';
export const BACKWARD_EXPORT = 'backward';
export const LINEAR_EXPORT = 'linear';
export const BACKWARD_SUMS_EXPORT = 'backwardSums';

/** One activation's lanes: each pushes one v128 computed from v128 locals. */
export interface ElementwiseLanes {
  /** Pushes f(x). */
  value(x: number): void;
  /** Pushes f′(in); the loop multiplies by dy in float32. (A kernel gives this or gradient.) */
  derivative?(input: number): void;
  /**
   * Pushes dy·f′(in) itself, for a kernel whose product must round once from float64 as
   * the JS loops' (leaky_relu's slope is not a float32).
   */
  gradient?(input: number, dy: number): void;
  /**
   * Pushes f(z + b) from the unrounded sum, for a kernel that must match JS loops which
   * take f of z + b in float64 (leaky_relu's). Without it: f of z + b rounded to float32.
   */
  valueOfSum?(z: number, b: number): void;
}

/** Makes a function body's lanes: `param` is the index of its f64 scalar parameter. */
export type LanesFactory = (f: FunctionBody, param: number) => ElementwiseLanes;

/**
 * The module: `lanes` declares its locals on each function body it is given. With
 * `sharedMemoryMaxPages` it imports a shared memory (the WebAssembly heap's).
 */
export function elementwiseModuleBytes(lanes: LanesFactory, sharedMemoryMaxPages?: number): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: FORWARD_EXPORT, body: emitForward(lanes) },
      { name: BACKWARD_EXPORT, body: emitBackward(lanes, false) },
      { name: LINEAR_EXPORT, body: emitLinear(lanes) },
      { name: BACKWARD_SUMS_EXPORT, body: emitBackward(lanes, true) },
    ],
    { importMemoryPages: 1, sharedMemoryMaxPages },
  );
}

/** i8x16.shuffle lanes: float32 lanes 2, 3 of the first operand into lanes 0, 1. */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
/** Lanes 0, 1 of the first operand, then lanes 0, 1 of the second. */
const JOIN_LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * Pushes four float32 lanes computed in float64, for a kernel that must give a JS loop's
 * bits (the loop computes in float64 and rounds once into a Float32Array): for each half
 * of the lanes (0–1, then 2–3), `compute` pushes one f64x2, using widen(v) to push local
 * v's half as two float64; each result is rounded to float32 once and the halves joined.
 * Two lanes per instruction instead of four. `low` and `high` are v128 scratch locals
 * (compute may use `high` for itself: the high half's result goes there last).
 */
export function emitInFloat64Halves(f: FunctionBody, low: number, high: number, compute: (widen: (v: number) => void) => void): void {
  for (const half of [0, 1]) {
    compute((v) => {
      f.localGet(v);
      if (half === 1) f.localGet(v).i8x16Shuffle(HIGH_HALF);
      f.f64x2PromoteLowF32x4();
    });
    f.f32x4DemoteF64x2Zero().localSet(half === 0 ? low : high);
  }
  f.localGet(low).localGet(high).i8x16Shuffle(JOIN_LOW_HALVES);
}

/** Adds 16 bytes (one group of four floats) to each address local. */
function advance(f: FunctionBody, ...addresses: number[]): void {
  for (const at of addresses) f.localGet(at).i32Const(16).i32Add().localSet(at);
}

/** Pushes dy·f′(in): the lanes' own gradient, or f′(in)·dy in float32. */
function pushGradient(f: FunctionBody, body: ElementwiseLanes, input: number, dy: number): void {
  if (body.gradient) body.gradient(input, dy);
  else if (body.derivative) {
    f.localGet(dy);
    body.derivative(input);
    f.f32x4Mul();
  } else throw new Error('elementwise kernel: its lanes give neither derivative nor gradient');
}

function emitForward(lanes: LanesFactory): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, F64]);
  const [xAt, outAt, groups, param] = [0, 1, 2, 3];
  const x = f.local(V128);
  const i = f.local(I32);
  const body = lanes(f, param);
  f.i32Const(0).localSet(i);
  doCounting(f, i, groups, () => {
    f.localGet(outAt);
    f.localGet(xAt).v128Load().localSet(x);
    body.value(x);
    f.v128Store();
    advance(f, xAt, outAt);
  });
  return f;
}

function emitLinear(lanes: LanesFactory): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, F64]);
  const [zAt, bStart, yAt, keep, rows, rowGroups, param] = [0, 1, 2, 3, 4, 5, 6];
  const [x, z, b] = [f.local(V128), f.local(V128), f.local(V128)];
  const bAt = f.local(I32);
  const [r, g] = [f.local(I32), f.local(I32)];
  const body = lanes(f, param);
  f.i32Const(0).localSet(r);
  doCounting(f, r, rows, () => {
    f.localGet(bStart).localSet(bAt);
    f.i32Const(0).localSet(g);
    doCounting(f, g, rowGroups, () => {
      // x = z + b, rounded to float32 (as the fused layer's z is kept)
      f.localGet(zAt).v128Load().localTee(z);
      f.localGet(bAt).v128Load().localTee(b);
      f.f32x4Add().localSet(x);
      f.localGet(keep).if();
      f.localGet(zAt).localGet(x).v128Store();
      f.end();
      f.localGet(yAt);
      if (body.valueOfSum) body.valueOfSum(z, b);
      else body.value(x);
      f.v128Store();
      advance(f, zAt, bAt, yAt);
    });
  });
  return f;
}

function emitBackward(lanes: LanesFactory, sums: boolean): FunctionBody {
  const f = sums ? new FunctionBody([I32, I32, I32, I32, I32, I32, F64]) : new FunctionBody([I32, I32, I32, I32, F64]);
  const [inAt, dyAt, dxAt] = [0, 1, 2];
  const [sumsStart, rows, rowGroups, param] = sums ? [3, 4, 5, 6] : [-1, -1, 3, 4];
  const [input, dy, dx] = [f.local(V128), f.local(V128), f.local(V128)];
  const sumsAt = f.local(I32);
  const [r, g] = [f.local(I32), f.local(I32)];
  const body = lanes(f, param);
  const group = () => {
    f.localGet(inAt).v128Load().localSet(input);
    f.localGet(dyAt).v128Load().localSet(dy);
    pushGradient(f, body, input, dy);
    f.localSet(dx);
    f.localGet(dxAt).localGet(dx).v128Store();
    if (sums) {
      // sums[j..j+1] += dx lanes 0, 1 and sums[j+2..j+3] += lanes 2, 3, as float64
      f.localGet(sumsAt);
      f.localGet(sumsAt).v128Load().localGet(dx).f64x2PromoteLowF32x4().f64x2Add();
      f.v128Store();
      f.localGet(sumsAt);
      f.localGet(sumsAt).v128Load(16);
      f.localGet(dx).localGet(dx).i8x16Shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]).f64x2PromoteLowF32x4().f64x2Add();
      f.v128Store(16);
      f.localGet(sumsAt).i32Const(32).i32Add().localSet(sumsAt);
    }
    advance(f, inAt, dyAt, dxAt);
  };
  if (!sums) {
    f.i32Const(0).localSet(g);
    doCounting(f, g, rowGroups, group);
    return f;
  }
  f.i32Const(0).localSet(r);
  doCounting(f, r, rows, () => {
    f.localGet(sumsStart).localSet(sumsAt);
    f.i32Const(0).localSet(g);
    doCounting(f, g, rowGroups, group);
  });
  return f;
}
