// The WGSL functions an emitted formula calls, each with the ones it needs. WGSL's own
// built-ins cannot be trusted at the extremes (seen on SwiftShader: log(0) = -88,
// log(-1) = 0, exp(NaN) = +inf, tanh(100) = NaN, sign(NaN) = 0, max(NaN, x) = x, and
// `x != x` folded to false), so every helper checks NaN through its bits and handles
// the edges itself, giving what PyTorch gives: NaN in, NaN out; log(0) = -inf;
// max/min NaN if either is NaN. exp is range-reduced here (WGSL's is loose at large
// |x|); the other careful cores (series for small arguments, erf, tanh) are the
// built-in activations' own, from math.ts.
// Every name starts with gsx_ (or gs_ for math.ts's), so none clashes with a kernel's.

import { WGSL_ERF, WGSL_EXPM1, WGSL_LOG1P, WGSL_TANH } from '../builtin/math';

interface Helper {
  code: string;
  needs?: readonly string[];
}

const GUARD = 'if (gsx_is_nan(x)) { return x; }';

/** A unary helper: NaN returns NaN, anything else `body`. */
const guarded = (name: string, body: string, needs: string[] = []): Helper => ({
  code: `fn ${name}(x: f32) -> f32 { ${GUARD} ${body} }`,
  needs: ['gsx_is_nan', ...needs],
});

/** A comparison as a bool: false with a NaN operand, except != (true). */
const comparison = (name: string, op: string): Helper => ({
  code:
    op === '!='
      ? `fn ${name}(a: f32, b: f32) -> bool { return gsx_is_nan(a) || gsx_is_nan(b) || a != b; }`
      : `fn ${name}(a: f32, b: f32) -> bool { return !(gsx_is_nan(a) || gsx_is_nan(b)) && a ${op} b; }`,
  needs: ['gsx_is_nan'],
});

