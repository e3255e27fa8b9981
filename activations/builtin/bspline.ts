import type { ActivationParamValues, ActivationSpec } from '../../engine/activation-spec';
import { silu } from './silu';

/**
 * A cubic B-spline on a uniform knot grid over [LO, HI]: N control points, N − 3
 * segments of width H. Segment j (x in [LO + jH, LO + (j+1)H)) with local t ∈ [0, 1)
 * is Σₖ cⱼ₊ₖ·Bₖ(t) with the uniform cubic basis below. Outside [LO, HI] it continues
 * as the tangent line at the end, so f and f' stay finite and continuous for any x.
 */
export const BSPLINE_LO = -3;
export const BSPLINE_HI = 3;
export const BSPLINE_POINTS = 12;
const SEGMENTS = BSPLINE_POINTS - 3;
const H = (BSPLINE_HI - BSPLINE_LO) / SEGMENTS;

function basis(t: number, k: number): number {
  const s = 1 - t;
  if (k === 0) return (s * s * s) / 6;
  if (k === 1) return (3 * t * t * t - 6 * t * t + 4) / 6;
  if (k === 2) return (-3 * t * t * t + 3 * t * t + 3 * t + 1) / 6;
  return (t * t * t) / 6;
}

function dbasis(t: number, k: number): number {
  const s = 1 - t;
  if (k === 0) return (-s * s) / 2;
  if (k === 1) return (3 * t * t - 4 * t) / 2;
  if (k === 2) return (-3 * t * t + 2 * t + 1) / 2;
  return (t * t) / 2;
}

/**
 * Where x falls: inside, the segment j and local t; outside, the end it extends
 * (first control point index `base` of the end's three, and d = x − end).
 */
function locate(x: number): { inside: true; j: number; t: number } | { inside: false; base: number; d: number } {
  const u = (x - BSPLINE_LO) / H;
  if (u < 0) return { inside: false, base: 0, d: x - BSPLINE_LO };
  if (u >= SEGMENTS) return { inside: false, base: SEGMENTS, d: x - BSPLINE_HI };
  const j = Math.min(Math.floor(u), SEGMENTS - 1);
  return { inside: true, j, t: u - j };
}

// At an end (t = 0 of the first segment or t = 1 of the last), the three nonzero basis
// values are 1/6, 4/6, 1/6 and the derivatives −1/(2H), 0, 1/(2H).
function endWeights(d: number): [number, number, number] {
  return [1 / 6 - d / (2 * H), 4 / 6, 1 / 6 + d / (2 * H)];
}

function value(x: number, c: ArrayLike<number>): number {
  const at = locate(x);
  if (!at.inside) {
    const w = endWeights(at.d);
    return w[0] * c[at.base] + w[1] * c[at.base + 1] + w[2] * c[at.base + 2];
  }
  let s = 0;
  for (let k = 0; k < 4; k++) s += c[at.j + k] * basis(at.t, k);
  return s;
}

function derivative(x: number, c: ArrayLike<number>): number {
  const at = locate(x);
  if (!at.inside) return (c[at.base + 2] - c[at.base]) / (2 * H);
  let s = 0;
  for (let k = 0; k < 4; k++) s += c[at.j + k] * dbasis(at.t, k);
  return s / H;
}

function dpoint(x: number, i: number): number {
  // A NaN input has no place on the grid: its f, f′ and weights are all NaN.
  if (Number.isNaN(x)) return NaN;
  const at = locate(x);
  if (!at.inside) {
    const k = i - at.base;
    return k >= 0 && k < 3 ? endWeights(at.d)[k] : 0;
  }
  const k = i - at.j;
  return k >= 0 && k < 4 ? basis(at.t, k) : 0;
}

/** Init: control points at the Greville abscissae LO + (m − 1)H take silu's values there. */
const POINTS0 = Array.from({ length: BSPLINE_POINTS }, (_, m) => silu.cpu.f(BSPLINE_LO + (m - 1) * H, {}, 0));

const wgslConsts = `const gs_bspline_lo: f32 = ${BSPLINE_LO.toFixed(1)};
const gs_bspline_hi: f32 = ${BSPLINE_HI.toFixed(1)};
const gs_bspline_h: f32 = ${H};
const gs_bspline_segments: u32 = ${SEGMENTS}u;`;

