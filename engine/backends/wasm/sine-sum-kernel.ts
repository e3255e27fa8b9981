// The WebAssembly SIMD kernels behind STAF on the CPU: f(x) = Σᵢ Cᵢ·sin(Ωᵢx + Φᵢ) and its
// backward, four elements per instruction, emitted with wasm-encoder.ts.
//
// Each term's sine and cosine, for four elements at once, with the angle counted in
// turns (1 turn = 2π), so that the reduction is one rounding and one subtraction:
//   t = ωx + φ with ω = Ω/2π, φ = Φ/2π (float64, made by the caller), u = t − nearest(t)
//       ∈ [−½, ½], in f64x2 (two halves): t carries float64 rounding only (ω's, the
//       product's, the sum's: |t|·2⁻⁵² at most) and the subtraction is exact, so for any
//       |Ωx| below ~10⁸ float32 rounding starts with u;
//   u rounded to f32; sin 2πt = sin 2πv, v = u folded into [−¼, ¼] (±½ − u beyond ±¼,
//       by a lane select, not a branch); cos 2πt = sin 2π(¼ − |u|);
//   sin 2πv on [−¼, ¼]: an odd polynomial to v⁹ in f32x4, a least-squares fit near
//       minimax (5e-9 from sin; evaluated in float32, within 2e-7).
// NaN and ±∞ give NaN, as Math.sin. (Beyond |t| = 2⁵², where float64 has no fraction left,
// u is 0: sin 0 and cos 1, not the noise a float32 argument that large would give.)
//
// forward: out = Σᵢ Cᵢ·sin(Ωᵢx + Φᵢ), passes of up to four element groups outer
// (FORWARD_GROUPS), terms inner (one accumulator per group).
// backward, over blocks of BLOCK_ELEMENTS (x, dy and dx of a block stay in L1), passes
// of up to five terms outer (PASS_SIZES), element groups inner:
//   dx += CᵢΩᵢ·cos, and per term three f32x4 sums over the block, Σ dy·sin (∂C),
//   Σ dy·cos·x (∂Ω/Cᵢ) and Σ dy·cos (∂Φ/Cᵢ), written to `partials` [block][term][3][4]
//   for the caller to add up in float64 and multiply by Cᵢ (one multiply fewer per
//   element and term); then dx *= dy.
// With relaxedMadd (where relaxed SIMD validates), every a·b + c above (t, the polynomials'
// steps, the accumulations) is one relaxed_madd, fused where the CPU has FMA: 1.26× as
// fast on the 2-core EPYC (Zen 5), with the same error against float64.
// Addresses are in bytes; counts of elements are multiples of 4 (the caller pads). A call
// may cover any run of whole blocks (x, dy, dx and partials advanced to its first block):
// that is how sine-sum.ts splits an array over threads.

import { encodeModule, FunctionBody, I32, V128 } from './wasm-encoder';

export const BLOCK_ELEMENTS = 256;
export const FORWARD_EXPORT = 'sineSumForward';
export const BACKWARD_EXPORT = 'sineSumBackward';

/** (x, out, count, omega64, phi64, c32, terms): omega64 and phi64 hold Ω/2π and Φ/2π. */
export type SineSumForward = (x: number, out: number, count: number, omega64: number, phi64: number, c32: number, terms: number) => void;
/** (x, dy, dx, count, omega64, phi64, c32, omega32, terms, partials) */
export type SineSumBackward = (
  x: number,
  dy: number,
  dx: number,
  count: number,
  omega64: number,
  phi64: number,
  c32: number,
  omega32: number,
  terms: number,
  partials: number,
) => void;

export interface SineSumKernelOptions {
  /** Import a shared memory of at most this many pages (helper threads run the same exports on it). */
  sharedMemoryMaxPages?: number;
  /**
   * Every a·b + c as f32x4/f64x2.relaxed_madd (relaxed SIMD: fused, one rounding, where the
   * hardware has it), not a multiply and an add. Only where relaxed SIMD validates.
   */
  relaxedMadd?: boolean;
}

/** The module. */
export function sineSumModuleBytes({ sharedMemoryMaxPages, relaxedMadd = false }: SineSumKernelOptions = {}): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: FORWARD_EXPORT, body: emitForward(relaxedMadd) },
      { name: BACKWARD_EXPORT, body: emitBackward(relaxedMadd) },
    ],
    { importMemoryPages: 1, sharedMemoryMaxPages },
  );
}

