// Weight initializers by name, seeded and drawn on the host (the same seed gives the
// same weights on every backend). 'pytorch_default' is what torch.nn.Linear does.

import { Random } from '../engine/random';

export interface InitContext {
  fanIn: number;
  fanOut: number;
  /** 'weight' or 'bias': pytorch_default treats them differently. */
  kind: 'weight' | 'bias';
}

export type Initializer = (values: Float32Array, shape: readonly number[], ctx: InitContext, rng: Random) => void;

const initializers = new Map<string, Initializer>();

export function registerInitializer(name: string, init: Initializer): void {
  initializers.set(name, init);
}

export function initializerNames(): string[] {
  return [...initializers.keys()];
}

export function getInitializer(name: string): Initializer {
  const init = initializers.get(name);
  if (!init) throw new Error(`unknown initializer '${name}' (valid: ${initializerNames().join(', ')})`);
  return init;
}

/** Draw `shape` values with the named initializer. */
export function initValues(name: string, shape: readonly number[], ctx: InitContext, seed: number): Float32Array {
  const init = getInitializer(name);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  init(values, shape, ctx, new Random(seed));
  return values;
}

function uniform(values: Float32Array, bound: number, rng: Random): void {
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.uniform() - 1) * bound;
}

// torch.nn.Linear.reset_parameters: kaiming_uniform_(a=√5) gives bound = 1/√fan_in
// for the weight (gain √(2/(1+5)) · √(3/fan_in)); the bias is U(±1/√fan_in).
registerInitializer('pytorch_default', (values, _shape, ctx, rng) => {
  uniform(values, ctx.fanIn > 0 ? 1 / Math.sqrt(ctx.fanIn) : 0, rng);
});

registerInitializer('zeros', (values) => values.fill(0));
registerInitializer('ones', (values) => values.fill(1));

// --- Keras's initializers (weights [out, in]: fan_in = in, fan_out = out) -------------

registerInitializer('random_uniform', (values, _shape, _ctx, rng) => uniform(values, 0.05, rng));

// Keras's RandomNormal is a plain normal (not truncated), σ 0.05.
registerInitializer('random_normal', (values, _shape, _ctx, rng) => {
  for (let i = 0; i < values.length; i++) values[i] = 0.05 * rng.normal();
});

/**
 * Keras's variance-scaling normal: a normal cut at ±2σ (values beyond are redrawn),
 * σ = √scale / 0.8796…, so that the truncated distribution has variance `scale`.
 */
export const TRUNCATED_NORMAL_STD_CORRECTION = 0.87962566103423978;

function truncatedNormal(values: Float32Array, variance: number, rng: Random): void {
  fillTruncatedNormal(values, Math.sqrt(variance) / TRUNCATED_NORMAL_STD_CORRECTION, rng);
}

/** N(0, σ²) cut at ±2σ, values beyond redrawn (TensorFlow's truncated_normal). */
function fillTruncatedNormal(values: Float32Array, sigma: number, rng: Random): void {
  for (let i = 0; i < values.length; i++) {
    let z: number;
    do z = rng.normal();
    while (Math.abs(z) > 2);
    values[i] = sigma * z;
  }
}

/**
 * TensorFlow's tf.truncated_normal with its defaults (mean 0, stddev 1, cut at ±2): what
 * the MNIST tutorial (004) draws every weight from. Unlike the variance-scaling normals,
 * σ = 1 is the normal's before the cut: the values' std is 0.8796….
 */
registerInitializer('truncated_normal', (values, _shape, _ctx, rng) => fillTruncatedNormal(values, 1, rng));

const varianceScaling: Record<string, (ctx: InitContext) => number> = {
  glorot: (ctx) => 2 / (ctx.fanIn + ctx.fanOut),
  he: (ctx) => 2 / ctx.fanIn,
  lecun: (ctx) => 1 / ctx.fanIn,
};
for (const [family, variance] of Object.entries(varianceScaling)) {
  // Uniform on ±√(3·variance) has that variance.
  registerInitializer(`${family}_uniform`, (values, _shape, ctx, rng) => uniform(values, Math.sqrt(3 * variance(ctx)), rng));
  registerInitializer(`${family}_normal`, (values, _shape, ctx, rng) => truncatedNormal(values, variance(ctx), rng));
}

/**
 * A (semi-)orthogonal matrix, as Keras's Orthogonal (gain 1): the Q of a QR
 * decomposition of a standard normal matrix, signs fixed by R's diagonal so Q is
 * uniformly distributed. Rows are orthonormal when out <= in, columns otherwise.
 */
registerInitializer('orthogonal', (values, shape, _ctx, rng) => {
  const rows = shape[0] ?? 1;
  const cols = values.length / rows;
  // Orthonormalise the `k` vectors of length `n`, where k <= n.
  const k = Math.min(rows, cols);
  const n = Math.max(rows, cols);
  const q = Array.from({ length: k }, () => Float64Array.from({ length: n }, () => rng.normal()));
  // Modified Gram-Schmidt in float64: a Gaussian matrix is well enough conditioned that
  // one pass leaves the result orthonormal to ~1e-12, far below float32's resolution.
  for (let j = 0; j < k; j++) {
    const v = q[j];
    for (let i = 0; i < j; i++) {
      const u = q[i];
      let dot = 0;
      for (let t = 0; t < n; t++) dot += u[t] * v[t];
      for (let t = 0; t < n; t++) v[t] -= dot * u[t];
    }
    let norm = 0;
    for (let t = 0; t < n; t++) norm += v[t] * v[t];
    // Gram-Schmidt's R diagonal is positive, which is the sign convention wanted.
    const inv = 1 / Math.sqrt(norm);
    for (let t = 0; t < n; t++) v[t] *= inv;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = rows <= cols ? q[r][c] : q[c][r];
  }
});
