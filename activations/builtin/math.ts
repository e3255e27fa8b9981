// Numerically careful building blocks shared by several activation specs, each in
// TypeScript (CPU path, evaluated in float64 and rounded to float32 on store) and in
// WGSL (float32 all the way). WGSL has no log1p, expm1 or erf, so they are written
// here with the classic accuracy tricks. Specs paste the WGSL they need into their
// `helpers`; every name starts with `gs_` so it cannot clash with a spec's own.

/** σ(x) without overflow: never exponentiates a large positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** The series of Numerical Recipes' erfc fit ("erfcc"): erfc(a) = t·exp(−a² − 1.26551223 + series(t)), t = 1/(1 + a/2), a ≥ 0. */
function erfcFitSeries(t: number): number {
  return t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
}

/**
 * erfc(z) from r = erfc(|z|): r for z ≥ 0 (nonNegative = 1), 2 − r below (0), chosen by
 * arithmetic (exact: r is finite): the sign of a layer's pre-activations is random, and a
 * mispredicted branch per element costs more than the polynomial.
 */
function reflectErfc(r: number, nonNegative: number): number {
  return nonNegative * r + (1 - nonNegative) * (2 - r);
}

/**
 * erfc(z) with relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev
 * fit, "erfcc"): accurate in the far tail, where 1 − erf(z) would cancel to 0.
 */
export function erfc(z: number): number {
  const a = Math.abs(z);
  const t = 1 / (1 + 0.5 * a);
  return reflectErfc(t * Math.exp(-a * a - 1.26551223 + erfcFitSeries(t)), +(z >= 0));
}

/** erf(z): a Taylor series near 0 (keeps relative accuracy for tiny z), 1 − erfc beyond. */
export function erf(z: number): number {
  const a = Math.abs(z);
  if (a < 0.5) {
    const z2 = z * z;
    // 2/√π · (z − z³/3 + z⁵/10 − z⁷/42 + z⁹/216 − z¹¹/1320); next term < 3e-8 relative at 0.5.
    return 1.1283791670955126 * z * (1 - z2 * (1 / 3 - z2 * (1 / 10 - z2 * (1 / 42 - z2 * (1 / 216 - z2 / 1320)))));
  }
  const r = 1 - erfc(a);
  return z >= 0 ? r : -r;
}

/** Φ(x), the standard normal CDF, accurate in both tails: ½·erfc(−x/√2). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/** φ(x), the standard normal density; 0 (not NaN) for huge |x|. */
export function normalPdf(x: number): number {
  return 0.3989422804014327 * Math.exp(-0.5 * x * x);
}

/**
 * Φ(x), with φ(x) written to density[0], from ONE exponential: for the float32 GELU loops,
 * which need both (f' = Φ + x·φ) and spent most of their time in exp. The same erfc fit
 * as erfc() above, t·exp(−a² + q(t)), split as exp(−a²)·exp(q): exp(−a²) = exp(−x²/2) is
 * shared with φ, and q(t) lies in [−1.2656, 0] for every a ≥ 0 (0 at a = 0), where exp is
 * a degree-9 Taylor polynomial around the midpoint, relative error below 4e-9: the result
 * agrees with normalCdf and normalPdf far inside float32 rounding. No branch on the sign
 * of x (chosen by arithmetic, as erfc); NaN and ±∞ give what normalCdf and normalPdf give.
 */
export function normalCdfAndPdf(x: number, density: Float64Array): number {
  const a = Math.abs(x) * Math.SQRT1_2;
  const t = 1 / (1 + 0.5 * a);
  const e = Math.exp(-a * a);
  density[0] = 0.3989422804014327 * e;
  const q = -1.26551223 + erfcFitSeries(t);
  const u = q + 0.6327561;
  // exp(q) = e^−0.6327561 · Σ uᵏ/k!, k ≤ 9 (|u| ≤ 0.633: the next term is below 3e-9).
  const expQ = 0.531125945693953 * (1 + u * (1 + u * (1 / 2 + u * (1 / 6 + u * (1 / 24 + u * (1 / 120 + u * (1 / 720 + u * (1 / 5040 + u * (1 / 40320 + u / 362880)))))))));
  // Φ(x) = ½·erfc(−x/√2), and −x/√2 ≥ 0 when x ≤ 0.
  return 0.5 * reflectErfc(t * e * expQ, +(x <= 0));
}

/**
 * sin(a), with cos(a) written to cos[0], accurate to float32 (error below 3e-8 absolute)
 * for the CPU loops that store float32 anyway, and several times faster than Math.sin and
 * Math.cos: reduce by π/2 in two parts (Cody–Waite: k·P1 is exact for |k| < 2²⁰), Taylor
 * polynomials on [−π/4, π/4] (sin to r⁹, cos to r⁸), then the quadrant's signs and swap
 * from a table instead of a branch. Beyond |a| = 10⁶ the reduction would lose bits: Math.
 * NaN and ±∞ give NaN, as Math.sin.
 */
