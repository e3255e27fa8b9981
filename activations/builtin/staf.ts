import type { ActivationGradients, ActivationParamValues, ActivationSpec } from '../../engine/activation-spec';
import type { Random } from '../../engine/random';
import { sharedSineSum } from '../../engine/backends/wasm/cpu-threads';
import { sineSumSupported } from '../../engine/backends/wasm/sine-sum';
import { sinCos } from './math';

/** Number of sine terms τ by default (gs.activation('staf', { terms: 25 }) for more). */
export const STAF_TERMS = 5;

/**
 * init 'fourier' (the default): Ωᵢ = i, Φᵢ = 0, Cᵢ = 2(−1)^(i+1)/i for i = 1..τ, the first
 * τ terms of the Fourier series of x on (−π, π), so STAF starts close to the identity
 * there and learns away from it (every backend and seed starts from the same function).
 */
function fourierInit(terms: number): Record<string, number[]> {
  return {
    C: Array.from({ length: terms }, (_, k) => (2 * (k % 2 === 0 ? 1 : -1)) / (k + 1)),
    Omega: Array.from({ length: terms }, (_, k) => k + 1),
    Phi: new Array<number>(terms).fill(0),
  };
}

/** init 'normal': C, Ω and Φ ~ N(0, 1), drawn in that order, as the chapter's torch.randn(τ) each. */
function normalInit(terms: number, random: Random): Record<string, number[]> {
  const draw = () => Array.from({ length: terms }, () => random.normal());
  const C = draw();
  const Omega = draw();
  return { C, Omega, Phi: draw() };
}

const DEFAULTS = fourierInit(STAF_TERMS);

// WGSL's sin/cos only promise an absolute error of 2⁻¹¹ (SwiftShader's is ~1e-4 after
// five terms), so STAF uses its own: reduce by 2π in two parts (Cody–Waite; 6.28125
// has few mantissa bits, so k·6.28125 is exact for the k that occur), fold into
// [−π/2, π/2], then the Taylor polynomial to r¹¹ (error < 6e-8 there).
const WGSL_HELPERS = `
fn gs_staf_reduce(a: f32) -> f32 {
  let k = round(a * 0.15915494309189535);
  return (a - k * 6.28125) - k * 0.001935307179586232;
}
fn gs_staf_sin_folded(r: f32) -> f32 {
  let r2 = r * r;
  return r * (1.0 - r2 / 6.0 * (1.0 - r2 / 20.0 * (1.0 - r2 / 42.0 * (1.0 - r2 / 72.0 * (1.0 - r2 / 110.0)))));
}
fn gs_staf_sin(a: f32) -> f32 {
  var r = gs_staf_reduce(a);
  if (r > 1.5707963267948966) { r = 3.141592653589793 - r; } else if (r < -1.5707963267948966) { r = -3.141592653589793 - r; }
  return gs_staf_sin_folded(r);
}
// cos(r) = sin(π/2 − |r|), with the reduced r: adding π/2 to a large argument would round.
fn gs_staf_cos(a: f32) -> f32 { return gs_staf_sin_folded(1.5707963267948966 - abs(gs_staf_reduce(a))); }`;

