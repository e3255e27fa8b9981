import type { ActivationGradients, ActivationParamValues, ActivationSettings, ActivationSpec } from '../../engine/activation-spec';
import { silu } from './silu';

/**
 * A cubic B-spline on a uniform knot grid over [lo, hi]: N control points, N − 3
 * segments of width h = (hi − lo)/(N − 3). Segment j (x in [lo + jh, lo + (j+1)h)) with
 * local t ∈ [0, 1) is Σₖ cⱼ₊ₖ·Bₖ(t) with the uniform cubic basis below. Outside [lo, hi]
 * it continues as the tangent line at the end, so f and f' stay finite and continuous
 * for any x. N is the number of control points (12 unless sized: control_points), lo
 * and hi are fixed parameters (−3 and 3 unless given).
 */
export const BSPLINE_LO = -3;
export const BSPLINE_HI = 3;
export const BSPLINE_POINTS = 12;

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
 * Where x falls, as locate() last found it (one record reused, so the CPU loops make no
 * object per element). Inside the grid: index = the segment j, t = the local t ∈ [0, 1).
 * Outside: index = the first of the end's three control points, t = d = x − the end.
 * h = the segment width.
 */
const at = { inside: false, index: 0, t: 0, h: 1 };

function locate(x: number, p: ActivationParamValues): void {
  const lo = p.lo[0];
  const hi = p.hi[0];
  const segments = p.points.length - 3;
  const h = (hi - lo) / segments;
  at.h = h;
  const u = (x - lo) / h;
  if (u < 0 || u >= segments) {
    at.inside = false;
    at.index = u < 0 ? 0 : segments;
    at.t = u < 0 ? x - lo : x - hi;
    return;
  }
  // An integer index keeps the control points' reads and writes on the fast path (a NaN u lands at 0, t NaN).
  const j = Math.min(Math.floor(u), segments - 1) | 0;
  at.inside = true;
  at.index = j;
  at.t = u - j;
}

// At an end (t = 0 of the first segment or t = 1 of the last), the three nonzero basis
// values are 1/6, 4/6, 1/6 and the derivatives −1/(2h), 0, 1/(2h).
function endWeight(d: number, h: number, k: number): number {
  return k === 0 ? 1 / 6 - d / (2 * h) : k === 1 ? 4 / 6 : 1 / 6 + d / (2 * h);
}

function value(x: number, p: ActivationParamValues): number {
  const c = p.points;
  locate(x, p);
  let s = 0;
  if (!at.inside) {
    for (let k = 0; k < 3; k++) s += endWeight(at.t, at.h, k) * c[at.index + k];
    return s;
  }
  for (let k = 0; k < 4; k++) s += c[at.index + k] * basis(at.t, k);
  return s;
}

/** f' at the place locate() last found. */
function derivativeAt(c: ArrayLike<number>): number {
  if (!at.inside) return (c[at.index + 2] - c[at.index]) / (2 * at.h);
  let s = 0;
  for (let k = 0; k < 4; k++) s += c[at.index + k] * dbasis(at.t, k);
  return s / at.h;
}

function derivative(x: number, p: ActivationParamValues): number {
  locate(x, p);
  return derivativeAt(p.points);
}

function dpoint(x: number, p: ActivationParamValues, i: number): number {
  // A NaN input has no place on the grid: its f, f′ and weights are all NaN.
  if (Number.isNaN(x)) return NaN;
  locate(x, p);
  const k = i - at.index;
  if (!at.inside) return k >= 0 && k < 3 ? endWeight(at.t, at.h, k) : 0;
  return k >= 0 && k < 4 ? basis(at.t, k) : 0;
}

/** One element's f' and dy·∂f/∂cᵢ for the three or four control points it reaches (a NaN x: NaN for all). */
function bsplineBackward(x: number, _y: number, dy: number, p: ActivationParamValues, _ch: number, grads: ActivationGradients): number {
  const gp = grads.points;
  if (Number.isNaN(x)) {
    for (let i = 0; i < gp.length; i++) gp[i] += dy * NaN;
    return NaN;
  }
  locate(x, p);
  if (!at.inside) {
    for (let k = 0; k < 3; k++) gp[at.index + k] += dy * endWeight(at.t, at.h, k);
  } else {
    for (let k = 0; k < 4; k++) gp[at.index + k] += dy * basis(at.t, k);
  }
  return derivativeAt(p.points);
}

