// One run of the comparison: a network with one activation (or none, the baseline),
// built from the seed shared by every run, trained with SGD + momentum on the shared
// batches, then measured (accuracy, loss, time, dead units, gradient flow). The body of
// every run wherever it is executed: in this thread, or a worker thread of --jobs.

import type { Tensor } from '../engine/tensor';
import { crossEntropy } from '../engine/ops';
import { deadNeurons, gradientStats } from '../nn/analysis/index';
import { DataLoader, type Dataset as DataRows } from '../nn/data/index';
import { mlp } from '../nn/mlp';
import { SGD } from '../nn/optim/sgd';
import type { Sequential } from '../nn/sequential';
import { fit } from '../nn/train';
import type { Dataset } from './datasets';
import { deadRatio, inputOutputGradientRatio } from './measure';
import { BASELINE, type CompareOptions } from './options';
import type { Curves, RunResult } from './results';

/** One training run of the comparison: which activation, and its place in the order. */
export interface RunTask {
  activation: string;
  index: number;
  total: number;
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

/** The progress a run reports, wherever it trains. */
export interface RunHooks {
  onRunStart?(run: RunStart): void;
  onStep?(progress: StepProgress): void;
  onEpochEnd?(info: EpochEnd): void;
  onRunEnd?(result: RunResult): void;
}

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