export const staf: ActivationSpec = {
  name: 'staf',
  aliases: ['STAF'],
  formula: 'Σᵢ Cᵢ·sin(Ωᵢx + Φᵢ), i = 1..τ (τ = 5 unless sized), C, Ω, Φ trainable',
  reference: 'Morsali et al., "STAF: Sinusoidal Trainable Activation Functions for Implicit Neural Representation", 2025',
  convention:
    "init 'fourier' (default) Cᵢ = 2(−1)^(i+1)/i, Ωᵢ = i, Φᵢ = 0 (Fourier series of x on (−π, π): starts near the identity), " +
    "init 'normal' C, Ω, Φ ~ N(0, 1) seeded (the 'Deep Learning DNA' chapter's, τ = 25); " +
    '∂f/∂Cᵢ = sin(Ωᵢx + Φᵢ), ∂f/∂Ωᵢ = Cᵢ·x·cos(Ωᵢx + Φᵢ), ∂f/∂Φᵢ = Cᵢ·cos(Ωᵢx + Φᵢ)',
  handWritten: "vector parameters (C, Ω, Φ: τ values each) and its own sin/cos in WGSL (WGSL's promise only 2⁻¹¹ absolute error); a formula reads one number per parameter",
  range: [-4, 4],
  params: [
    { name: 'C', default: DEFAULTS.C, trainable: true, description: 'amplitudes' },
    { name: 'Omega', default: DEFAULTS.Omega, trainable: true, description: 'frequencies' },
    { name: 'Phi', default: DEFAULTS.Phi, trainable: true, description: 'phases' },
  ],
  options: [
    {
      name: 'terms',
      default: STAF_TERMS,
      integer: true,
      min: 1,
      sizes: [{ param: 'C' }, { param: 'Omega' }, { param: 'Phi' }],
      description: 'number of sine terms τ',
    },
    { name: 'init', default: 'fourier', choices: ['fourier', 'normal'], description: "'fourier': the Fourier series of x; 'normal': C, Ω, Φ ~ N(0, 1), seeded" },
  ],
  initialValues: (s, random) => (s.init === 'normal' ? normalInit(s.terms as number, random()) : fourierInit(s.terms as number)),
  derivativeReadsOutput: false,
  cpu: {
    f: (x, p) => {
      let s = 0;
      for (let i = 0; i < p.C.length; i++) s += p.C[i] * Math.sin(p.Omega[i] * x + p.Phi[i]);
      return s;
    },
    df: (x, _y, p) => {
      let s = 0;
      for (let i = 0; i < p.C.length; i++) s += p.C[i] * p.Omega[i] * Math.cos(p.Omega[i] * x + p.Phi[i]);
      return s;
    },
    dparams: {
      C: (x, _y, p, _ch, i) => Math.sin(p.Omega[i] * x + p.Phi[i]),
      Omega: (x, _y, p, _ch, i) => p.C[i] * x * Math.cos(p.Omega[i] * x + p.Phi[i]),
      Phi: (x, _y, p, _ch, i) => p.C[i] * Math.cos(p.Omega[i] * x + p.Phi[i]),
    },
    fastF: (x, p) => {
      const { C, Omega, Phi } = p;
      let s = 0;
      for (let i = 0; i < C.length; i++) s += C[i] * sinCos(Omega[i] * x + Phi[i], SC);
      return s;
    },
    backward: (x, _y, dy, p, _ch, g) => stafBackward(x, dy, p, g),
    simd: () =>
      sineSumSupported()
        ? {
            forward: (x, out, p) => void sharedSineSum().forward(x, out, p.C, p.Omega, p.Phi),
            backward: (x, dy, dx, p, g) => void sharedSineSum().backward(x, dy, dx, p.C, p.Omega, p.Phi, g.C, g.Omega, g.Phi),
          }
        : null,
  },
  wgsl: {
    helpers: WGSL_HELPERS,
    f: `var s = 0.0;
for (var i = 0u; i < p_len_C(); i++) { s += p_C(i) * gs_staf_sin(p_Omega(i) * x + p_Phi(i)); }
return s;`,
    df: `var s = 0.0;
for (var i = 0u; i < p_len_C(); i++) { s += p_C(i) * p_Omega(i) * gs_staf_cos(p_Omega(i) * x + p_Phi(i)); }
return s;`,
    dparams: {
      C: 'return gs_staf_sin(p_Omega(i) * x + p_Phi(i));',
      Omega: 'return p_C(i) * x * gs_staf_cos(p_Omega(i) * x + p_Phi(i));',
      Phi: 'return p_C(i) * gs_staf_cos(p_Omega(i) * x + p_Phi(i));',
    },
  },
};

/** sinCos's second result, the cosine (reused: no allocation per call). */
const SC = new Float64Array(1);

/** One element's f' and its dy·∂f/∂θ for every term, from one sine and cosine per term. */
function stafBackward(x: number, dy: number, p: ActivationParamValues, g: ActivationGradients): number {
  const { C, Omega, Phi } = p;
  const gC = g.C;
  const gOmega = g.Omega;
  const gPhi = g.Phi;
  let df = 0;
  for (let i = 0; i < C.length; i++) {
    const sin = sinCos(Omega[i] * x + Phi[i], SC);
    const cc = C[i] * SC[0];
    df += cc * Omega[i];
    gC[i] += dy * sin;
    const t = dy * cc;
    gPhi[i] += t;
    gOmega[i] += t * x;
  }
  return df;
}