export const bspline: ActivationSpec = {
  name: 'bspline',
  aliases: ['BSpline', 'b_spline'],
  formula: `Σₖ cⱼ₊ₖ·Bₖ(t): cubic B-spline, ${BSPLINE_POINTS} trainable control points on a uniform grid over [${BSPLINE_LO}, ${BSPLINE_HI}], linear beyond`,
  reference: 'de Boor, "A Practical Guide to Splines", 1978; learnable spline activations as in Bohra et al. 2020 and KAN (Liu et al., 2024)',
  convention:
    'cubic (C² inside the grid); outside [−3, 3] the tangent line at the end (C¹ there); ∂f/∂cᵢ = the basis weight of cᵢ at x; ' +
    'init: control points sample silu at the Greville abscissae, so the spline starts close to silu',
  handWritten: 'vector parameters (12 control points) and a piecewise evaluation by segment; a formula reads one number per parameter',
  range: [-4, 4],
  params: [{ name: 'points', default: POINTS0, trainable: true, description: 'control points c₀..c₁₁' }],
  cpu: {
    f: (x, p: ActivationParamValues) => value(x, p.points),
    df: (x, _y, p) => derivative(x, p.points),
    dparams: { points: (x, _y, _p, _ch, i) => dpoint(x, i) },
  },
  wgsl: {
    helpers: `${wgslConsts}
fn gs_bspline_basis(t: f32, k: u32) -> f32 {
  let s = 1.0 - t;
  switch k {
    case 0u: { return s * s * s / 6.0; }
    case 1u: { return (3.0 * t * t * t - 6.0 * t * t + 4.0) / 6.0; }
    case 2u: { return (-3.0 * t * t * t + 3.0 * t * t + 3.0 * t + 1.0) / 6.0; }
    default: { return t * t * t / 6.0; }
  }
}
fn gs_bspline_dbasis(t: f32, k: u32) -> f32 {
  let s = 1.0 - t;
  switch k {
    case 0u: { return -s * s / 2.0; }
    case 1u: { return (3.0 * t * t - 4.0 * t) / 2.0; }
    case 2u: { return (-3.0 * t * t + 2.0 * t + 1.0) / 2.0; }
    default: { return t * t / 2.0; }
  }
}
// Outside the grid: index of the first of the end's three points, else the segment.
fn gs_bspline_end_base(x: f32) -> u32 {
  return select(0u, gs_bspline_segments, x >= gs_bspline_hi);
}
fn gs_bspline_end_offset(x: f32) -> f32 {
  return select(x - gs_bspline_lo, x - gs_bspline_hi, x >= gs_bspline_hi);
}
fn gs_bspline_end_weight(d: f32, k: u32) -> f32 {
  switch k {
    case 0u: { return 1.0 / 6.0 - d / (2.0 * gs_bspline_h); }
    case 1u: { return 4.0 / 6.0; }
    default: { return 1.0 / 6.0 + d / (2.0 * gs_bspline_h); }
  }
}
fn gs_bspline_inside(x: f32) -> bool {
  return x >= gs_bspline_lo && x < gs_bspline_hi;
}
fn gs_bspline_segment(x: f32) -> u32 {
  return min(u32(floor((x - gs_bspline_lo) / gs_bspline_h)), gs_bspline_segments - 1u);
}
fn gs_bspline_local_t(x: f32, j: u32) -> f32 {
  return (x - gs_bspline_lo) / gs_bspline_h - f32(j);
}`,
    f: `if (!gs_bspline_inside(x)) {
  let b = gs_bspline_end_base(x);
  let d = gs_bspline_end_offset(x);
  var s = 0.0;
  for (var k = 0u; k < 3u; k++) { s += gs_bspline_end_weight(d, k) * p_points(b + k); }
  return s;
}
let j = gs_bspline_segment(x);
let t = gs_bspline_local_t(x, j);
var s = 0.0;
for (var k = 0u; k < 4u; k++) { s += p_points(j + k) * gs_bspline_basis(t, k); }
return s;`,
    df: `if (gs_is_nan(x)) { return x; }
if (!gs_bspline_inside(x)) {
  let b = gs_bspline_end_base(x);
  return (p_points(b + 2u) - p_points(b)) / (2.0 * gs_bspline_h);
}
let j = gs_bspline_segment(x);
let t = gs_bspline_local_t(x, j);
var s = 0.0;
for (var k = 0u; k < 4u; k++) { s += p_points(j + k) * gs_bspline_dbasis(t, k); }
return s / gs_bspline_h;`,
    dparams: {
      points: `if (gs_is_nan(x)) { return x; }
if (!gs_bspline_inside(x)) {
  let b = gs_bspline_end_base(x);
  if (i < b || i > b + 2u) { return 0.0; }
  return gs_bspline_end_weight(gs_bspline_end_offset(x), i - b);
}
let j = gs_bspline_segment(x);
if (i < j || i > j + 3u) { return 0.0; }
return gs_bspline_basis(gs_bspline_local_t(x, j), i - j);`,
    },
  },
};
