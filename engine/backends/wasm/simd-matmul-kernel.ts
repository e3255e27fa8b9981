// The WebAssembly SIMD kernel behind the CPU backend's float32 matmul, emitted
// instruction by instruction with wasm-encoder.ts.
//
// It multiplies PACKED operands (simd-matmul.ts does the packing), so it has no edge
// cases and every load is contiguous:
//  - op(A) in panels of `rows` rows, laid out [panel][p][row]: one step of p is `rows`
//    consecutive floats;
//  - op(B) in panels of 4·`vectors` columns, laid out [panel][p][column]: one step of p
//    is `vectors` consecutive v128s;
//  - both zero-padded (rows past m, columns past n, steps of p past k), so the padding
//    adds zeros to C entries that are never copied out.
// B's step from one p to the next is a parameter, so a B stored [k][n] that needs no
// padding (its columns consecutive at each p) is read where it is, unpacked, with a row
// of B as its step (unroll 1 only). Reading A unpacked the same way (transposed, or with
// each row's offset added) measured ~1% slower than packing it, so A is always packed.
//
// For each block of k (kBlock steps of p: one pass over C), for each column panel of B
// (its kBlock × 4·vectors floats stay in L1 while every row panel of A streams past it),
// for each row panel of A, the inner loop over p keeps a rows × (4·vectors) block of C
// in rows·vectors v128 locals:
//
//     b[v]  = v128.load(B panel, step p, vector v)             (vectors loads)
//     a     = v128.load32_splat(A panel, step p, row r)       (one per row)
//     c[r][v] += a * b[v]                                      (f32x4.mul, f32x4.add)
//
// then adds the block to C (or writes it, on the first block of k) at its place in a
// padded row-major C. One call covers any rectangle of panels, so the threads of one
// product (simd-matmul.ts) each make one call on their own columns or rows of C.
//
// x64 has 16 xmm registers: rows·vectors accumulators + vectors B values + one splat
// must fit, or V8 spills them to the stack. Measured on the 2-core EPYC (Node 20, V8
// 11.3): 4×8 ran 25-40 GFLOP/s; 6×8 and 4×12, which fit on paper, ran ~20-25, and
// unrolling p by 2 did not help, so the default is 4×8, unroll 1; the others stay
// selectable (and tested) for other engines and machines. Again on a newer 2-core EPYC
// (family 26, 2026-12-01, SimpleNetwork's products): 4×8 and 2×16 41-46 GFLOP/s, the
// others 18-37 — 16 flops a cycle, which is what two multiply and two add pipes give
// 128-bit lanes; relaxed_madd was no faster there. Blocks of k of 256, 512 or
// 1024 measured the same within the VM's noise.
//
// Relaxed SIMD: where the engine validates f32x4.relaxed_madd (Chrome ≥ 114, Node ≥ 22),
// the update is that one instruction, which the engine lowers to a fused multiply-add
// on hardware with FMA (one rounding instead of two: results differ from mul + add in
// the last bits, both within float32 dot-product rounding) and to mul + add elsewhere.
// Either way it is the same instruction in every thread of one engine, so results stay
// identical for any thread count.

import { emitPackPanels, packExportName } from './simd-pack-kernel';
import { encodeModule, FunctionBody, I32, V128 } from './wasm-encoder';
import { doCounting } from './wasm-loops';

export interface SimdMatmulTile {
  /** Rows of C per block (A panel height). */
  rows: number;
  /** v128 columns of C per block: the block is 4·vectors floats wide (B panel width). */
  vectors: number;
  /** Steps of p per inner-loop iteration; the packing pads k to a multiple of it. */
  unroll: number;
}

export const DEFAULT_TILE: SimdMatmulTile = { rows: 4, vectors: 2, unroll: 1 };

/** The kernel's export name and parameter order (all i32; addresses in bytes). */
export const KERNEL_EXPORT = 'matmulPanels';
/** The block kernel it calls (exported only because every function of the module is). */
const BLOCK_EXPORT = 'matmulBlock';
export type KernelFunction = (
  a: number, // first A panel of this call, at p = 0
  aPanelBytes: number, // from one A panel to the next
  b: number, // first B panel of this call, at p = 0
  bPanelBytes: number,
  c: number, // the top-left element of this call's part of padded C
  cRowBytes: number, // from one row of padded C to the next
  rowPanels: number, // row panels of A (blocks of rows of C) in this call
  columnPanels: number, // column panels of B (blocks of columns of C) in this call
  kSteps: number, // steps of p: kPad, a multiple of tile.unroll, ≥ 1
  kBlock: number, // steps of p per pass over C (a multiple of tile.unroll): the B panel's block stays in L1
  bStepBytes: number, // from one step of p to the next in B: 4·vectors·4 packed
) => void;

export interface SimdMatmulModuleOptions {
  /**
   * Accumulate with f32x4.relaxed_madd (one instruction, fused on hardware with FMA)
   * instead of f32x4.mul + f32x4.add. Only where relaxedSimdSupported() says so.
   */
  relaxedMadd?: boolean;
  /** Import a shared memory with this many pages at most (for helper threads); unshared when absent. */
  sharedMemoryMaxPages?: number;
}