// Byte lanes for i8x16.shuffle: the high two f32 of a vector moved low (for the second
// promote), and the low halves of two vectors side by side (joining two demotes).
const HIGH_PAIR_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

const TWO_PI = 2 * Math.PI;
// sin 2πv ≈ v·(C1 + v²·(C3 + v²·(C5 + v²·(C7 + v²·C9)))) on [−¼, ¼] (error 4.9e-9), listed
// from C9: an iteratively reweighted least-squares fit of sin r − r on Chebyshev nodes of
// [−π/2, π/2] (near minimax), its coefficient of r^k times (2π)^k.
const SIN_TURN_COEFFICIENTS = [2.599281059585158e-6, -0.00019806203620900686, 0.008333010355181008, -0.16666656733039598, 1].map(
  (c, i) => c * TWO_PI ** (9 - 2 * i),
);

const splat4 = (v: number): [number, number, number, number] => [v, v, v, v];

/** From the f64x2 on the stack (t = ωx + φ for two elements, in turns), u = t − nearest(t), into local u. */
function emitReduce(f: FunctionBody, t: number, u: number): void {
  f.localTee(t).localGet(t).f64x2Nearest().f64x2Sub().localSet(u);
}

/**
 * From the f32x4 u ∈ [−½, ½] on the stack: sinArg ← u folded into [−¼, ¼], that is
 * copysign(min(|u|, ½ − |u|), u), and, when cosArg is given, cosArg ← ¼ − |u|. Sign-bit
 * masks and pmin (one x86 instruction each; abs, bitselect and min are several); a NaN
 * stays NaN through all of them.
 */
function emitArguments(f: FunctionBody, u: number, absU: number, sinArg: number, cosArg?: number): void {
  f.localTee(u).f32x4Const(...splat4(-0)).v128Andnot().localTee(absU);
  f.f32x4Const(...splat4(0.5)).localGet(absU).f32x4Sub().f32x4Pmin();
  f.localGet(u).f32x4Const(...splat4(-0)).v128And().v128Or().localSet(sinArg);
  if (cosArg !== undefined) f.f32x4Const(...splat4(0.25)).localGet(absU).f32x4Sub().localSet(cosArg);
}

/** Pushes the f32x4 of two f64x2 halves (lanes 0–1 from lo, 2–3 from hi), each rounded to f32. */
function emitJoin(f: FunctionBody, lo: number, hi: number): void {
  f.localGet(lo).f32x4DemoteF64x2Zero().localGet(hi).f32x4DemoteF64x2Zero().i8x16Shuffle(LOW_HALVES);
}

/**
 * With a, b and c on the stack (f32x4 or f64x2), pushes a·b + c: one relaxed_madd when
 * `fused`, else a multiply and an add (c parked in local `addend` meanwhile; the engine
 * keeps it in a register).
 */
function emitMulAdd(f: FunctionBody, { fused, addend }: Fma, lanes: 'f32x4' | 'f64x2' = 'f32x4'): void {
  if (fused) {
    if (lanes === 'f32x4') f.f32x4RelaxedMadd();
    else f.f64x2RelaxedMadd();
  } else if (lanes === 'f32x4') f.localSet(addend).f32x4Mul().localGet(addend).f32x4Add();
  else f.localSet(addend).f64x2Mul().localGet(addend).f64x2Add();
}

/** How a kernel computes a·b + c (emitMulAdd): `fused`, or through the v128 local `addend`. */
interface Fma {
  fused: boolean;
  addend: number;
}

/** sin 2πv for the f32x4 v on the stack, |v| ≤ ¼; uses locals v and v2. */
function emitSin(f: FunctionBody, v: number, v2: number, fma: Fma): void {
  f.localTee(v).localGet(v).f32x4Mul().localSet(v2);
  f.f32x4Const(...splat4(SIN_TURN_COEFFICIENTS[0]));
  for (const c of SIN_TURN_COEFFICIENTS.slice(1)) {
    f.localGet(v2).f32x4Const(...splat4(c));
    emitMulAdd(f, fma);
  }
  f.localGet(v).f32x4Mul();
}

/** Both f64x2 halves of the f32x4 in local x: lo ← lanes 0–1, hi ← lanes 2–3. */
function emitPromote(f: FunctionBody, x: number, lo: number, hi: number): void {
  f.localGet(x).f64x2PromoteLowF32x4().localSet(lo);
  f.localGet(x).localGet(x).i8x16Shuffle(HIGH_PAIR_TO_LOW).f64x2PromoteLowF32x4().localSet(hi);
}

