// The benchmark's workloads, written once and run everywhere: in Node and in a
// Chromium page, on gradscope (any backend) and on TensorFlow.js (any backend). The
// libraries come in as arguments, so the same code runs against dist/index.js, the
// browser bundle, or the sources (the smoke test).
//
// Every timed region ends with a readback, so GPU work is finished inside it.

import type * as Gradscope from '../index';
import type * as Tfjs from '@tensorflow/tfjs-core';

export type GS = typeof Gradscope;
export type TF = typeof Tfjs;

/** SimpleNetwork: 784→256→192→128→64→10, ReLU, softmax cross-entropy, SGD momentum 0.9. */
export const SIMPLE_NETWORK = [784, 256, 192, 128, 64, 10];
export const BATCH = 128;
export const EPOCH_IMAGES = 60_000;

/** The matmul shapes the benchmark reports: squares, then SimpleNetwork's forward and backward products. */
export interface MatmulShape {
  label: string;
  m: number;
  k: number;
  n: number;
}

export function matmulShapes(sizes: readonly number[], layers: readonly number[] = SIMPLE_NETWORK, batch = BATCH): MatmulShape[] {
  const shapes = sizes.map((s) => ({ label: `N=${s}`, m: s, k: s, n: s }));
  for (let i = 0; i + 1 < layers.length; i++) {
    const [fanIn, fanOut] = [layers[i], layers[i + 1]];
    shapes.push({ label: `${batch}×${fanIn}·${fanIn}×${fanOut}`, m: batch, k: fanIn, n: fanOut });
  }
  return shapes;
}

export interface Timing {
  median: number;
  min: number;
  max: number;
  reps: number;
}

export interface TimingOptions {
  warmup: number;
  reps: number;
  now: () => number;
  /**
   * A sample shorter than this runs fn several times and reports the mean: browsers
   * coarsen performance.now() (100 µs without cross-origin isolation), too coarse for a
   * 0.1 ms matmul. Default 10 ms.
   */
  minSampleMs?: number;
}

/** Run fn `warmup` times untimed, then `reps` timed samples; milliseconds per call. */
export async function time(fn: () => Promise<void>, o: TimingOptions): Promise<Timing> {
  for (let i = 0; i < o.warmup; i++) await fn();
  const minSample = o.minSampleMs ?? 10;
  // Calls per sample: enough for minSample, judged from one timed call.
  let calls = 1;
  if (minSample > 0) {
    const start = o.now();
    await fn();
    const once = o.now() - start;
    if (once < minSample) calls = Math.min(1000, Math.ceil(minSample / Math.max(once, 0.01)));
  }
  const samples: number[] = [];
  for (let i = 0; i < o.reps; i++) {
    const start = o.now();
    for (let c = 0; c < calls; c++) await fn();
    samples.push((o.now() - start) / calls);
  }
  return summarise(samples);
}

function summarise(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], reps: sorted.length };
}

export interface PairResult {
  ours: string;
  peer: string;
  oursMs: Timing;
  peerMs: Timing;
  /** Median over repetitions of peer time / our time, each pair timed back to back. */
  speedup: number;
}

/**
 * Time two training steps alternately (ours, peer, peer, ours, ...), so a machine whose
 * load changes during the run (shared cores) slows both alike: the ratio of each
 * back-to-back pair is what the table reports. A function that times itself (PyTorch,
 * in its own process) resolves to its own milliseconds, which are used instead.
 */
export async function timePair(
  names: [string, string],
  ours: () => Promise<void | number>,
  peer: () => Promise<void | number>,
  o: TimingOptions,
): Promise<PairResult> {
  for (let i = 0; i < o.warmup; i++) {
    await ours();
    await peer();
  }
  const oursSamples: number[] = [];
  const peerSamples: number[] = [];
  const ratios: number[] = [];
  const timed = async (fn: () => Promise<void | number>) => {
    const start = o.now();
    const own = await fn();
    return typeof own === 'number' ? own : o.now() - start;
  };
  for (let i = 0; i < o.reps; i++) {
    // Alternate who goes first so neither always runs on a warmer cache.
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await timed(ours);
      b = await timed(peer);
    } else {
      b = await timed(peer);
      a = await timed(ours);
    }
    oursSamples.push(a);
    peerSamples.push(b);
    ratios.push(b / a);
  }
  return { ours: names[0], peer: names[1], oursMs: summarise(oursSamples), peerMs: summarise(peerSamples), speedup: summarise(ratios).median };
}