/**
 * A module importing env.memory and exporting the kernel for this tile and the packing
 * functions for its two panel widths (packPanels<rows>, packPanels<4·vectors>).
 */
export function simdMatmulModuleBytes(tile: SimdMatmulTile = DEFAULT_TILE, options: SimdMatmulModuleOptions = {}): Uint8Array<ArrayBuffer> {
  const widths = [...new Set([tile.rows, 4 * tile.vectors])];
  return encodeModule(
    [
      { name: KERNEL_EXPORT, body: emitMatmulKernel(tile) },
      { name: BLOCK_EXPORT, body: emitBlockKernel(tile, options.relaxedMadd ?? false) },
      ...widths.map((width) => ({ name: packExportName(width), body: emitPackPanels(width) })),
    ],
    { importMemoryPages: 1, sharedMemoryMaxPages: options.sharedMemoryMaxPages },
  );
}

/** The block kernel's function index: second in the module, after the kernel that calls it. */
const BLOCK_INDEX = 1;

/**
 * The exported kernel: one pass over its panels of C per block of k, each a call to the
 * block kernel. A function of its own on purpose: the k loop's locals inside the block
 * kernel made V8 keep fewer of the hot loop's values in registers (13% slower measured).
 */
function emitMatmulKernel(tile: SimdMatmulTile): FunctionBody {
  const { rows, vectors } = tile;
  const width = 4 * vectors;
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, aPanelBytes, b, bPanelBytes, c, cRowBytes, rowPanels, columnPanels, kSteps, kBlock, bStepBytes] = f.params.map((_, i) => i);
  const p0 = f.local(I32); // first step of p of this block
  const steps = f.local(I32);
  f.i32Const(0).localSet(p0);
  f.loop();
  {
    // steps = min(kBlock, kSteps - p0)
    f.localGet(kSteps).localGet(p0).i32Sub().localSet(steps);
    f.localGet(kBlock).localGet(steps).localGet(kBlock).localGet(steps).i32LtU().select().localSet(steps);
    // block(a + p0·rows·4, aPanelBytes, b + p0·bStepBytes, bPanelBytes, c, cRowBytes, rowPanels, columnPanels, steps, accumulate = p0, bStepBytes)
    f.localGet(a).localGet(p0).i32Const(rows * 4).i32Mul().i32Add().localGet(aPanelBytes);
    f.localGet(b).localGet(p0).localGet(bStepBytes).i32Mul().i32Add().localGet(bPanelBytes);
    f.localGet(c).localGet(cRowBytes).localGet(rowPanels).localGet(columnPanels).localGet(steps).localGet(p0);
    f.localGet(bStepBytes);
    f.call(BLOCK_INDEX);
    // p0 += kBlock; repeat while p0 < kSteps
    f.localGet(p0).localGet(kBlock).i32Add().localTee(p0);
    f.localGet(kSteps).i32LtU().brIf(0);
  }
  f.end();
  return f;
}

/**
 * One block of k over a rectangle of panels: C = (or +=, when accumulate ≠ 0) the
 * product of the A and B panels' kSteps steps starting at a and b.
 */
function emitBlockKernel(tile: SimdMatmulTile, relaxedMadd: boolean): FunctionBody {
  const kernel = declareBlockKernel(tile);
  const { f, b, rowPanels, columnPanels, bPanelBytes, column, row, bPanel } = kernel;
  f.localGet(b).localSet(bPanel);
  f.i32Const(0).localSet(column);
  doCounting(f, column, columnPanels, () => {
    f.i32Const(0).localSet(row);
    doCounting(f, row, rowPanels, () => emitCBlock(kernel, relaxedMadd));
    f.localGet(bPanel).localGet(bPanelBytes).i32Add().localSet(bPanel);
  });
  return f;
}

/** The block kernel's body and the indices of its params and locals, named. */
interface BlockKernel {
  f: FunctionBody;
  tile: SimdMatmulTile;
  // params
  a: number;
  aPanelBytes: number;
  b: number;
  bPanelBytes: number;
  c: number;
  cRowBytes: number;
  rowPanels: number;
  columnPanels: number;
  kSteps: number;
  accumulate: number;
  bStepBytes: number;
  // locals
  column: number; // column panel index
  row: number; // row panel index
  aAt: number; // walks the A panel along p
  aEnd: number; // aAt's value after the last step
  bAt: number; // walks the B panel along p
  bPanel: number; // start of this column panel of B
  cAt: number; // a row of this C block
  acc: number[][]; // acc[r][v]: the C block, rows × vectors v128s
  bVec: number[]; // the B panel's step p, vectors v128s
  aSplat: number; // one A value in all four lanes
}