/** w ← ωᵢ = Ωᵢ/2π and ph ← φᵢ = Φᵢ/2π (float64, in both lanes) for the term `next` after the one at byte offset term4 of the f32 arrays. */
function emitLoadTerm(f: FunctionBody, { omega64, phi64, term4, w, ph }: Record<'omega64' | 'phi64' | 'term4' | 'w' | 'ph', number>, next = 0): void {
  f.localGet(omega64).localGet(term4).i32Const(2).i32Mul().i32Add().v128Load64Splat(8 * next).localSet(w);
  f.localGet(phi64).localGet(term4).i32Const(2).i32Mul().i32Add().v128Load64Splat(8 * next).localSet(ph);
}

/** Pushes u = ωx + φ reduced to [−½, ½] turns (in float64, then rounded to f32) for the four elements in xlo, xhi. */
function emitReducedArgument(f: FunctionBody, fma: Fma, { w, ph, xlo, xhi, t, uLo, uHi }: Record<'w' | 'ph' | 'xlo' | 'xhi' | 't' | 'uLo' | 'uHi', number>): void {
  f.localGet(w).localGet(xlo).localGet(ph);
  emitMulAdd(f, fma, 'f64x2');
  emitReduce(f, t, uLo);
  f.localGet(w).localGet(xhi).localGet(ph);
  emitMulAdd(f, fma, 'f64x2');
  emitReduce(f, t, uHi);
  emitJoin(f, uLo, uHi);
}

/**
 * Element groups (of four) the forward takes in one pass over the terms: fours, then a
 * two, then a one. The groups of a pass share each term's loads of ω, φ and C. One
 * process alternating, one thread, a SimpleNetwork step's arrays with 25 terms: 15%
 * faster than one group per pass (1.81 against 2.13 ms); twos alone 5%, eights 18%.
 */
const FORWARD_GROUPS = [4, 2, 1];

function emitForward(fused: boolean): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32]);
  const [x, out, count, omega64, phi64, c32, terms] = f.params.map((_, i) => i);
  const at = f.local(I32); // byte offset of the first element group of the pass
  const end = f.local(I32);
  const term4 = f.local(I32); // byte offset of the term in the f32 arrays (f64 arrays: twice)
  const termsEnd = f.local(I32);
  const [w, ph, c, t, uLo, uHi, u, absU, sinArg, v, v2, addend] = Array.from({ length: 12 }, () => f.local(V128));
  const fma: Fma = { fused, addend };
  const groups = Array.from({ length: Math.max(...FORWARD_GROUPS) }, () => {
    const [xv, xlo, xhi, acc] = Array.from({ length: 4 }, () => f.local(V128));
    return { xv, xlo, xhi, acc };
  });

  f.localGet(count).i32Const(4).i32Mul().localSet(end);
  f.localGet(terms).i32Const(4).i32Mul().localSet(termsEnd);
  f.i32Const(0).localSet(at);
  for (const size of FORWARD_GROUPS) {
    const pass = groups.slice(0, size);
    f.block();
    f.loop(); // ---- passes of `size` element groups, while that many are left
    {
      f.localGet(end).localGet(at).i32Const(16 * size).i32Add().i32LtU().brIf(1);
      pass.forEach(({ xv, xlo, xhi, acc }, g) => {
        f.localGet(x).localGet(at).i32Add().v128Load(16 * g).localSet(xv);
        emitPromote(f, xv, xlo, xhi);
        f.v128Zero().localSet(acc);
      });
      f.i32Const(0).localSet(term4);
      f.loop(); // ---- terms
      {
        emitLoadTerm(f, { omega64, phi64, term4, w, ph });
        f.localGet(c32).localGet(term4).i32Add().v128Load32Splat().localSet(c);
        for (const { xlo, xhi, acc } of pass) {
          emitReducedArgument(f, fma, { w, ph, xlo, xhi, t, uLo, uHi });
          emitArguments(f, u, absU, sinArg);
          // acc += C·sin
          f.localGet(c).localGet(sinArg);
          emitSin(f, v, v2, fma);
          f.localGet(acc);
          emitMulAdd(f, fma);
          f.localSet(acc);
        }
        f.localGet(term4).i32Const(4).i32Add().localTee(term4);
        f.localGet(termsEnd).i32Ne().brIf(0);
      }
      f.end();
      pass.forEach(({ acc }, g) => f.localGet(out).localGet(at).i32Add().localGet(acc).v128Store(16 * g));
      f.localGet(at).i32Const(16 * size).i32Add().localSet(at);
      f.br(0);
    }
    f.end();
    f.end();
  }
  return f;
}