/** Deterministic pseudo-random values in [-1, 1) (the same inputs for every library). */
export function randomValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const r = randomValues(n, seed);
  return Int32Array.from(r, (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes)));
}

/** The network's initial weights, [in, out] per layer (uniform ±1/√in, as PyTorch), biases zero: both libraries start from these. */
export function networkWeights(layers: readonly number[]): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i + 1 < layers.length; i++) {
    const bound = 1 / Math.sqrt(layers[i]);
    out.push(randomValues(layers[i] * layers[i + 1], 10 + i).map((v) => v * bound));
  }
  return out;
}

/** Transpose a row-major [rows, cols] matrix: gradscope's Linear stores W as [out, in]. */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

export const gflops = (s: MatmulShape, ms: number) => (2 * s.m * s.k * s.n) / (ms * 1e6);

// --- gradscope --------------------------------------------------------------------------

/** C = A·B on gradscope's current backend, read back. */
export function gradscopeMatmul(gs: GS, s: MatmulShape): { run: () => Promise<void>; dispose: () => void } {
  const a = gs.tensor(randomValues(s.m * s.k, 1), { shape: [s.m, s.k] });
  const b = gs.tensor(randomValues(s.k * s.n, 2), { shape: [s.k, s.n] });
  return {
    run: async () => {
      const c = gs.matmul(a, b);
      await c.data();
      c.dispose();
    },
    dispose: () => gs.dispose(a, b),
  };
}

/**
 * One training step of `model` on the fixed batch (x, labels): forward, softmax
 * cross-entropy, backward, optimizer update, loss read back (so the work is finished
 * inside a timed region). `lastLoss` is the loss of the latest step.
 */
export function stepRunner(gs: GS, model: Gradscope.nn.Module, optimizer: Gradscope.optim.Optimizer, x: Gradscope.Tensor, labels: Parameters<GS['losses']['crossEntropy']>[1]) {
  let lastLoss = NaN;
  return {
    run: async () => {
      const loss = gs.tidy(() => {
        optimizer.zeroGrad();
        const l = gs.losses.crossEntropy(model.forward(x), labels);
        l.backward();
        optimizer.step();
        return l;
      });
      lastLoss = await loss.item();
      loss.dispose();
    },
    lastLoss: () => lastLoss,
  };
}

/** One SimpleNetwork training step on gradscope: forward, backward, SGD update, loss read back. */
export function gradscopeTrainStep(gs: GS, layers: readonly number[] = SIMPLE_NETWORK, batch = BATCH) {
  const modules = [];
  for (let i = 0; i + 1 < layers.length; i++) {
    modules.push(new gs.nn.Linear(layers[i], layers[i + 1], { seed: 10 + i }));
    if (i + 2 < layers.length) modules.push(gs.activation('relu'));
  }
  const model = new gs.nn.Sequential(...modules);
  const state: Record<string, Float32Array> = {};
  networkWeights(layers).forEach((w, i) => {
    state[`${2 * i}.weight`] = transposed(w, layers[i], layers[i + 1]);
    state[`${2 * i}.bias`] = new Float32Array(layers[i + 1]);
  });
  model.loadStateDict(state);
  const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = gs.tensor(randomValues(batch * layers[0], 3), { shape: [batch, layers[0]] });
  const labels = randomLabels(batch, layers[layers.length - 1], 4);
  const step = stepRunner(gs, model, optimizer, x, labels);
  return {
    run: step.run,
    lastLoss: step.lastLoss,
    dispose: () => {
      optimizer.zeroGrad();
      optimizer.dispose();
      for (const p of model.parameters()) p.dispose();
      x.dispose();
    },
  };
}

// --- TensorFlow.js ------------------------------------------------------------------------

