// Packing for the SIMD matmul, in WebAssembly: op(A) and op(B) are copied raw into the
// wasm memory (TypedArray.set: a memcpy) and rearranged here into the zero-padded
// panels the kernel reads (see simd-matmul-kernel.ts). Packing in JavaScript measured
// ~3 ns per element on the 2-core EPYC, as slow as the whole product for the small
// layers of a network; these loops are several times faster.
//
// One function per panel width W, the same for both operands. A panel holds W "lanes"
// (rows of op(A), or columns of op(B)) across all k steps of p, laid out [p][lane]:
//
//     panel[p·W + q] = source[(panel·W + q)·laneStride + p·pStride]    (bytes / 4)
//
// zero for lanes past the last one and for steps p in [k, kPad). Where the lanes are
// contiguous in the source (laneStride = 4 bytes: B not transposed, or A transposed)
// a full panel's step is W/4 v128 copies (W a multiple of 4); otherwise one f32 at a
// time, striding.

import { FunctionBody, I32 } from './wasm-encoder';
import { doCounting, whileLessThan } from './wasm-loops';

export const packExportName = (width: number): string => `packPanels${width}`;

/** The signature of a packing export (addresses and strides in bytes). */
export type PackFunction = (
  dst: number,
  src: number,
  lanes: number, // lanes in the source (m for A, n for B), ≥ 1
  laneStride: number,
  pStride: number,
  k: number,
  kPad: number,
) => void;

export function emitPackPanels(width: number): FunctionBody {
  const kernel = declarePackKernel(width);
  const { f, src, lanes, laneStride, kPad, first, live, srcPanel, srcStep, p } = kernel;
  f.i32Const(0).localSet(first);
  f.localGet(src).localSet(srcPanel);
  f.loop(); // ---- over panels, while first < lanes
  {
    // live = min(width, lanes - first)
    f.localGet(lanes).localGet(first).i32Sub().localSet(live);
    f.localGet(live).i32Const(width).localGet(live).i32Const(width).i32LtU().select().localSet(live);
    f.localGet(srcPanel).localSet(srcStep);
    f.i32Const(0).localSet(p);
    emitSourceSteps(kernel);
    whileLessThan(f, p, () => f.localGet(kPad), () => emitZeroStep(kernel));
    // next panel: srcPanel += width·laneStride; first += width; repeat while first < lanes
    f.localGet(srcPanel).localGet(laneStride).i32Const(width).i32Mul().i32Add().localSet(srcPanel);
    f.localGet(first).i32Const(width).i32Add().localTee(first);
    f.localGet(lanes).i32LtU().brIf(0);
  }
  f.end();
  return f;
}

/** A packing function's body and the indices of its params and locals, named. */
interface PackKernel {
  f: FunctionBody;
  width: number;
  /** A step of a full panel is whole v128s. */
  vectorCopies: boolean;
  // params
  dst: number;
  src: number;
  lanes: number;
  laneStride: number;
  pStride: number;
  k: number;
  kPad: number;
  // locals
  first: number; // first lane of this panel
  live: number; // lanes of this panel inside the source
  srcPanel: number; // source address of (lane first, p = 0)
  srcAt: number; // source address of (lane, p) while copying
  srcStep: number; // source address of (first, p)
  p: number;
  q: number;
}

function declarePackKernel(width: number): PackKernel {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32]);
  const [dst, src, lanes, laneStride, pStride, k, kPad] = f.params.map((_, i) => i);
  return {
    f, width, vectorCopies: width % 4 === 0, dst, src, lanes, laneStride, pStride, k, kPad,
    // The declaration order fixes the locals' indices: keep it.
    first: f.local(I32),
    live: f.local(I32),
    srcPanel: f.local(I32),
    srcAt: f.local(I32),
    srcStep: f.local(I32),
    p: f.local(I32),
    q: f.local(I32),
  };
}

/** Steps p in [0, k) of this panel: v128 copies where the panel is full and its lanes contiguous, else strided. */
function emitSourceSteps(kernel: PackKernel): void {
  const { f, width, vectorCopies, live, laneStride } = kernel;
  if (!vectorCopies) return emitStridedSteps(kernel);
  // if (live == width && laneStride == 4)
  f.localGet(live).i32Const(width).i32Eq();
  f.localGet(laneStride).i32Const(4).i32Eq();
  f.i32Mul().if();
  emitVectorSteps(kernel);
  f.else();
  emitStridedSteps(kernel);
  f.end();
}

/** For each step p < k: width/4 v128 copies. */
function emitVectorSteps({ f, width, dst, srcStep, pStride, p, k }: PackKernel): void {
  doCounting(f, p, k, () => {
    for (let v = 0; v < width / 4; v++) f.localGet(dst).localGet(srcStep).v128Load(16 * v).v128Store(16 * v);
    f.localGet(dst).i32Const(4 * width).i32Add().localSet(dst);
    f.localGet(srcStep).localGet(pStride).i32Add().localSet(srcStep);
  });
}

/** For each step p < k: `live` strided f32 copies, then zeros up to the panel width. */
function emitStridedSteps({ f, width, dst, laneStride, pStride, k, live, srcAt, srcStep, p, q }: PackKernel): void {
  doCounting(f, p, k, () => {
    f.localGet(srcStep).localSet(srcAt);
    f.i32Const(0).localSet(q);
    doCounting(f, q, live, () => {
      f.localGet(dst).localGet(srcAt).f32Load().f32Store();
      f.localGet(dst).i32Const(4).i32Add().localSet(dst);
      f.localGet(srcAt).localGet(laneStride).i32Add().localSet(srcAt);
    });
    whileLessThan(f, q, () => f.i32Const(width), () => {
      f.localGet(dst).i32Const(0).i32Store();
      f.localGet(dst).i32Const(4).i32Add().localSet(dst);
      f.localGet(q).i32Const(1).i32Add().localSet(q);
    });
    f.localGet(srcStep).localGet(pStride).i32Add().localSet(srcStep);
  });
}

/** One padding step p in [k, kPad): a panel's width of zeros. */
function emitZeroStep({ f, width, vectorCopies, dst, p }: PackKernel): void {
  if (vectorCopies) for (let v = 0; v < width / 4; v++) f.localGet(dst).v128Zero().v128Store(16 * v);
  else for (let lane = 0; lane < width; lane++) f.localGet(dst).i32Const(0).i32Store(4 * lane);
  f.localGet(dst).i32Const(4 * width).i32Add().localSet(dst);
  f.localGet(p).i32Const(1).i32Add().localSet(p);
}
