// Independent float64 reference values for the built-in activations: textbook
// formulas (not the specs' stable forms), erf by its Maclaurin series, PyTorch's
// conventions at kinks written out by hand. Used to check f and f' on both backends.

/** erf by its Maclaurin series (converges fast for |z| ≤ 6; ±1 to float64 beyond). */
export function erfSeries(z: number): number {
  if (Math.abs(z) > 6) return Math.sign(z);
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * erfc(z) for z ≥ 2 by its continued fraction (Laplace), evaluated from the tail:
 * erfc z = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))). Keeps relative accuracy
 * where 1 − erf(z) would cancel.
 */
export function erfcContinuedFraction(z: number): number {
  let t = z;
  for (let k = 120; k >= 1; k--) t = z + k / 2 / t;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / t;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const Phi = (x: number) => (x < -2 * Math.SQRT2 ? 0.5 * erfcContinuedFraction(-x / Math.SQRT2) : 0.5 * (1 + erfSeries(x / Math.SQRT2)));
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const LAMBDA = 1.0507009873554805;
const ALPHA = 1.6732632423543772;
const RRELU_MEAN = (1 / 8 + 1 / 3) / 2;

export interface Reference {
  f: (x: number) => number;
  df: (x: number) => number;
}

const leaky = (a: number): Reference => ({ f: (x) => (x > 0 ? x : a * x), df: (x) => (x > 0 ? 1 : a) });
const eluRef = (a: number): Reference => ({ f: (x) => (x > 0 ? x : a * (Math.exp(x) - 1)), df: (x) => (x > 0 ? 1 : a * Math.exp(x)) });
const siluRef: Reference = { f: (x) => x * sig(x), df: (x) => sig(x) * (1 + x * (1 - sig(x))) };
const sigmoidRef: Reference = { f: sig, df: (x) => sig(x) * (1 - sig(x)) };
const c = Math.sqrt(2 / Math.PI);

// STAF's documented init: Cᵢ = 2(−1)^(i+1)/i, Ωᵢ = i, Φᵢ = 0, i = 1..5.
const stafC = (i: number) => (2 * (i % 2 === 1 ? 1 : -1)) / i;

export const REFERENCES: Record<string, Reference> = {
  step: { f: (x) => (x > 0 ? 1 : 0), df: () => 0 },
  identity: { f: (x) => x, df: () => 1 },
  sigmoid: sigmoidRef,
  tanh: { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
  softsign: { f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2 },
  relu: { f: (x) => Math.max(0, x), df: (x) => (x > 0 ? 1 : 0) },
  relu6: { f: (x) => Math.min(6, Math.max(0, x)), df: (x) => (x > 0 && x < 6 ? 1 : 0) },
  leaky_relu: leaky(0.01),
  elu: eluRef(1),
  selu: { f: (x) => LAMBDA * (x > 0 ? x : ALPHA * (Math.exp(x) - 1)), df: (x) => LAMBDA * (x > 0 ? 1 : ALPHA * Math.exp(x)) },
  celu: eluRef(1),
  gelu: { f: (x) => x * Phi(x), df: (x) => Phi(x) + x * phi(x) },
  gelu_tanh: {
    f: (x) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3))),
    df: (x) => {
      const t = Math.tanh(c * (x + 0.044715 * x ** 3));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    },
  },
  silu: siluRef,
  swish: siluRef,
  mish: {
    f: (x) => x * Math.tanh(Math.log1p(Math.exp(x))),
    df: (x) => {
      const t = Math.tanh(Math.log1p(Math.exp(x)));
      return t + x * (1 - t * t) * sig(x);
    },
  },
  hardswish: { f: (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6, df: (x) => (x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1) },
  hardsigmoid: { f: (x) => Math.min(6, Math.max(0, x + 3)) / 6, df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0) },
  softplus: { f: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))), df: (x) => (x > 20 ? 1 : sig(x)) },
  prelu: leaky(0.25),
  swish_trainable: siluRef,
  telu: {
    f: (x) => x * Math.tanh(Math.exp(x)),
    // For x > 20 the correction x·eˣ·sech²(eˣ) < 1e-300: f' is 1 to float64.
    df: (x) => (x > 20 ? 1 : Math.tanh(Math.exp(x)) + x * Math.exp(x) * (1 - Math.tanh(Math.exp(x)) ** 2)),
  },
  trainable_elu: eluRef(1),
  staf: {
    f: (x) => [1, 2, 3, 4, 5].reduce((s, i) => s + stafC(i) * Math.sin(i * x), 0),
    df: (x) => [1, 2, 3, 4, 5].reduce((s, i) => s + stafC(i) * i * Math.cos(i * x), 0),
  },
  adaptive_sigmoid: sigmoidRef,
  rrelu: leaky(RRELU_MEAN),
};