const HELPERS: Record<string, Helper> = {
  gsx_nan: { code: 'fn gsx_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }' },
  gsx_inf: { code: 'fn gsx_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }' },
  gsx_is_nan: { code: 'fn gsx_is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }' },
  gsx_is_finite: { code: 'fn gsx_is_finite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) < 0x7f800000u; }' },

  gs_log1p: { code: WGSL_LOG1P },
  gs_expm1: { code: WGSL_EXPM1 },
  gs_erf: { code: WGSL_ERF },
  gs_tanh: { code: WGSL_TANH },

  // WGSL promises exp only to 3 + 2|x| ulp (1e-5 relative near x = 88; SwiftShader's is
  // 2e-6 there). Here: exp(x) = 2^k·e^r with k = round(x/ln 2), r = x − k·ln 2 (ln 2 in
  // two parts, so k·0.693359375 is exact), e^r by Taylor to r^7 (error < 6e-9 for
  // |r| ≤ ln2/2): a few ulp for every x.
  gsx_exp: {
    code: `fn gsx_exp(x: f32) -> f32 {
  if (gsx_is_nan(x)) { return x; }
  if (x > 88.72284) { return gsx_inf(); }
  if (x < -103.972084) { return 0.0; }
  let k = round(x * 1.4426950408889634);
  let r = (x - k * 0.693359375) + k * 2.1219444005469057e-4;
  let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r / 5040.0))))));
  if (k > 127.0) { return ldexp(2.0 * p, 127); }
  return ldexp(p, i32(k));
}`,
    needs: ['gsx_is_nan', 'gsx_inf'],
  },
  gsx_log: {
    code: `fn gsx_log(x: f32) -> f32 {
  if (gsx_is_nan(x) || x < 0.0) { return gsx_nan(); }
  if (x == 0.0) { return -gsx_inf(); }
  return log(x);
}`,
    needs: ['gsx_is_nan', 'gsx_nan', 'gsx_inf'],
  },
  gsx_log1p: {
    code: `fn gsx_log1p(x: f32) -> f32 {
  if (gsx_is_nan(x) || x < -1.0) { return gsx_nan(); }
  if (x == -1.0) { return -gsx_inf(); }
  return gs_log1p(x);
}`,
    needs: ['gsx_is_nan', 'gsx_nan', 'gsx_inf', 'gs_log1p'],
  },
  gsx_expm1: guarded('gsx_expm1', 'if (abs(x) >= 0.5) { return gsx_exp(x) - 1.0; } return gs_expm1(x);', ['gsx_exp', 'gs_expm1']),
  gsx_sqrt: {
    code: 'fn gsx_sqrt(x: f32) -> f32 { if (gsx_is_nan(x) || x < 0.0) { return gsx_nan(); } return sqrt(x); }',
    needs: ['gsx_is_nan', 'gsx_nan'],
  },
  gsx_sign: guarded('gsx_sign', 'return sign(x);'),
  gsx_tanh: guarded('gsx_tanh', 'return gs_tanh(x);', ['gs_tanh']),
  // Never exponentiates a large positive number.
  gsx_sigmoid: guarded('gsx_sigmoid', 'if (x >= 0.0) { return 1.0 / (1.0 + gsx_exp(-x)); } let e = gsx_exp(x); return e / (1.0 + e);', ['gsx_exp']),
  // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), for the same reason.
  gsx_softplus: guarded('gsx_softplus', 'return max(x, 0.0) + gs_log1p(gsx_exp(-abs(x)));', ['gsx_exp', 'gs_log1p']),
  gsx_erf: guarded('gsx_erf', 'return gs_erf(x);', ['gs_erf']),
  gsx_max: {
    code: 'fn gsx_max(a: f32, b: f32) -> f32 { if (gsx_is_nan(a) || gsx_is_nan(b)) { return gsx_nan(); } return max(a, b); }',
    needs: ['gsx_is_nan', 'gsx_nan'],
  },
  gsx_min: {
    code: 'fn gsx_min(a: f32, b: f32) -> f32 { if (gsx_is_nan(a) || gsx_is_nan(b)) { return gsx_nan(); } return min(a, b); }',
    needs: ['gsx_is_nan', 'gsx_nan'],
  },

  // WGSL's sin/cos only promise an absolute error of 2⁻¹¹. As STAF does: reduce by 2π in
  // two parts (Cody–Waite: 6.28125 has few mantissa bits, so k·6.28125 is exact for
  // |a| < 5e5), fold into [−π/2, π/2], then the Taylor polynomial to r¹¹ (error < 6e-8).
  gsx_reduce_2pi: {
    code: `fn gsx_reduce_2pi(a: f32) -> f32 {
  let k = round(a * 0.15915494309189535);
  return (a - k * 6.28125) - k * 0.001935307179586232;
}`,
  },
  gsx_sin_folded: {
    code: `fn gsx_sin_folded(r: f32) -> f32 {
  let r2 = r * r;
  return r * (1.0 - r2 / 6.0 * (1.0 - r2 / 20.0 * (1.0 - r2 / 42.0 * (1.0 - r2 / 72.0 * (1.0 - r2 / 110.0)))));
}`,
  },
  gsx_sin: {
    code: `fn gsx_sin(a: f32) -> f32 {
  if (!gsx_is_finite(a)) { return gsx_nan(); }
  var r = gsx_reduce_2pi(a);
  if (r > 1.5707963267948966) { r = 3.141592653589793 - r; } else if (r < -1.5707963267948966) { r = -3.141592653589793 - r; }
  return gsx_sin_folded(r);
}`,
    needs: ['gsx_is_finite', 'gsx_nan', 'gsx_reduce_2pi', 'gsx_sin_folded'],
  },
  // cos(a) = sin(π/2 − |r|) with the reduced r: adding π/2 to a large a would round.
  gsx_cos: {
    code: `fn gsx_cos(a: f32) -> f32 {
  if (!gsx_is_finite(a)) { return gsx_nan(); }
  return gsx_sin_folded(1.5707963267948966 - abs(gsx_reduce_2pi(a)));
}`,
    needs: ['gsx_is_finite', 'gsx_nan', 'gsx_reduce_2pi', 'gsx_sin_folded'],
  },

  // a^b as torch.pow: b = 0 or a = 1 gives 1 (even with NaN), (−1)^±inf = 1, a negative
  // finite base needs an integer exponent (the sign from its parity), 0^negative = +inf,
  // (−inf)^0.5 = +inf. WGSL's pow(a, b) is undefined for a < 0.
  gsx_pow: {
    code: `fn gsx_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0) { return 1.0; }
  if (gsx_is_nan(a) || gsx_is_nan(b)) { return gsx_nan(); }
  let m = abs(a);
  if (m == 1.0 && !gsx_is_finite(b)) { return 1.0; }
  let integer = floor(b) == b;
  if (a < 0.0 && !integer && gsx_is_finite(a)) { return gsx_nan(); }
  var r = select(exp2(b * log2(m)), select(0.0, gsx_inf(), b < 0.0), m == 0.0);
  let odd = integer && abs(b) < 16777216.0 && b - 2.0 * floor(0.5 * b) == 1.0;
  return select(r, -r, a < 0.0 && odd);
}`,
    needs: ['gsx_is_nan', 'gsx_is_finite', 'gsx_nan', 'gsx_inf'],
  },
  // a^n for an integer literal n, by repeated squaring: exact to a few ulps where
  // exp2(n·log2|a|) loses digits, and right for negative a.
  gsx_powi: {
    code: `fn gsx_powi(a: f32, n: i32) -> f32 {
  var base = select(a, 1.0 / a, n < 0);
  var e = u32(abs(n));
  var r = 1.0;
  loop {
    if ((e & 1u) == 1u) { r = r * base; }
    e = e >> 1u;
    if (e == 0u) { break; }
    base = base * base;
  }
  return r;
}`,
  },

  gsx_lt: comparison('gsx_lt', '<'),
  gsx_le: comparison('gsx_le', '<='),
  gsx_gt: comparison('gsx_gt', '>'),
  gsx_ge: comparison('gsx_ge', '>='),
  gsx_eq: comparison('gsx_eq', '=='),
  gsx_ne: comparison('gsx_ne', '!='),
};

/** Whether a callee name is one of these helpers (else a WGSL built-in such as abs). */
export function isWgslHelper(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(HELPERS, name);
}

/** The WGSL text of the named helpers and everything they need, each once, dependencies first. */
export function wgslHelpers(names: Iterable<string>): string {
  const done = new Set<string>();
  const parts: string[] = [];
  const add = (name: string): void => {
    if (done.has(name)) return;
    done.add(name);
    const helper = HELPERS[name];
    if (!helper) throw new Error(`wgslHelpers: no helper named '${name}'`);
    helper.needs?.forEach(add);
    parts.push(helper.code.trim());
  };
  [...names].sort().forEach(add);
  return parts.join('\n');
}