export function sinCos(a: number, cos: Float64Array): number {
  if (!(Math.abs(a) < 1e6)) {
    cos[0] = Math.cos(a);
    return Math.sin(a);
  }
  const k = Math.round(a * 0.6366197723675814);
  const r = a - k * 1.5707963267341256 - k * 6.077100506506192e-11;
  const r2 = r * r;
  const s = r + r * r2 * (-1 / 6 + r2 * (1 / 120 + r2 * (-1 / 5040 + r2 / 362880)));
  const c = 1 + r2 * (-0.5 + r2 * (1 / 24 + r2 * (-1 / 720 + r2 / 40320)));
  const q = k & 3;
  const sinS = QUADRANT_SIN_S[q];
  const sinC = QUADRANT_SIN_C[q];
  cos[0] = c * sinS - s * sinC;
  return s * sinS + c * sinC;
}

// sin(a) = s·SIN_S[q] + c·SIN_C[q] and cos(a) = c·SIN_S[q] − s·SIN_C[q] for a = kπ/2 + r,
// q = k mod 4, s = sin r, c = cos r.
const QUADRANT_SIN_S = new Float64Array([1, 0, -1, 0]);
const QUADRANT_SIN_C = new Float64Array([0, 1, 0, -1]);

// --- WGSL ------------------------------------------------------------------------------

export const WGSL_SIGMOID = `
fn gs_sigmoid(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}`;

// WGSL's log is only promised to an absolute 2⁻²¹ near 1, so the Goldberg/Kahan tricks
// (which divide by log(1 + x)) lose everything for tiny x there (seen: 2% error in
// expm1(−1e-6) on SwiftShader). Small arguments use series instead.

/** log1p: 2·atanh(s), s = x/(2 + x), as a series for |x| < 0.5; log(1 + x) beyond. */
export const WGSL_LOG1P = `
fn gs_log1p(x: f32) -> f32 {
  if (abs(x) >= 0.5) { return log(1.0 + x); }
  let s = x / (2.0 + x);
  let s2 = s * s;
  return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 / 13.0))))));
}`;

/** expm1: Taylor to x⁹ for |x| < 0.5 (error < 1e-9 relative), exp(x) − 1 beyond. */
export const WGSL_EXPM1 = `
fn gs_expm1(x: f32) -> f32 {
  if (abs(x) >= 0.5) { return exp(x) - 1.0; }
  return x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 + x / 6.0 * (1.0 + x / 7.0 * (1.0 + x / 8.0 * (1.0 + x / 9.0))))))));
}`;

export const WGSL_SOFTPLUS = `${WGSL_LOG1P}
fn gs_softplus(x: f32) -> f32 {
  return gs_max(x, 0.0) + gs_log1p(exp(-abs(x)));
}`;

export const WGSL_ERF = `
fn gs_erfc(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-a * a + poly);
  return select(2.0 - r, r, z >= 0.0);
}
fn gs_erf(z: f32) -> f32 {
  let a = abs(z);
  if (a < 0.5) {
    let z2 = z * z;
    return 1.1283791670955126 * z * (1.0 - z2 * (1.0 / 3.0 - z2 * (0.1 - z2 * (1.0 / 42.0 - z2 * (1.0 / 216.0 - z2 / 1320.0)))));
  }
  let r = 1.0 - gs_erfc(a);
  return select(-r, r, z >= 0.0);
}
fn gs_normal_cdf(x: f32) -> f32 { return 0.5 * gs_erfc(-x * 0.70710678118654752); }
fn gs_normal_pdf(x: f32) -> f32 { return 0.3989422804014327 * exp(-0.5 * x * x); }`;

/**
 * tanh that is accurate everywhere: some WGSL tanh implementations return NaN for large
 * arguments and 0 for tiny ones (SwiftShader: tanh(148) = NaN, tanh(2e-9) = 0). A series
 * below 0.125 (next term < 2e-9 relative), 1 − 2/(e^(2|x|) + 1) above, sign restored;
 * NaN stays NaN (min(NaN, 15) would not).
 */
export const WGSL_TANH = `
fn gs_tanh(x: f32) -> f32 {
  if (gs_is_nan(x)) { return x; }
  let a = abs(x);
  if (a < 0.125) {
    let a2 = a * a;
    return x * (1.0 - a2 * (1.0 / 3.0 - a2 * (2.0 / 15.0 - a2 * 17.0 / 315.0)));
  }
  let t = 1.0 - 2.0 / (exp(2.0 * min(a, 15.0)) + 1.0);
  return select(-t, t, x >= 0.0);
}`;