function emitBackward(fused: boolean): FunctionBody {
  const kernel = declareBackward(fused);
  const { f, dx, dy, count, terms, partials, blockStart, blockEnd, end, at, termsEnd, partialAt } = kernel;
  f.localGet(count).i32Const(4).i32Mul().localSet(end);
  f.localGet(terms).i32Const(4).i32Mul().localSet(termsEnd);
  f.localGet(partials).localSet(partialAt);
  f.i32Const(0).localSet(blockStart);
  f.loop(); // ---- blocks
  {
    // blockEnd = min(blockStart + BLOCK, end)
    f.localGet(blockStart).i32Const(BLOCK_ELEMENTS * 4).i32Add().localTee(blockEnd);
    f.localGet(end).localGet(blockEnd).localGet(end).i32LtU().select().localSet(blockEnd);
    forEachGroup(kernel, () => f.localGet(dx).localGet(at).i32Add().v128Zero().v128Store());
    emitBackwardTerms(kernel);
    // dx = dy ⊙ f'
    forEachGroup(kernel, () => {
      f.localGet(dx).localGet(at).i32Add();
      f.localGet(dx).localGet(at).i32Add().v128Load().localGet(dy).localGet(at).i32Add().v128Load().f32x4Mul();
      f.v128Store();
    });
    f.localGet(blockEnd).localTee(blockStart);
    f.localGet(end).i32Ne().brIf(0);
  }
  f.end();
  return f;
}

/**
 * Terms the backward takes in one pass over a block: as many fives as fit, then twos,
 * then ones. The terms of a pass share each group's loads of x, dy and dx, and the
 * promotion of x. One process alternating, one thread, a SimpleNetwork step's arrays:
 * passes of 5 made forward + backward 19% faster than one term per pass with 25 terms
 * (5.17 against 6.38 ms) and 17% with 5; passes of 4 were 14% faster, of 6-8 no faster
 * than 5, of 10 or more slower (the terms' locals no longer fit in registers).
 */
const PASS_SIZES = [5, 2, 1];

/** One term's locals in the backward: ωᵢ and φᵢ (f64), CᵢΩᵢ (f32), and its three sums over the block. */
type TermLocals = Record<'w' | 'ph' | 'cw' | 'accC' | 'accW' | 'accP', number>;

/** The backward kernel's body and the indices of its params and locals, named; `group`: the locals of the terms of one pass. */
type BackwardKernel = { f: FunctionBody; group: TermLocals[]; fma: Fma } & Record<
  | 'x' | 'dy' | 'dx' | 'count' | 'omega64' | 'phi64' | 'c32' | 'omega32' | 'terms' | 'partials'
  | 'blockStart' | 'blockEnd' | 'end' | 'at' | 'term4' | 'termsEnd' | 'partialAt'
  | 'xv' | 'd' | 'xlo' | 'xhi' | 't' | 'uLo' | 'uHi' | 'u' | 'absU'
  | 'sinArg' | 'cosArg' | 'sin' | 'cos' | 'tv' | 'v' | 'v2' | 'dxv',
  number
>;

