// One run of the comparison: a network with one activation (with its parameters, or none:
// the baseline), built from the run's seed (every activation of one seed shares it), trained with the chosen
// optimizer on the shared batches for a number of epochs or a step budget, then measured
// (accuracy, loss, time, dead units, gradient flow). The body of every run wherever it is
// executed: in this thread, or a worker thread of --jobs.

import type { Tensor } from '../engine/tensor';
import { crossEntropy } from '../engine/ops';
import { lookupActivation } from '../engine/activation-registry';
import { deadNeurons, gradientStats, layerOutputs, type DeadLayer, type LayerGradientStats } from '../nn/analysis/index';
import { DataLoader, type Dataset as DataRows } from '../nn/data/index';
import { mlp } from '../nn/mlp';
import { Adam, AdamW } from '../nn/optim/adam';
import type { Optimizer } from '../nn/optim/optimizer';
import { SGD } from '../nn/optim/sgd';
import type { Sequential } from '../nn/sequential';
import { evaluate, fit } from '../nn/train';
import type { ActivationChoice } from './activation-choices';
import type { Dataset } from './datasets';
import { deadRatio, inputOutputGradientRatio } from './measure';
import { BASELINE, type CompareOptions } from './options';
import type { Curves, RunResult } from './results';
import { trainedModel, type MlpDescription, type TrainedModel } from './trained-model';

/** One training run of the comparison: which activation with which parameters, its label, its seed, and its place in the order. */
export interface RunTask extends ActivationChoice {
  /** The run's seed: its initial weights and its order of batches (the same for every activation). */
  seed: number;
  index: number;
  total: number;
}

export interface RunStart {
  activation: string;
  label: string;
  seed: number;
  index: number;
  total: number;
  epochs: number;
  stepsPerEpoch: number;
  samplesPerEpoch: number;
  /** The step budget, when the run trains by steps (null: by epochs). */
  steps: number | null;
}

export interface StepProgress {
  activation: string;
  label: string;
  seed: number;
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
  label: string;
  seed: number;
  epoch: number;
  trainLoss: number;
  /** The latest test accuracy (with a step budget: of the last evaluation in this epoch; NaN if none yet). */
  testAccuracy: number;
}

/** The progress a run reports, wherever it trains. */
export interface RunHooks {
  onRunStart?(run: RunStart): void;
  onStep?(progress: StepProgress): void;
  onEpochEnd?(info: EpochEnd): void;
  onRunEnd?(result: RunResult): void;
  /** The trained network, when options.saveModels (before onRunEnd). */
  onModel?(model: TrainedModel): void;
}

/** The layer sizes: input, hidden..., classes. */
export function layerSizes(options: Pick<CompareOptions, 'hidden'>, dataset: { features: number; classes: number }): number[] {
  return [dataset.features, ...options.hidden, dataset.classes];
}

export interface NetworkOptions {
  init: string;
  seed: number;
  /** One activation module for every hidden layer (the chapter's SimpleNetwork). */
  shareActivation?: boolean;
}

/** Activations whose module takes a seed: rrelu, and those whose spec makes its own initial values. */
function takesSeed(activation: string): boolean {
  return activation === 'rrelu' || (activation !== BASELINE && lookupActivation(activation).initialValues !== undefined);
}

/**
 * SimpleNetwork (gs.nn.mlp): the activation after each hidden Linear ('none': no
 * activation at all). mlp derives each layer's seed from (seed, layer index) only, so
 * every network built with the same seed starts from identical weights.
 */
export function buildNetwork(sizes: readonly number[], choice: Pick<ActivationChoice, 'activation' | 'params'> | string, network: NetworkOptions): Sequential {
  return mlp(networkDescription(sizes, choice, network));
}

/** What gs.nn.mlp takes to build a run's network (--save-models keeps it beside the weights). */
export function networkDescription(sizes: readonly number[], choice: Pick<ActivationChoice, 'activation' | 'params'> | string, network: NetworkOptions): MlpDescription {
  const { activation, params } = typeof choice === 'string' ? { activation: choice, params: {} } : choice;
  return {
    input: sizes[0],
    hidden: sizes.slice(1, -1),
    output: sizes[sizes.length - 1],
    ...(activation === BASELINE ? {} : { activation }),
    // rrelu's slopes and a drawn init (staf's init=normal) come from a seed: the run's, so that runs repeat exactly.
    activationParams: takesSeed(activation) && params.seed === undefined ? { ...params, seed: network.seed } : params,
    noActivation: activation === BASELINE,
    shareActivation: network.shareActivation ?? false,
    init: network.init,
    seed: network.seed,
  };
}

