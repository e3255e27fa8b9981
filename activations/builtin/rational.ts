import type { ActivationGradients, ActivationParamValues, ActivationSpec } from '../../engine/activation-spec';

/**
 * Init: the (5, 4) safe Padé approximant of leaky_relu(0.01) on [−3, 3] (least-squares
 * fit, max error 0.03), the leaky-relu initialisation of Molina et al. Other degrees
 * start from these coefficients cut or padded with zeros (padding keeps the function).
 */
const NUMERATOR0 = [0.02980301, 0.6183871, 2.32235061, 3.04927199, 1.48342341, 0.2505673];
const DENOMINATOR0 = [1.14156502, 4.38921903, -0.87035552, -0.34655419];

function cutOrPad(values: readonly number[], length: number): number[] {
  return Array.from({ length }, (_, k) => values[k] ?? 0);
}

/** P(x) and Q(x) = 1 + Σₖ |bₖ||x|ᵏ by Horner: the forward's share of parts(), without an object per element. */
function quotient(x: number, p: ActivationParamValues): number {
  const a = p.numerator;
  const b = p.denominator;
  let P = 0;
  for (let k = a.length - 1; k >= 0; k--) P = P * x + a[k];
  const ax = Math.abs(x);
  let Q = 0;
  for (let k = b.length; k >= 1; k--) Q = Q * ax + Math.abs(b[k - 1]);
  return P / (1 + Q * ax);
}

/** P(x), P'(x), Q(x) = 1 + Σₖ |bₖ||x|ᵏ and Q'(x), by Horner where possible. */
function parts(x: number, p: ActivationParamValues) {
  const a = p.numerator;
  const b = p.denominator;
  let P = 0;
  let dP = 0;
  for (let k = a.length - 1; k >= 0; k--) {
    dP = dP * x + P;
    P = P * x + a[k];
  }
  const ax = Math.abs(x);
  let Q = 0;
  let dQ = 0;
  for (let k = b.length; k >= 1; k--) {
    dQ = dQ * ax + Q;
    Q = Q * ax + Math.abs(b[k - 1]);
  }
  // Q so far is Σ |bₖ||x|^(k−1); one more factor |x| and the leading 1.
  dQ = dQ * ax + Q;
  Q = 1 + Q * ax;
  return { P, dP, Q, dQ: Math.sign(x) * dQ };
}

