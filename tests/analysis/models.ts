// Small models and data for the analysis tests, built from Sequential directly.
import * as gs from '../../index';

export function mlp(sizes: number[], act: string, seed: number, init?: string): gs.nn.Sequential {
  const layers: gs.nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new gs.nn.Linear(sizes[i], sizes[i + 1], { seed: seed + i, ...(init ? { init } : {}) }));
    if (i + 2 < sizes.length) layers.push(gs.activation(act));
  }
  return new gs.nn.Sequential(...layers);
}

/** n samples of `features` standard-normal inputs with labels in [0, classes). */
export function batch(n: number, features: number, classes: number, seed: number): { x: gs.Tensor; y: number[] } {
  const x = gs.randn([n, features], { seed });
  const y = Array.from({ length: n }, (_, i) => (i * 7 + seed) % classes);
  return { x, y };
}

export const crossEntropy = (out: gs.Tensor, y: number[]) => gs.losses.crossEntropy(out, y);

/** Population mean, std, L2, min and max of an array, in float64. */
export function reference(values: ArrayLike<number>) {
  let sum = 0;
  let sumSq = 0;
  let sumAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    sum += v;
    sumSq += v * v;
    sumAbs += Math.abs(v);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length), meanAbs: sumAbs / values.length, l2: Math.sqrt(sumSq), min, max };
}

/** A user's activation with one trainable parameter, independent of the built-ins: x if x > 0, else a·x. */
export const slopeSpec: gs.ActivationSpec = {
  name: 'analysis_test_slope',
  formula: 'x if x > 0, else a·x',
  range: [-3, 3],
  params: [{ name: 'a', default: 0.25, trainable: true }],
  kinks: () => [0],
  cpu: {
    f: (x, p) => (x > 0 ? x : p.a[0] * x),
    df: (x, _y, p) => (x > 0 ? 1 : p.a[0]),
    dparams: { a: (x) => (x > 0 ? 0 : x) },
  },
  wgsl: {
    f: 'return select(p_a(0u) * x, x, x > 0.0);',
    df: 'return select(p_a(0u), 1.0, x > 0.0);',
    dparams: { a: 'return select(x, 0.0, x > 0.0);' },
  },
};