/** The optimizer the options name, over `params`, as torch.optim's (Adam/AdamW with their default betas). */
export function makeOptimizer(params: Tensor[], options: Pick<CompareOptions, 'optimizer' | 'lr' | 'momentum' | 'nesterov' | 'weightDecay'>): Optimizer {
  const { optimizer, lr, momentum, nesterov, weightDecay } = options;
  if (optimizer === 'sgd') return new SGD(params, { lr, momentum, nesterov, weightDecay });
  if (optimizer === 'adam') return new Adam(params, { lr, weightDecay });
  return new AdamW(params, { lr, weightDecay });
}

const crossEntropyLoss = (output: Tensor, labels: Int32Array) => crossEntropy(output, labels);

/**
 * All rows of a dataset as batches { x, y }, in order, made one at a time: each batch's x
 * is disposed when the next is asked for (the analyses take any iterable of batches), so
 * the data set is never copied whole.
 */
export function* batchesOf(rows: DataRows, batchSize: number): Generator<{ x: Tensor; y: Int32Array }> {
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

/** Dead units of a network over a set of rows, counted in eval mode (rrelu at its mean slope); the network's mode is kept. */
export async function deadUnitsOver(model: Sequential, rows: DataRows): Promise<DeadLayer[]> {
  const wasTraining = model.training;
  model.eval();
  try {
    return (await deadNeurons(model, batchesOf(rows, 512))).layers;
  } finally {
    model.train(wasTraining);
  }
}

/** Trains and measures one network: the body of every run, wherever it is executed. */
export async function trainRun(task: RunTask, options: CompareOptions, dataset: Dataset, hooks: RunHooks = {}): Promise<RunResult> {
  const { activation: activationName, label, params, seed, index, total } = task;
  const sizes = layerSizes(options, dataset);
  const model = buildNetwork(sizes, task, { init: options.init, seed, shareActivation: options.shareActivation });
  const optimizer = makeOptimizer(model.parameters(), options);
  // The same seed: every activation sees the same batches in the same order.
  const trainLoader = new DataLoader(dataset.train, { batchSize: options.batch, shuffle: true, seed });
  const testLoader = new DataLoader(dataset.test, { batchSize: 512 });
  const stepsPerEpoch = trainLoader.batches;
  const { steps } = options;
  hooks.onRunStart?.({ activation: activationName, label, seed, index, total, epochs: options.epochs, stepsPerEpoch, samplesPerEpoch: dataset.train.length, steps });

  // The fixed batch the gradient statistics are taken on: the first training rows.
  const probe = new DataLoader(dataset.train, { batchSize: options.batch }).batchAt(0, 0);
  const histogram = { scale: 'log' as const, bins: 30 };
  const gradientsStart = (await gradientStats(model, probe, crossEntropyLoss, histogram)).layers;
  // Units can die only behind an activation in a hidden layer: the baseline has no
  // activation (none dead), a network without hidden layers has no hidden unit at all.
  // Counted over the set deadOn names: the training set by default, as the chapter's
  // calculate_disabled_neuron (001), which counts them at initialisation too.
  const hasHiddenUnits = options.hidden.length > 0;
  const countsDeadUnits = activationName !== BASELINE && hasHiddenUnits;
  const deadSet = options.deadOn === 'train' ? dataset.train : dataset.test;
  const deadLayersStart = countsDeadUnits ? await deadUnitsOver(model, deadSet) : [];
  const gradientsEpochs: LayerGradientStats[][] = [];

  const curves: Curves = { epoch: [], trainLoss: [], trainAccuracy: [], evalStep: [], testLoss: [], testAccuracy: [], stepLoss: [] };
  // With a step budget the test set is evaluated every evalEvery steps and after the last,
  // inside the training loop: its time is kept out of the training time.
  let evaluationSeconds = 0;
  const evaluateAt = async (step: number) => {
    const started = performance.now();
    const e = await evaluate(model, testLoader);
    curves.evalStep.push(step);
    curves.testLoss.push(e.loss);
    curves.testAccuracy.push(e.accuracy);
    evaluationSeconds += (performance.now() - started) / 1000;
  };
  const started = performance.now();
  const fitted = await fit(model, trainLoader, {
    optimizer,
    epochs: options.epochs,
    maxSteps: steps ?? undefined,
    evalLoader: steps === null ? testLoader : undefined,
    onProgress: async (p) => {
      curves.stepLoss.push(p.loss);
      hooks.onStep?.({ activation: activationName, label, seed, epoch: p.epoch + 1, step: p.batch + 1, stepsPerEpoch: p.batches, loss: p.loss, samplesPerSecond: p.samplesPerSecond });
      if (steps !== null && (p.step === steps || (options.evalEvery !== null && p.step % options.evalEvery === 0))) await evaluateAt(p.step);
    },
    onEpoch: async (r) => {
      curves.epoch.push(r.epoch + 1);
      curves.trainLoss.push(r.loss);
      curves.trainAccuracy.push(r.accuracy);
      if (steps === null) {
        curves.evalStep.push(curves.stepLoss.length);
        curves.testLoss.push(r.evalLoss ?? NaN);
        curves.testAccuracy.push(r.evalAccuracy ?? NaN);
      }
      // On the fixed batch, as before and after training (a diverged run has none to take).
      if (options.gradEveryEpoch && Number.isFinite(r.loss)) gradientsEpochs.push((await gradientStats(model, probe, crossEntropyLoss, histogram)).layers);
      hooks.onEpochEnd?.({ activation: activationName, label, seed, epoch: r.epoch + 1, trainLoss: r.loss, testAccuracy: curves.testAccuracy[curves.testAccuracy.length - 1] ?? NaN });
    },
  });
  const totalSeconds = (performance.now() - started) / 1000;
  const trainingSeconds = fitted.history.reduce((a, r) => a + r.seconds, 0) - evaluationSeconds;
  const samplesTrained = fitted.history.reduce((a, r) => a + r.samplesPerSecond * r.seconds, 0);

  // A run whose loss diverged (NaN/∞: too large a learning rate) is a result too; its
  // gradients are not finite, so there are no gradient statistics to take after training.
  const diverged = !curves.trainLoss.every(Number.isFinite);
  const gradientsEnd = diverged ? [] : (await gradientStats(model, probe, crossEntropyLoss, histogram)).layers;
  const deadLayers = countsDeadUnits ? await deadUnitsOver(model, deadSet) : [];
  model.eval();
  // What each layer of the trained network puts out, over the test set (the chapter's get_model_outputs, 001).
  const outputs = diverged ? [] : (await layerOutputs(model, batchesOf(dataset.test, 512), { bins: 40 })).layers;
  if (options.saveModels) hooks.onModel?.(await trainedModel(model, task, networkDescription(sizes, task, options), options));
  probe.x.dispose();
  optimizer.dispose();
  model.dispose();

  const result: RunResult = {
    activation: activationName,
    params,
    label,
    seed,
    testAccuracy: curves.testAccuracy[curves.testAccuracy.length - 1],
    testLoss: curves.testLoss[curves.testLoss.length - 1],
    finalTrainLoss: curves.trainLoss[curves.trainLoss.length - 1],
    totalSeconds,
    // An epoch's worth of samples at the rate they were trained (a step budget may end mid-epoch).
    secondsPerEpoch: (trainingSeconds * dataset.train.length) / samplesTrained,
    samplesPerSecond: samplesTrained / trainingSeconds,
    deadRatio: hasHiddenUnits ? deadRatio(deadLayers) : null,
    deadLayers,
    deadLayersStart,
    layerOutputs: outputs,
    diverged,
    gradientRatio: inputOutputGradientRatio(gradientsEnd),
    gradientRatioStart: inputOutputGradientRatio(gradientsStart),
    gradients: { start: gradientsStart, end: gradientsEnd, ...(options.gradEveryEpoch ? { epochs: gradientsEpochs } : {}) },
    curves,
  };
  hooks.onRunEnd?.(result);
  return result;
}
