import type { ActivationSpec } from '../../engine/activation-spec';

/** Number of sine terms τ. */
export const STAF_TERMS = 5;

/**
 * Init: Ωᵢ = i, Φᵢ = 0, Cᵢ = 2(−1)^(i+1)/i for i = 1..τ: the first τ terms of the Fourier
 * series of x on (−π, π), so STAF starts close to the identity there and learns away
 * from it (a deterministic init: every backend and seed starts from the same function).
 */
const C0 = Array.from({ length: STAF_TERMS }, (_, k) => (2 * (k % 2 === 0 ? 1 : -1)) / (k + 1));
const OMEGA0 = Array.from({ length: STAF_TERMS }, (_, k) => k + 1);
const PHI0 = new Array<number>(STAF_TERMS).fill(0);

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
  formula: 'Σᵢ Cᵢ·sin(Ωᵢx + Φᵢ), i = 1..τ (τ = 5), C, Ω, Φ trainable',
  reference: 'Morsali et al., "STAF: Sinusoidal Trainable Activation Functions for Implicit Neural Representation", 2025',
  convention:
    'init Cᵢ = 2(−1)^(i+1)/i, Ωᵢ = i, Φᵢ = 0 (Fourier series of x on (−π, π): starts near the identity); ' +
    '∂f/∂Cᵢ = sin(Ωᵢx + Φᵢ), ∂f/∂Ωᵢ = Cᵢ·x·cos(Ωᵢx + Φᵢ), ∂f/∂Φᵢ = Cᵢ·cos(Ωᵢx + Φᵢ)',
  handWritten: "vector parameters (C, Ω, Φ: τ values each) and its own sin/cos in WGSL (WGSL's promise only 2⁻¹¹ absolute error); a formula reads one number per parameter",
  range: [-4, 4],
  params: [
    { name: 'C', default: C0, trainable: true, description: 'amplitudes' },
    { name: 'Omega', default: OMEGA0, trainable: true, description: 'frequencies' },
    { name: 'Phi', default: PHI0, trainable: true, description: 'phases' },
  ],
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
  },
  wgsl: {
    helpers: WGSL_HELPERS,
    f: `var s = 0.0;
for (var i = 0u; i < ${STAF_TERMS}u; i++) { s += p_C(i) * gs_staf_sin(p_Omega(i) * x + p_Phi(i)); }
return s;`,
    df: `var s = 0.0;
for (var i = 0u; i < ${STAF_TERMS}u; i++) { s += p_C(i) * p_Omega(i) * gs_staf_cos(p_Omega(i) * x + p_Phi(i)); }
return s;`,
    dparams: {
      C: 'return gs_staf_sin(p_Omega(i) * x + p_Phi(i));',
      Omega: 'return p_C(i) * x * gs_staf_cos(p_Omega(i) * x + p_Phi(i));',
      Phi: 'return p_C(i) * gs_staf_cos(p_Omega(i) * x + p_Phi(i));',
    },
  },
};