/** Init: N control points at the Greville abscissae lo + (m − 1)h take silu's values there. */
function siluPoints(s: ActivationSettings): Record<string, number[]> {
  const lo = s.lo as number;
  const hi = s.hi as number;
  const count = s.control_points as number;
  if (!(lo < hi)) throw new Error(`activation 'bspline': lo (${lo}) must be below hi (${hi})`);
  const h = (hi - lo) / (count - 3);
  return { points: Array.from({ length: count }, (_, m) => silu.cpu.f(lo + (m - 1) * h, {}, 0)) };
}

const POINTS0 = siluPoints({ lo: BSPLINE_LO, hi: BSPLINE_HI, control_points: BSPLINE_POINTS }).points;

const wgslGrid = `fn gs_bspline_lo() -> f32 { return p_lo(0u); }
fn gs_bspline_hi() -> f32 { return p_hi(0u); }
fn gs_bspline_segments() -> u32 { return p_len_points() - 3u; }
fn gs_bspline_h() -> f32 { return (gs_bspline_hi() - gs_bspline_lo()) / f32(gs_bspline_segments()); }`;

export const bspline: ActivationSpec = {
  name: 'bspline',
  aliases: ['BSpline', 'b_spline'],
  formula: `Σₖ cⱼ₊ₖ·Bₖ(t): cubic B-spline, N trainable control points (${BSPLINE_POINTS} unless sized) on a uniform grid over [lo, hi] ([${BSPLINE_LO}, ${BSPLINE_HI}] unless given), linear beyond`,
  reference: 'de Boor, "A Practical Guide to Splines", 1978; learnable spline activations as in Bohra et al. 2020 and KAN (Liu et al., 2024)',
  convention:
    'cubic (C² inside the grid); outside [lo, hi] the tangent line at the end (C¹ there); ∂f/∂cᵢ = the basis weight of cᵢ at x; ' +
    'init: control points sample silu at the Greville abscissae, so the spline starts close to silu',
  handWritten: 'vector parameters (the control points) and a piecewise evaluation by segment; a formula reads one number per parameter',
  range: [-4, 4],
  params: [
    { name: 'points', default: POINTS0, trainable: true, description: 'control points c₀..c_(N−1)' },
    { name: 'lo', default: BSPLINE_LO, description: 'start of the knot grid' },
    { name: 'hi', default: BSPLINE_HI, description: 'end of the knot grid' },
  ],
  options: [{ name: 'control_points', default: BSPLINE_POINTS, integer: true, min: 4, sizes: [{ param: 'points' }], description: 'number of control points N' }],
  initialValues: siluPoints,
  derivativeReadsOutput: false,
  cpu: {
    f: (x, p) => value(x, p),
    df: (x, _y, p) => derivative(x, p),
    dparams: { points: (x, _y, p, _ch, i) => dpoint(x, p, i) },
    backward: bsplineBackward,
  },
  wgsl: {
    helpers: `${wgslGrid}
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
  return select(0u, gs_bspline_segments(), x >= gs_bspline_hi());
}
fn gs_bspline_end_offset(x: f32) -> f32 {
  return select(x - gs_bspline_lo(), x - gs_bspline_hi(), x >= gs_bspline_hi());
}
fn gs_bspline_end_weight(d: f32, k: u32) -> f32 {
  switch k {
    case 0u: { return 1.0 / 6.0 - d / (2.0 * gs_bspline_h()); }
    case 1u: { return 4.0 / 6.0; }
    default: { return 1.0 / 6.0 + d / (2.0 * gs_bspline_h()); }
  }
}
fn gs_bspline_inside(x: f32) -> bool {
  return x >= gs_bspline_lo() && x < gs_bspline_hi();
}
fn gs_bspline_segment(x: f32) -> u32 {
  return min(u32(floor((x - gs_bspline_lo()) / gs_bspline_h())), gs_bspline_segments() - 1u);
}
fn gs_bspline_local_t(x: f32, j: u32) -> f32 {
  return (x - gs_bspline_lo()) / gs_bspline_h() - f32(j);
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
  return (p_points(b + 2u) - p_points(b)) / (2.0 * gs_bspline_h());
}
let j = gs_bspline_segment(x);
let t = gs_bspline_local_t(x, j);
var s = 0.0;
for (var k = 0u; k < 4u; k++) { s += p_points(j + k) * gs_bspline_dbasis(t, k); }
return s / gs_bspline_h();`,
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
