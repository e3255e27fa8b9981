// The CPU backend's elementwise binary ops: each op's rule, and its loops.
//
// The loops of each op are compiled on their own (new Function, as the activation loops
// in cpu-activations.ts): V8 keeps one call-site profile per compiled function, so each
// op's rule is inlined into its loops, where one loop shared by every op would call
// through the rule on each element once it has seen a few ops. The source names the op:
// V8 caches compiled code by source text, and the same text for every op would give
// every op the same functions again (measured: 12 ns an element instead of 2).

import type { BinaryOp } from '../backend';
import type { Shape } from '../shape';

type FloatArray = Float32Array | Float64Array;

/** What each op computes on two numbers (float64; the store rounds to the storage type). */
export const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  // NaN propagates as in torch.maximum/minimum.
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  // A comparison as a number, not a branch: a mask over activations is true about half
  // the time at random, and a mispredicted branch costs several times the comparison.
  eq: (a, b) => +(a === b),
  gt: (a, b) => +(a > b),
};

export interface BinaryLoops {
  /** out[i] = f(a[i], b[i]) */
  same(a: FloatArray, b: FloatArray, out: FloatArray, size: number): void;
  /** out[i] = f(a[i], b): b a single value */
  scalarB(a: FloatArray, b: number, out: FloatArray, size: number): void;
  /** out[i] = f(a, b[i]): a a single value */
  scalarA(a: number, b: FloatArray, out: FloatArray, size: number): void;
  /** Any broadcast: walks the output's multi-index, each input through its strides (0 on a broadcast axis). */
  broadcast(a: FloatArray, aStrides: readonly number[], b: FloatArray, bStrides: readonly number[], out: FloatArray, shape: Shape): void;
}

const source = (op: BinaryOp) => `"use strict";
return {
  same: function ${op}_same(a, b, out, size) {
    for (let i = 0; i < size; i++) out[i] = f(a[i], b[i]);
  },
  scalarB: function ${op}_scalarB(a, b, out, size) {
    for (let i = 0; i < size; i++) out[i] = f(a[i], b);
  },
  scalarA: function ${op}_scalarA(a, b, out, size) {
    for (let i = 0; i < size; i++) out[i] = f(a, b[i]);
  },
  broadcast: function ${op}_broadcast(a, sa, b, sb, out, shape) {
    const rank = shape.length;
    const size = out.length;
    const index = new Array(rank).fill(0);
    let ia = 0;
    let ib = 0;
    for (let i = 0; i < size; i++) {
      out[i] = f(a[ia], b[ib]);
      // Increment the multi-index (odometer style), updating both input offsets.
      for (let d = rank - 1; d >= 0; d--) {
        index[d]++;
        ia += sa[d];
        ib += sb[d];
        if (index[d] < shape[d]) break;
        ia -= sa[d] * shape[d];
        ib -= sb[d] * shape[d];
        index[d] = 0;
      }
    }
  },
};`;

const compiled = new Map<BinaryOp, BinaryLoops>();

/** The loops of `op`, compiled on first use. */
export function binaryLoops(op: BinaryOp): BinaryLoops {
  let loops = compiled.get(op);
  if (!loops) {
    const f = BINARY[op];
    if (!f) throw new Error(`cpu backend: unknown binary op '${op as string}'`);
    loops = new Function('f', source(op))(f) as BinaryLoops;
    compiled.set(op, loops);
  }
  return loops;
}
