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
  const vectorCopies = width % 4 === 0; // a step of a full panel is whole v128s
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32]);
  const [dst, src, lanes, laneStride, pStride, k, kPad] = f.params.map((_, i) => i);
  const first = f.local(I32); // first lane of this panel
  const live = f.local(I32); // lanes of this panel inside the source
  const srcPanel = f.local(I32); // source address of (lane first, p = 0)
  const srcAt = f.local(I32); // source address of (lane, p) while copying
  const srcStep = f.local(I32); // source address of (first, p)
  const p = f.local(I32);
  const q = f.local(I32);

  f.i32Const(0).localSet(first);
  f.localGet(src).localSet(srcPanel);
  f.loop(); // ---- over panels, while first < lanes
  {
    // live = min(width, lanes - first)
    f.localGet(lanes).localGet(first).i32Sub().localSet(live);
    f.localGet(live).i32Const(width).localGet(live).i32Const(width).i32LtU().select().localSet(live);
    f.localGet(srcPanel).localSet(srcStep);
    f.i32Const(0).localSet(p);

    if (vectorCopies) {
      // if (live == width && laneStride == 4): whole steps as v128 copies
      f.localGet(live).i32Const(width).i32Eq();
      f.localGet(laneStride).i32Const(4).i32Eq();
      f.i32Mul().if();
      {
        f.loop();
        for (let v = 0; v < width / 4; v++) f.localGet(dst).localGet(srcStep).v128Load(16 * v).v128Store(16 * v);
        f.localGet(dst).i32Const(4 * width).i32Add().localSet(dst);
        f.localGet(srcStep).localGet(pStride).i32Add().localSet(srcStep);
        f.localGet(p).i32Const(1).i32Add().localTee(p).localGet(k).i32Ne().brIf(0);
        f.end();
      }
      f.else();
      stridedSteps();
      f.end();
    } else {
      stridedSteps();
    }

    // steps p in [k, kPad): zeros
    whileLessThan(p, () => f.localGet(kPad), () => {
      if (vectorCopies) for (let v = 0; v < width / 4; v++) f.localGet(dst).v128Zero().v128Store(16 * v);
      else for (let lane = 0; lane < width; lane++) f.localGet(dst).i32Const(0).i32Store(4 * lane);
      f.localGet(dst).i32Const(4 * width).i32Add().localSet(dst);
      f.localGet(p).i32Const(1).i32Add().localSet(p);
    });

    // next panel: srcPanel += width·laneStride; first += width; repeat while first < lanes
    f.localGet(srcPanel).localGet(laneStride).i32Const(width).i32Mul().i32Add().localSet(srcPanel);
    f.localGet(first).i32Const(width).i32Add().localTee(first);
    f.localGet(lanes).i32LtU().brIf(0);
  }
  f.end();
  return f;

  /** For each step p < k: `live` strided f32 copies, then zeros up to the panel width. */
  function stridedSteps(): void {
    f.loop();
    {
      f.localGet(srcStep).localSet(srcAt);
      f.i32Const(0).localSet(q);
      f.loop();
      {
        f.localGet(dst).localGet(srcAt).f32Load().f32Store();
        f.localGet(dst).i32Const(4).i32Add().localSet(dst);
        f.localGet(srcAt).localGet(laneStride).i32Add().localSet(srcAt);
        f.localGet(q).i32Const(1).i32Add().localTee(q).localGet(live).i32Ne().brIf(0);
      }
      f.end();
      whileLessThan(q, () => f.i32Const(width), () => {
        f.localGet(dst).i32Const(0).i32Store();
        f.localGet(dst).i32Const(4).i32Add().localSet(dst);
        f.localGet(q).i32Const(1).i32Add().localSet(q);
      });
      f.localGet(srcStep).localGet(pStride).i32Add().localSet(srcStep);
      f.localGet(p).i32Const(1).i32Add().localTee(p).localGet(k).i32Ne().brIf(0);
    }
    f.end();
  }

  /** while (counter < limit) body — the test at the top, so it may run zero times. */
  function whileLessThan(counter: number, limit: () => void, body: () => void): void {
    f.block().loop();
    f.localGet(counter);
    limit();
    f.i32LtU().i32Eqz().brIf(1);
    body();
    f.br(0);
    f.end().end();
  }
}