export function tfjsMatmul(tf: TF, s: MatmulShape) {
  const a = tf.tensor2d(randomValues(s.m * s.k, 1), [s.m, s.k]);
  const b = tf.tensor2d(randomValues(s.k * s.n, 2), [s.k, s.n]);
  return {
    run: async () => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

/** The same network and step in TensorFlow.js (weights stored [in, out], its natural layout). */
export function tfjsTrainStep(tf: TF, layers: readonly number[] = SIMPLE_NETWORK, batch = BATCH) {
  const weights: Tfjs.Variable[] = [];
  const biases: Tfjs.Variable[] = [];
  networkWeights(layers).forEach((w, i) => {
    weights.push(tf.variable(tf.tensor2d(w, [layers[i], layers[i + 1]])));
    biases.push(tf.variable(tf.zeros([layers[i + 1]])));
  });
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.tensor2d(randomValues(batch * layers[0], 3), [batch, layers[0]]);
  const classes = layers[layers.length - 1];
  const onehot = tf.oneHot(tf.tensor1d(randomLabels(batch, classes, 4), 'int32'), classes);
  let lastLoss = NaN;
  return {
    run: async () => {
      const loss = optimizer.minimize(() => {
        let h: Tfjs.Tensor = x;
        for (let i = 0; i < weights.length; i++) {
          h = tf.add(tf.matMul(h, weights[i]), biases[i]);
          if (i + 1 < weights.length) h = tf.relu(h);
        }
        return tf.losses.softmaxCrossEntropy(onehot, h) as Tfjs.Scalar;
      }, true) as Tfjs.Scalar;
      lastLoss = (await loss.data())[0];
      loss.dispose();
    },
    lastLoss: () => lastLoss,
    dispose: () => {
      optimizer.dispose();
      tf.dispose([...weights, ...biases, x, onehot]);
    },
  };
}

// --- one suite ------------------------------------------------------------------------------

export interface SuiteOptions extends TimingOptions {
  sizes: readonly number[];
  layers?: readonly number[];
  batch?: number;
  /** Engines to run (all when absent). */
  engines?: readonly string[];
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface EngineResult {
  engine: string;
  matmul: { label: string; m: number; k: number; n: number; ms: Timing; gflops: number }[];
  trainStep: Timing & { loss: number; epochSeconds: number };
  error?: string;
}

/**
 * Measure one engine: matmul per shape, then the training step. `setup` selects the
 * backend; the matmul and step factories come from the gradscope or tfjs helpers above.
 */
export async function measureEngine(
  engine: string,
  factories: {
    matmul: (s: MatmulShape) => { run: () => Promise<void>; dispose: () => void };
    trainStep: () => { run: () => Promise<void>; lastLoss: () => number; dispose: () => void };
  },
  o: SuiteOptions,
): Promise<EngineResult> {
  const log = o.log ?? (() => {});
  const layers = o.layers ?? SIMPLE_NETWORK;
  const batch = o.batch ?? BATCH;
  const matmul: EngineResult['matmul'] = [];
  for (const s of matmulShapes(o.sizes, layers, batch)) {
    const job = factories.matmul(s);
    try {
      const ms = await time(job.run, o);
      matmul.push({ ...s, ms, gflops: gflops(s, ms.median) });
      log(`${engine} matmul ${s.label}: ${ms.median.toFixed(2)} ms, ${gflops(s, ms.median).toFixed(2)} GFLOP/s`);
    } finally {
      job.dispose();
    }
  }
  const step = factories.trainStep();
  try {
    const ms = await time(step.run, o);
    const epochSeconds = ((EPOCH_IMAGES / batch) * ms.median) / 1000;
    log(`${engine} train step: ${ms.median.toFixed(1)} ms (min ${ms.min.toFixed(1)}, max ${ms.max.toFixed(1)}), epoch ≈ ${epochSeconds.toFixed(1)} s`);
    return { engine, matmul, trainStep: { ...ms, loss: step.lastLoss(), epochSeconds } };
  } finally {
    step.dispose();
  }
}

export const gradscopeFactories = (gs: GS, layers?: readonly number[], batch?: number) => ({
  matmul: (s: MatmulShape) => gradscopeMatmul(gs, s),
  trainStep: () => gradscopeTrainStep(gs, layers, batch),
});

export const tfjsFactories = (tf: TF, layers?: readonly number[], batch?: number) => ({
  matmul: (s: MatmulShape) => tfjsMatmul(tf, s),
  trainStep: () => tfjsTrainStep(tf, layers, batch),
});

/** Both training steps built, timed alternately (timePair), and released. */
export async function measurePair(
  names: [string, string],
  ours: () => { run: () => Promise<void>; dispose: () => void },
  peer: () => { run: () => Promise<void>; dispose: () => void },
  o: SuiteOptions,
): Promise<PairResult> {
  const a = ours();
  const b = peer();
  try {
    const r = await timePair(names, a.run, b.run, o);
    o.log?.(`${names[0]} vs ${names[1]}, alternating train steps: ${r.oursMs.median.toFixed(1)} vs ${r.peerMs.median.toFixed(1)} ms, speed-up ${r.speedup.toFixed(2)}×`);
    return r;
  } finally {
    a.dispose();
    b.dispose();
  }
}
