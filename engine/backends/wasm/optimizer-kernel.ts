// The optimizers' per-element updates (torch.optim's SGD and Adam) as WebAssembly SIMD
// loops over float32 storage, emitted with wasm-encoder.ts; simd-optimizer.ts runs them.
//
// Why: the update is a handful of operations per parameter, and V8's typed-array loops
// spend ~3 ns on each element (a float32 load or store is a scalar conversion, every
// access bounds-checked): SimpleNetwork's 285k parameters cost ~1 ms a step, a seventh
// of the whole step. Four lanes at a time in wasm it is a few tenths of that.
//
// Bit-identical to the JavaScript loops (cpu-optimizers.ts): those compute in float64
// and round to float32 on every store. Here each group of four float32s is promoted to
// two f64x2 halves, the same operations run in the same order on float64 lanes (IEEE
// arithmetic, no fused multiply-add), and every value the JS loop stores and reads back
// (v, m, a decayed θ) is rounded to float32 before it is used again. So the CPU backend
// gives the same numbers with or without SIMD, and the tests compare bits.
//
// Layout: each array is a run of `groups` groups of four float32s (the caller pads);
// lanes past the caller's size compute on whatever is there and are never copied out.

import { encodeModule, F64, FunctionBody, I32, V128 } from './wasm-encoder';
import { doCounting } from './wasm-loops';

/** Which of torch.optim.SGD's terms an update has: one function per combination. */
export interface SgdVariant {
  /** g ← g + λθ */
  weightDecay: boolean;
  /** a momentum buffer v (momentum ≠ 0) */
  momentum: boolean;
  /** v ← g (torch's first step), instead of v ← μv + (1 − τ)g */
  firstStep: boolean;
  /** step = g + μv instead of v */
  nesterov: boolean;
}

/** torch.optim.Adam with no decay, L2 decay added to the gradient, or AdamW's decoupled decay. */
export type AdamVariant = 'plain' | 'l2' | 'decoupled';
export const ADAM_VARIANTS: readonly AdamVariant[] = ['plain', 'l2', 'decoupled'];

/** Every SGD variant, in the order of sgdVariantIndex. */
export const SGD_VARIANTS: readonly SgdVariant[] = Array.from({ length: 16 }, (_, i) => ({
  weightDecay: (i & 1) !== 0,
  momentum: (i & 2) !== 0,
  firstStep: (i & 4) !== 0,
  nesterov: (i & 8) !== 0,
}));

export function sgdVariantIndex(v: SgdVariant): number {
  return (v.weightDecay ? 1 : 0) | (v.momentum ? 2 : 0) | (v.firstStep ? 4 : 0) | (v.nesterov ? 8 : 0);
}

export const sgdExportName = (index: number) => `sgd${index}`;
export const adamExportName = (variant: AdamVariant) => `adam_${variant}`;

/**
 * sgd<i>(θ, g, v, groups, lr, μ, 1 − τ, λ) and adam_<variant>(θ, g, m, v, groups, β₁, 1 − β₁,
 * β₂, 1 − β₂, √(1 − β₂ᵗ), ε, lr/(1 − β₁ᵗ), 1 − lr·λ, λ): addresses in bytes, scalars as
 * float64 computed by the caller exactly as the JS loops compute them.
 */
export function optimizerModuleBytes(sharedMemoryMaxPages?: number): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      ...SGD_VARIANTS.map((variant, i) => ({ name: sgdExportName(i), body: emitSgd(variant) })),
      ...ADAM_VARIANTS.map((variant) => ({ name: adamExportName(variant), body: emitAdam(variant) })),
    ],
    { importMemoryPages: 1, sharedMemoryMaxPages },
  );
}

/**
 * Helpers over one function body: a value is a pair of f64x2 locals (the low and high
 * halves of a group of four float32s).
 */
class Lanes {
  constructor(readonly f: FunctionBody) {}

  pair(): [number, number] {
    return [this.f.local(V128), this.f.local(V128)];
  }

  /** A scalar f64 param in both lanes of a new local. */
  splat(param: number): number {
    const local = this.f.local(V128);
    this.f.localGet(param).f64x2Splat().localSet(local);
    return local;
  }

  /** half h of the group at address `at` (four float32s), promoted to float64. */
  load(at: number, h: number, into: number): void {
    this.f.localGet(at).v128Load64Splat(8 * h).f64x2PromoteLowF32x4().localSet(into);
  }

  /** Rounds both halves to float32 in place (what a store and a later read do in JS). */
  round(pair: [number, number], demoted: [number, number]): void {
    for (let h = 0; h < 2; h++) {
      this.f.localGet(pair[h]).f32x4DemoteF64x2Zero().localTee(demoted[h]).f64x2PromoteLowF32x4().localSet(pair[h]);
    }
  }