function declareBackward(fused: boolean): BackwardKernel {
  const f = new FunctionBody([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [x, dy, dx, count, omega64, phi64, c32, omega32, terms, partials] = f.params.map((_, i) => i);
  // The declaration order fixes the locals' indices: keep it.
  const [blockStart, blockEnd, end, at, term4, termsEnd, partialAt] = Array.from({ length: 7 }, () => f.local(I32));
  const [xv, d, xlo, xhi, t, uLo, uHi, u, absU, sinArg, cosArg, sin, cos, tv, v, v2, dxv, addend] = Array.from({ length: 18 }, () => f.local(V128));
  const term = (): TermLocals => {
    const [w, ph, cw, accC, accW, accP] = Array.from({ length: 6 }, () => f.local(V128));
    return { w, ph, cw, accC, accW, accP };
  };
  return {
    f, x, dy, dx, count, omega64, phi64, c32, omega32, terms, partials,
    blockStart, blockEnd, end, at, term4, termsEnd, partialAt,
    xv, d, xlo, xhi, t, uLo, uHi, u, absU, sinArg, cosArg, sin, cos, tv, v, v2, dxv,
    group: Array.from({ length: Math.max(...PASS_SIZES) }, term),
    fma: { fused, addend },
  };
}

/** For each term of one block: dx += CΩ·cos over the block, and the term's three partial sums to `partials`; in passes of PASS_SIZES terms. */
function emitBackwardTerms(kernel: BackwardKernel): void {
  const { f, term4, termsEnd, group } = kernel;
  f.i32Const(0).localSet(term4);
  for (const size of PASS_SIZES) {
    f.block();
    f.loop(); // ---- passes of `size` terms, while that many are left
    {
      f.localGet(termsEnd).localGet(term4).i32Const(4 * size).i32Add().i32LtU().brIf(1);
      emitTermsPass(kernel, group.slice(0, size));
      f.br(0);
    }
    f.end();
    f.end();
  }
}

/** One pass over the block for the terms at term4 (one or two): their sums written, term4 and partialAt advanced. */
function emitTermsPass(kernel: BackwardKernel, terms: TermLocals[]): void {
  const { f, omega64, phi64, c32, omega32, term4, partialAt } = kernel;
  terms.forEach(({ w, ph, cw, accC, accW, accP }, k) => {
    emitLoadTerm(f, { omega64, phi64, term4, w, ph }, k);
    f.localGet(c32).localGet(term4).i32Add().v128Load32Splat(4 * k);
    f.localGet(omega32).localGet(term4).i32Add().v128Load32Splat(4 * k).f32x4Mul().localSet(cw);
    for (const acc of [accC, accW, accP]) f.v128Zero().localSet(acc);
  });
  forEachGroup(kernel, () => emitBackwardGroup(kernel, terms));
  terms.forEach(({ accC, accW, accP }, k) => [accC, accW, accP].forEach((acc, i) => f.localGet(partialAt).localGet(acc).v128Store(48 * k + 16 * i)));
  f.localGet(partialAt).i32Const(48 * terms.length).i32Add().localSet(partialAt);
  f.localGet(term4).i32Const(4 * terms.length).i32Add().localSet(term4);
}

/** The terms on one group of four elements: sin and cos of each argument, dx and each term's three sums updated. */
function emitBackwardGroup(kernel: BackwardKernel, terms: TermLocals[]): void {
  const { f, fma, x, dy, dx, at, xv, d, xlo, xhi, t, uLo, uHi, u, absU, sinArg, cosArg, sin, cos, tv, v, v2, dxv } = kernel;
  f.localGet(x).localGet(at).i32Add().v128Load().localSet(xv);
  f.localGet(dy).localGet(at).i32Add().v128Load().localSet(d);
  f.localGet(dx).localGet(at).i32Add().v128Load().localSet(dxv);
  emitPromote(f, xv, xlo, xhi);
  for (const { w, ph, cw, accC, accW, accP } of terms) {
    emitReducedArgument(f, fma, { w, ph, xlo, xhi, t, uLo, uHi });
    emitArguments(f, u, absU, sinArg, cosArg);
    f.localGet(sinArg);
    emitSin(f, v, v2, fma);
    f.localSet(sin);
    f.localGet(cosArg);
    emitSin(f, v, v2, fma);
    f.localSet(cos);
    // dx += CΩ·cos
    f.localGet(cw).localGet(cos).localGet(dxv);
    emitMulAdd(f, fma);
    f.localSet(dxv);
    // ∂C: Σ dy·sin; ∂Φ/C: Σ dy·cos; ∂Ω/C: Σ dy·cos·x
    f.localGet(d).localGet(sin).localGet(accC);
    emitMulAdd(f, fma);
    f.localSet(accC);
    f.localGet(d).localGet(cos).f32x4Mul().localTee(tv);
    f.localGet(accP).f32x4Add().localSet(accP);
    f.localGet(tv).localGet(xv).localGet(accW);
    emitMulAdd(f, fma);
    f.localSet(accW);
  }
  f.localGet(dx).localGet(at).i32Add().localGet(dxv).v128Store();
}

/** Runs emit() for each element group of the block (at = its byte offset). */
function forEachGroup({ f, blockStart, blockEnd, at }: BackwardKernel, emit: () => void): void {
  f.localGet(blockStart).localSet(at);
  f.loop();
  emit();
  f.localGet(at).i32Const(16).i32Add().localTee(at);
  f.localGet(blockEnd).i32Ne().brIf(0);
  f.end();
}