export const rational: ActivationSpec = {
  name: 'rational',
  aliases: ['pau', 'Rational'],
  formula: 'P(x) / Q(x), P = Σₖ₌₀ᵐ aₖxᵏ, Q = 1 + Σₖ₌₁ⁿ |bₖ||x|ᵏ (safe Padé; m, n = 5, 4 unless sized), a and b trainable',
  reference: 'Molina, Schramowski & Kersting, "Padé Activation Units", ICLR 2020',
  convention:
    'degrees (5, 4) unless sized (numerator_degree, denominator_degree); init: Padé fit of leaky_relu(0.01) on [−3, 3] ' +
    '(other degrees: its coefficients cut or padded with zeros); ∂f/∂aₖ = xᵏ/Q, ∂f/∂bₖ = −f·sign(bₖ)|x|ᵏ/Q (sign(0) = 0); ' +
    "f' = (P' − f·Q')/Q, with Q'(0) = 0 at the kink of |x|",
  handWritten: 'vector parameters (the numerator and denominator coefficients); a formula reads one number per parameter',
  range: [-3, 3],
  params: [
    { name: 'numerator', default: NUMERATOR0, trainable: true, description: 'a₀..a₅' },
    { name: 'denominator', default: DENOMINATOR0, trainable: true, description: 'b₁..b₄' },
  ],
  options: [
    { name: 'numerator_degree', default: 5, integer: true, min: 0, sizes: [{ param: 'numerator', offset: 1 }], description: 'degree of P' },
    // At least one denominator coefficient: a WebGPU buffer cannot be empty.
    { name: 'denominator_degree', default: 4, integer: true, min: 1, sizes: [{ param: 'denominator' }], description: 'degree of Q' },
  ],
  initialValues: (s) => ({
    numerator: cutOrPad(NUMERATOR0, (s.numerator_degree as number) + 1),
    denominator: cutOrPad(DENOMINATOR0, s.denominator_degree as number),
  }),
  derivativeReadsOutput: false,
  kinks: () => [0],
  cpu: {
    // The same operations as parts() gives P and Q with, in the same order.
    f: quotient,
    backward: rationalBackward,
    df: (x, _y, p) => {
      const { P, dP, Q, dQ } = parts(x, p);
      return (dP - (P / Q) * dQ) / Q;
    },
    dparams: {
      numerator: (x, _y, p, _ch, i) => x ** i / parts(x, p).Q,
      denominator: (x, _y, p, _ch, i) => {
        const { P, Q } = parts(x, p);
        return (-(P / Q) * Math.sign(p.denominator[i]) * Math.abs(x) ** (i + 1)) / Q;
      },
    },
  },
  wgsl: {
    helpers: `
fn gs_rational_powi(x: f32, n: u32) -> f32 {
  var r = 1.0;
  for (var k = 0u; k < n; k++) { r *= x; }
  return r;
}
fn gs_rational_p(x: f32) -> f32 {
  var s = 0.0;
  for (var k = i32(p_len_numerator()) - 1i; k >= 0i; k--) { s = s * x + p_numerator(u32(k)); }
  return s;
}
fn gs_rational_dp(x: f32) -> f32 {
  var s = 0.0;
  for (var k = i32(p_len_numerator()) - 1i; k >= 1i; k--) { s = s * x + f32(k) * p_numerator(u32(k)); }
  return s;
}
fn gs_rational_q(x: f32) -> f32 {
  let ax = abs(x);
  var s = 0.0;
  for (var k = i32(p_len_denominator()); k >= 1i; k--) { s = s * ax + abs(p_denominator(u32(k - 1i))); }
  return 1.0 + s * ax;
}
fn gs_rational_dq(x: f32) -> f32 {
  let ax = abs(x);
  var s = 0.0;
  for (var k = i32(p_len_denominator()); k >= 1i; k--) { s = s * ax + f32(k) * abs(p_denominator(u32(k - 1i))); }
  return sign(x) * s;
}`,
    f: 'return gs_rational_p(x) / gs_rational_q(x);',
    df: 'let q = gs_rational_q(x); let f = gs_rational_p(x) / q; return (gs_rational_dp(x) - f * gs_rational_dq(x)) / q;',
    dparams: {
      numerator: 'return gs_rational_powi(x, i) / gs_rational_q(x);',
      denominator: 'let q = gs_rational_q(x); return -(gs_rational_p(x) / q) * sign(p_denominator(i)) * gs_rational_powi(abs(x), i + 1u) / q;',
    },
  },
};

/**
 * One element's f' and dy·∂f/∂θ for every coefficient, from one P, P', Q, Q' and the
 * powers of x: ∂f/∂aₖ = xᵏ/Q, ∂f/∂bₖ = −f·sign(bₖ)|x|ᵏ⁺¹/Q.
 */
function rationalBackward(x: number, _y: number, dy: number, p: ActivationParamValues, _ch: number, g: ActivationGradients): number {
  const { P, dP, Q, dQ } = parts(x, p);
  const f = P / Q;
  const a = g.numerator;
  const b = g.denominator;
  let power = 1;
  for (let k = 0; k < a.length; k++) {
    a[k] += dy * (power / Q);
    power *= x;
  }
  const ax = Math.abs(x);
  const b0 = p.denominator;
  let absPower = ax;
  for (let k = 0; k < b.length; k++) {
    b[k] += dy * ((-f * Math.sign(b0[k]) * absPower) / Q);
    absPower *= ax;
  }
  return (dP - f * dQ) / Q;
}