  /** Stores the four float32s of two demoted halves (each in lanes 0 and 1) at `at`. */
  storeDemoted(at: number, demoted: [number, number]): void {
    this.f.localGet(at).localGet(demoted[0]).localGet(demoted[1]);
    this.f.i8x16Shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]).v128Store();
  }

  /** Rounds and stores a value; the pair keeps the rounded value. */
  store(at: number, pair: [number, number], scratch: [number, number]): void {
    this.round(pair, scratch);
    this.storeDemoted(at, scratch);
  }

  /** Walks `pointers` (byte addresses) over `groups` groups of four, 16 bytes a step. */
  loop(groups: number, pointers: number[], body: () => void): void {
    const f = this.f;
    const i = f.local(I32);
    f.i32Const(0).localSet(i);
    doCounting(f, i, groups, () => {
      body();
      for (const p of pointers) f.localGet(p).i32Const(16).i32Add().localSet(p);
    });
  }
}

/**
 * torch.optim.SGD, as the JS loop: g ← g + λθ; v ← μv + (1 − τ)g (v ← g on the first
 * step), stored; step = g + μv with nesterov, else v; θ ← θ − lr·step.
 */
function emitSgd(variant: SgdVariant): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, F64, F64, F64, F64]);
  const [theta, grad, velocity, groups, lrParam, momentumParam, keepParam, decayParam] = f.params.map((_, i) => i);
  const x = new Lanes(f);
  const lr = x.splat(lrParam);
  const mu = x.splat(momentumParam);
  const keep = x.splat(keepParam);
  const decay = x.splat(decayParam);
  const [g, t, v, scratch] = [x.pair(), x.pair(), x.pair(), x.pair()];
  x.loop(groups, [theta, grad, velocity], () => {
    for (let h = 0; h < 2; h++) {
      x.load(grad, h, g[h]);
      x.load(theta, h, t[h]);
      // g + λθ
      if (variant.weightDecay) f.localGet(g[h]).localGet(decay).localGet(t[h]).f64x2Mul().f64x2Add().localSet(g[h]);
      if (variant.momentum) {
        if (variant.firstStep) f.localGet(g[h]).localSet(v[h]);
        else {
          // μv + (1 − τ)g
          x.load(velocity, h, v[h]);
          f.localGet(mu).localGet(v[h]).f64x2Mul().localGet(keep).localGet(g[h]).f64x2Mul().f64x2Add().localSet(v[h]);
        }
      }
    }
    if (variant.momentum) x.store(velocity, v, scratch); // v as stored is what the step reads
    for (let h = 0; h < 2; h++) {
      if (variant.momentum) {
        if (variant.nesterov) f.localGet(g[h]).localGet(mu).localGet(v[h]).f64x2Mul().f64x2Add().localSet(g[h]);
        else f.localGet(v[h]).localSet(g[h]);
      }
      // θ − lr·step
      f.localGet(t[h]).localGet(lr).localGet(g[h]).f64x2Mul().f64x2Sub().localSet(t[h]);
    }
    x.store(theta, t, scratch);
  });
  return f;
}

/**
 * torch.optim.Adam (AdamW with decoupled decay), as the JS loop: θ ← θ(1 − lr·λ)
 * (decoupled) or g ← g + λθ (L2); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g·g (both
 * stored); θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
function emitAdam(variant: AdamVariant): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64, F64]);
  const [theta, grad, mAt, vAt, groups, ...scalars] = f.params.map((_, i) => i);
  const x = new Lanes(f);
  const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, sqrtBias2, eps, stepSize, decayFactor, decay] = scalars.map((p) => x.splat(p));
  const [g, t, m, v, scratch] = [x.pair(), x.pair(), x.pair(), x.pair(), x.pair()];
  x.loop(groups, [theta, grad, mAt, vAt], () => {
    for (let h = 0; h < 2; h++) {
      x.load(grad, h, g[h]);
      x.load(theta, h, t[h]);
      if (variant === 'decoupled') f.localGet(t[h]).localGet(decayFactor).f64x2Mul().localSet(t[h]);
      if (variant === 'l2') f.localGet(g[h]).localGet(decay).localGet(t[h]).f64x2Mul().f64x2Add().localSet(g[h]);
      // β₁m + (1 − β₁)g
      x.load(mAt, h, m[h]);
      f.localGet(beta1).localGet(m[h]).f64x2Mul().localGet(oneMinusBeta1).localGet(g[h]).f64x2Mul().f64x2Add().localSet(m[h]);
      // β₂v + ((1 − β₂)g)·g
      x.load(vAt, h, v[h]);
      f.localGet(beta2).localGet(v[h]).f64x2Mul().localGet(oneMinusBeta2).localGet(g[h]).f64x2Mul().localGet(g[h]).f64x2Mul().f64x2Add().localSet(v[h]);
    }
    // The decayed θ is stored (rounded) before the step reads it again in JS.
    if (variant === 'decoupled') x.round(t, scratch);
    x.store(mAt, m, scratch);
    x.store(vAt, v, scratch);
    for (let h = 0; h < 2; h++) {
      // θ − (lr/(1 − β₁ᵗ)) · (m / (√v / √(1 − β₂ᵗ) + ε))
      f.localGet(t[h]).localGet(stepSize).localGet(m[h]);
      f.localGet(v[h]).f64x2Sqrt().localGet(sqrtBias2).f64x2Div().localGet(eps).f64x2Add();
      f.f64x2Div().f64x2Mul().f64x2Sub().localSet(t[h]);
    }
    x.store(theta, t, scratch);
  });
  return f;
}
