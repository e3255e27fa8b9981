import { describe, expect, test } from 'vitest';
import * as gs from '../../index';
import { initValues, TRUNCATED_NORMAL_STD_CORRECTION } from '../../nn/init';
import { Random } from '../../engine/random';

function stats(v: Float32Array) {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    s += x;
    s2 += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

const N = 1000;
const ctx = { fanIn: N, fanOut: N, kind: 'weight' as const };
const uniformCases: [string, number][] = [
  ['random_uniform', 0.05],
  ['glorot_uniform', Math.sqrt(6 / (2 * N))],
  ['he_uniform', Math.sqrt(6 / N)],
  ['lecun_uniform', Math.sqrt(3 / N)],
  ['pytorch_default', 1 / Math.sqrt(N)],
];
const truncatedCases: [string, number][] = [
  ['glorot_normal', 2 / (2 * N)],
  ['he_normal', 2 / N],
  ['lecun_normal', 1 / N],
];

describe('initializers: a 1000×1000 draw matches the theoretical mean, std, min and max', () => {
  test.each(uniformCases)('%s: U(±%f)', (name, bound) => {
    const s = stats(initValues(name, [N, N], ctx, 1));
    const std = bound / Math.sqrt(3);
    expect(Math.abs(s.mean)).toBeLessThan((5 * std) / N);
    expect(s.std / std).toBeCloseTo(1, 2);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeLessThan(-bound * 0.999);
    expect(s.max).toBeGreaterThan(bound * 0.999);
  });

  test.each(truncatedCases)('%s: truncated normal with variance %f, cut at 2σ', (name, variance) => {
    const s = stats(initValues(name, [N, N], ctx, 2));
    const sigma = Math.sqrt(variance) / TRUNCATED_NORMAL_STD_CORRECTION;
    // The cut normal's std is σ · 0.8796…, i.e. √variance exactly as Keras intends.
    expect(Math.abs(s.mean)).toBeLessThan((5 * Math.sqrt(variance)) / N);
    expect(s.std / Math.sqrt(variance)).toBeCloseTo(1, 2);
    expect(s.min).toBeGreaterThanOrEqual(-2 * sigma * (1 + 1e-6));
    expect(s.max).toBeLessThanOrEqual(2 * sigma * (1 + 1e-6));
    expect(s.max).toBeGreaterThan(2 * sigma * 0.999);
    expect(s.min).toBeLessThan(-2 * sigma * 0.999);
  });

  test('random_normal: N(0, 0.05²), not truncated (Keras RandomNormal)', () => {
    const s = stats(initValues('random_normal', [N, N], ctx, 3));
    expect(Math.abs(s.mean)).toBeLessThan((5 * 0.05) / N);
    expect(s.std / 0.05).toBeCloseTo(1, 2);
    // The extremes of 10⁶ normal draws lie near ±4.9σ; beyond 2σ proves no truncation.
    expect(s.max / 0.05).toBeGreaterThan(4.2);
    expect(s.max / 0.05).toBeLessThan(6);
    expect(s.min / 0.05).toBeLessThan(-4.2);
  });

  test('zeros and ones are exact', () => {
    expect(stats(initValues('zeros', [N, N], ctx, 1))).toEqual({ mean: 0, std: 0, min: 0, max: 0 });
    expect(stats(initValues('ones', [N, N], ctx, 1))).toEqual({ mean: 1, std: 0, min: 1, max: 1 });
  });

  test('orthogonal: rows (or columns) orthonormal; entries with mean 0 and std 1/√n', () => {
    for (const [rows, cols] of [[96, 160], [160, 96]]) {
      const w = initValues('orthogonal', [rows, cols], { fanIn: cols, fanOut: rows, kind: 'weight' }, 4);
      const k = Math.min(rows, cols);
      const vec = (i: number, t: number) => (rows <= cols ? w[i * cols + t] : w[t * cols + i]);
      let worst = 0;
      for (let i = 0; i < k; i++) {
        for (let j = i; j < k; j++) {
          let dot = 0;
          for (let t = 0; t < Math.max(rows, cols); t++) dot += vec(i, t) * vec(j, t);
          worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
        }
      }
      expect(worst).toBeLessThan(1e-5);
      const s = stats(w);
      expect(s.std * Math.sqrt(Math.max(rows, cols))).toBeCloseTo(1, 1);
      expect(Math.abs(s.mean)).toBeLessThan(0.01);
    }
  });

  test('orthogonal 1000×1000: orthonormal rows; mean 0, std 1/√1000, |w| ≤ 1', () => {
    const w = initValues('orthogonal', [N, N], ctx, 6);
    const s = stats(w);
    expect(Math.abs(s.mean)).toBeLessThan(5 / N / Math.sqrt(N));
    expect(s.std * Math.sqrt(N)).toBeCloseTo(1, 3);
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(1);
    // Row pairs (a sample; all 500,500 dot products would dominate the test's time).
    const rng = new Random(1);
    for (let trial = 0; trial < 200; trial++) {
      const i = rng.int(N);
      const j = trial % 2 ? i : rng.int(N);
      let dot = 0;
      for (let t = 0; t < N; t++) dot += w[i * N + t] * w[j * N + t];
      expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
    }
  });

  test('seeded: same seed same values; unknown names list the valid ones', () => {
    expect(initValues('he_normal', [10, 10], ctx, 5)).toEqual(initValues('he_normal', [10, 10], ctx, 5));
    expect(initValues('he_normal', [10, 10], ctx, 5)).not.toEqual(initValues('he_normal', [10, 10], ctx, 6));
    expect(() => initValues('kaiming', [2], ctx, 1)).toThrow(/unknown initializer 'kaiming' \(valid: .*he_uniform/);
  });

  test('Linear uses the initializer with its fans; non-default inits get zero biases', async () => {
    const layer = new gs.nn.Linear(400, 30, { init: 'glorot_uniform', seed: 3 });
    const w = await layer.weight.toArray();
    const bound = Math.sqrt(6 / 430);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound * 0.99);
    expect(Array.from(await layer.bias!.toArray())).toEqual(new Array(30).fill(0));
    layer.dispose();
  });
});

describe('truncated_normal: TensorFlow\'s tf.truncated_normal defaults (mean 0, stddev 1, cut at ±2), as the MNIST tutorial (004) draws its weights', () => {
  test('every value within ±2, the cut normal\'s std 0.8796, the same draw for the same seed', () => {
    const v = initValues('truncated_normal', [512, 784], { fanIn: 784, fanOut: 512, kind: 'weight' }, 1);
    const s = stats(v);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(2);
    expect(s.min).toBeLessThan(-1.999);
    expect(s.max).toBeGreaterThan(1.999);
    expect(s.std).toBeCloseTo(TRUNCATED_NORMAL_STD_CORRECTION, 2);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(initValues('truncated_normal', [512, 784], { fanIn: 784, fanOut: 512, kind: 'weight' }, 1)).toEqual(v);
    // Independent of the layer's fans (σ is not scaled).
    expect(stats(initValues('truncated_normal', [10, 10], { fanIn: 10, fanOut: 10, kind: 'weight' }, 3)).max).toBeLessThanOrEqual(2);
  });
});