function declareBlockKernel(tile: SimdMatmulTile): BlockKernel {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, aPanelBytes, b, bPanelBytes, c, cRowBytes, rowPanels, columnPanels, kSteps, accumulate, bStepBytes] = f.params.map((_, i) => i);
  return {
    f, tile, a, aPanelBytes, b, bPanelBytes, c, cRowBytes, rowPanels, columnPanels, kSteps, accumulate, bStepBytes,
    // The declaration order fixes the locals' indices: keep it.
    column: f.local(I32),
    row: f.local(I32),
    aAt: f.local(I32),
    aEnd: f.local(I32),
    bAt: f.local(I32),
    bPanel: f.local(I32),
    cAt: f.local(I32),
    acc: Array.from({ length: tile.rows }, () => Array.from({ length: tile.vectors }, () => f.local(V128))),
    bVec: Array.from({ length: tile.vectors }, () => f.local(V128)),
    aSplat: f.local(V128),
  };
}

/** One rows × 4·vectors block of C (row panel `row`, column panel `column`): load, multiply, store. */
function emitCBlock(kernel: BlockKernel, relaxedMadd: boolean): void {
  const { f, tile, a, aPanelBytes, kSteps, row, aAt, aEnd, bAt, bPanel } = kernel;
  // aAt = a + row·aPanelBytes; aEnd = aAt + kSteps·rows·4; bAt = bPanel
  f.localGet(a).localGet(row).localGet(aPanelBytes).i32Mul().i32Add().localTee(aAt);
  f.localGet(kSteps).i32Const(tile.rows * 4).i32Mul().i32Add().localSet(aEnd);
  f.localGet(bPanel).localSet(bAt);
  emitLoadAccumulators(kernel);
  emitHotLoop(kernel, relaxedMadd);
  emitStoreAccumulators(kernel);
}

/** The accumulators start at 0 (first block of k) or at C's current values. */
function emitLoadAccumulators(kernel: BlockKernel): void {
  const { f, tile, accumulate, cAt, acc } = kernel;
  emitBlockTopRow(kernel);
  f.localGet(accumulate).if();
  for (let r = 0; r < tile.rows; r++) {
    for (let v = 0; v < tile.vectors; v++) f.localGet(cAt).v128Load(v * 16).localSet(acc[r][v]);
    emitNextCRow(kernel);
  }
  f.else();
  for (let r = 0; r < tile.rows; r++) for (let v = 0; v < tile.vectors; v++) f.v128Zero().localSet(acc[r][v]);
  f.end();
}

/** The loop over p: acc[r][v] += A[p][r] · B[p][v], unroll steps per iteration. */
function emitHotLoop(kernel: BlockKernel, relaxedMadd: boolean): void {
  const { f, tile, aAt, aEnd, bAt, bStepBytes, acc, bVec, aSplat } = kernel;
  const { rows, vectors, unroll } = tile;
  const width = 4 * vectors;
  f.loop();
  for (let u = 0; u < unroll; u++) {
    for (let v = 0; v < vectors; v++) f.localGet(bAt).v128Load((u * width + v * 4) * 4).localSet(bVec[v]);
    for (let r = 0; r < rows; r++) {
      f.localGet(aAt).v128Load32Splat((u * rows + r) * 4).localSet(aSplat);
      for (let v = 0; v < vectors; v++) {
        if (relaxedMadd) f.localGet(aSplat).localGet(bVec[v]).localGet(acc[r][v]).f32x4RelaxedMadd().localSet(acc[r][v]);
        else f.localGet(acc[r][v]).localGet(aSplat).localGet(bVec[v]).f32x4Mul().f32x4Add().localSet(acc[r][v]);
      }
    }
  }
  // aAt += unroll·rows·4; bAt += bStepBytes (unroll 1; packed, unroll·width·4); repeat while aAt ≠ aEnd
  if (unroll === 1) f.localGet(bAt).localGet(bStepBytes).i32Add().localSet(bAt);
  else f.localGet(bAt).i32Const(unroll * width * 4).i32Add().localSet(bAt);
  f.localGet(aAt).i32Const(unroll * rows * 4).i32Add().localTee(aAt);
  f.localGet(aEnd).i32Ne().brIf(0);
  f.end();
}

/** Writes the accumulators to the block of C (cAt walked down during the loads, if any: start again). */
function emitStoreAccumulators(kernel: BlockKernel): void {
  const { f, tile, cAt, acc } = kernel;
  emitBlockTopRow(kernel);
  for (let r = 0; r < tile.rows; r++) {
    for (let v = 0; v < tile.vectors; v++) f.localGet(cAt).localGet(acc[r][v]).v128Store(v * 16);
    emitNextCRow(kernel);
  }
}

/** cAt = c + row·rows·cRowBytes + column·width·4: the top row of this block of C. */
function emitBlockTopRow({ f, tile, c, cRowBytes, row, column, cAt }: BlockKernel): void {
  const width = 4 * tile.vectors;
  f.localGet(c);
  f.localGet(row).i32Const(tile.rows).i32Mul().localGet(cRowBytes).i32Mul().i32Add();
  f.localGet(column).i32Const(width * 4).i32Mul().i32Add();
  f.localSet(cAt);
}

function emitNextCRow({ f, cRowBytes, cAt }: BlockKernel): void {
  f.localGet(cAt).localGet(cRowBytes).i32Add().localSet(cAt);
}
