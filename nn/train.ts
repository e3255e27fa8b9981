// gs.nn.fit and gs.nn.evaluate: the training loop. Each step runs inside gs.tidy, so
// device memory stays flat; the only readback per step is the loss (one number).
// Accuracy is counted on the device (argmax, eq, sum) and read once per epoch or
// evaluation. fit also writes checkpoints and resumes from them (see checkpoint.ts).

import { noGrad } from '../engine/autograd';
import { tidy } from '../engine/memory';
import { argmax, crossEntropy, sum } from '../engine/ops';
import type { Tensor } from '../engine/tensor';
import * as untracked from '../engine/untracked';
import { loadCheckpointInto, makeCheckpoint, writeCheckpoint, type CheckpointTarget } from './checkpoint';
import type { Batch, DataLoader } from './data/loader';
import { accumulate, EpochSums, type EpochRecord } from './epoch';
import type { BytesLike } from './io/bytes';
import type { Module } from './module';
import type { Optimizer } from './optim/optimizer';

export type LossFunction = (output: Tensor, labels: Int32Array, labelTensor: Tensor) => Tensor;

export interface FitProgress {
  epoch: number;
  /** Batch index within the epoch, 0-based (the batch just trained). */
  batch: number;
  batches: number;
  /** This batch's loss. */
  loss: number;
  /** Mean loss over the epoch so far. */
  epochLoss: number;
  samplesPerSecond: number;
  /** Steps taken by the optimizer so far. */
  step: number;
  elapsedSeconds: number;
}

export interface FitOptions {
  optimizer: Optimizer;
  /** 'crossEntropy' (default; logits + integer labels) or a function (output, labels, labelTensor) → scalar loss. */
  loss?: 'crossEntropy' | LossFunction;
  epochs?: number;
  onProgress?: (p: FitProgress) => void | Promise<void>;
  /** Called after each epoch with its record. */
  onEpoch?: (r: EpochRecord) => void | Promise<void>;
  evalLoader?: DataLoader;
  /**
   * Call onProgress every `progressEvery` batches (default 1) and at the end of each
   * epoch. Each call reads the loss back (a device sync); without onProgress, fit reads
   * only at the end of an epoch.
   */
  progressEvery?: number;
  /** Write a checkpoint at the end of every epoch (Node: a file path; or a callback that receives the bytes). */
  checkpoint?: CheckpointTarget;
  /**
   * Continue from a checkpoint (a file path in Node, or its bytes). The whole checkpoint is
   * checked first (checksum, optimizer, shapes, loader position); a refused one changes nothing.
   */
  resumeFrom?: string | BytesLike;
  /** Ask for a checkpoint now: checked after every step; write one when it returns true. */
  checkpointRequested?: () => boolean;
  /**
   * A step budget: stop once the optimizer has taken this many steps, mid-epoch if need be
   * (that epoch's record covers the batches it trained on). Training then ends at
   * whichever comes first, `epochs` or `maxSteps`.
   */
  maxSteps?: number;
}

export interface FitResult {
  history: EpochRecord[];
  /** Seconds for the whole call. */
  seconds: number;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
  samples: number;
}

function lossFunction(loss: FitOptions['loss']): LossFunction {
  if (loss === undefined || loss === 'crossEntropy') return (out, _labels, labelTensor) => crossEntropy(out, labelTensor);
  if (typeof loss === 'function') return loss;
  throw new Error(`fit: unknown loss '${String(loss)}' (valid: 'crossEntropy' or a function)`);
}

/** One optimizer step's labels, on the batch's backend. */
function labelsOnDevice(like: Tensor, y: Int32Array): Tensor {
  return untracked.upload(like, y, [y.length]);
}

/** Number of rows whose argmax equals the label, as a one-element tensor (stays on the device). */
function correctCount(logits: Tensor, labels: Tensor): Tensor {
  return sum(untracked.binary('eq', argmax(logits, -1), labels));
}

/** Loss (cross-entropy, mean over samples) and accuracy of a classifier over one pass of a loader. */
export async function evaluate(model: Module, loader: DataLoader, options: { loss?: FitOptions['loss'] } = {}): Promise<EvaluateResult> {
  const lossFn = lossFunction(options.loss);
  const wasTraining = model.training;
  model.eval();
  let lossTotal: Tensor | null = null;
  let correct: Tensor | null = null;
  let samples = 0;
  try {
    const order = loader.order(0);
    for (let i = 0; i < loader.batches; i++) {
      const batch = loader.batchAt(0, i, order);
      noGrad(() =>
        tidy(() => {
          const labels = labelsOnDevice(batch.x, batch.y);
          const out = model.forward(batch.x);
          const batchLoss = lossFn(out, batch.y, labels).mul(batch.y.length);
          lossTotal = accumulate(lossTotal, batchLoss);
          correct = accumulate(correct, correctCount(out, labels));
        }),
      );
      samples += batch.y.length;
      batch.x.dispose();
    }
    if (samples === 0) throw new Error('evaluate: the loader has no batches');
    const [l, c] = await Promise.all([(lossTotal as Tensor | null)!.item(), (correct as Tensor | null)!.item()]);
    return { loss: l / samples, accuracy: c / samples, samples };
  } finally {
    (lossTotal as Tensor | null)?.dispose();
    (correct as Tensor | null)?.dispose();
    model.train(wasTraining);
  }
}

/** One optimizer step on a batch; returns the loss and the batch's correct count (both on the device). */
function trainStep(model: Module, optimizer: Optimizer, lossFn: LossFunction, batch: Batch): { loss: Tensor; correct: Tensor } {
  return tidy(() => {
    const labels = labelsOnDevice(batch.x, batch.y);
    optimizer.zeroGrad();
    const out = model.forward(batch.x);
    const loss = lossFn(out, batch.y, labels);
    if (loss.size !== 1) throw new Error(`fit: the loss must be a scalar, got shape [${loss.shape.join(', ')}]`);
    loss.backward();
    optimizer.step();
    const correct = noGrad(() => correctCount(out.detach(), labels));
    return { loss: loss.detach(), correct };
  });
}

/** What one fit() call works with, shared by its epochs. */
interface FitRun {
  model: Module;
  loader: DataLoader;
  optimizer: Optimizer;
  lossFn: LossFunction;
  options: FitOptions;
  sums: EpochSums;
  history: EpochRecord[];
  /** performance.now() when fit was called. */
  started: number;
}

export async function fit(model: Module, trainLoader: DataLoader, options: FitOptions): Promise<FitResult> {
  const { optimizer, epochs = 1, progressEvery = 1, maxSteps = Infinity } = options ?? ({} as FitOptions);
  if (!optimizer || typeof optimizer.step !== 'function') throw new Error('fit: options.optimizer is required (e.g. new gs.optim.SGD(model.parameters(), { lr: 0.01 }))');
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(progressEvery) || progressEvery < 1) throw new Error(`fit: progressEvery must be a positive integer, got ${progressEvery}`);
  if (maxSteps !== Infinity && !(Number.isInteger(maxSteps) && maxSteps > 0)) throw new Error(`fit: maxSteps must be a positive integer, got ${maxSteps}`);
  const run: FitRun = {
    model, loader: trainLoader, optimizer, options, lossFn: lossFunction(options.loss), sums: new EpochSums(), history: [], started: performance.now(),
  };
  if (options.resumeFrom !== undefined) {
    const state = await loadCheckpointInto(options.resumeFrom, model, optimizer, trainLoader);
    run.history = state.history;
    run.sums.restore(optimizer.params[0], state.partial);
  }
  model.train();
  try {
    while (trainLoader.epoch < epochs && !budgetSpent(run)) {
      const record = await trainEpoch(run);
      if (options.evalLoader) {
        const e = await evaluate(model, options.evalLoader, { loss: options.loss });
        record.evalLoss = e.loss;
        record.evalAccuracy = e.accuracy;
      }
      run.history.push(record);
      run.sums.reset();
      await options.onEpoch?.(record);
      await saveCheckpoint(run);
    }
  } finally {
    run.sums.reset();
  }
  return { history: run.history, seconds: (performance.now() - run.started) / 1000 };
}

/** Train the loader's current epoch from where it stands (a resumed run: mid-epoch); its record, without evaluation. */
async function trainEpoch(run: FitRun): Promise<EpochRecord> {
  const { loader, sums, options } = run;
  const epoch = loader.epoch;
  const batches = loader.batches;
  const progressEvery = options.progressEvery ?? 1;
  const epochStart = performance.now() - sums.seconds * 1000;
  const secondsSoFar = () => (performance.now() - epochStart) / 1000;
  for (const batch of loader) {
    const batchIndex = loader.batchIndex - 1;
    let step: { loss: Tensor; correct: Tensor } | null = null;
    try {
      step = trainStep(run.model, run.optimizer, run.lossFn, batch);
      sums.add(step.loss, step.correct, batch.y.length);
      sums.seconds = secondsSoFar();
      if (options.onProgress && ((batchIndex + 1) % progressEvery === 0 || batchIndex + 1 === batches)) {
        // The one readback of a step: this batch's loss and the epoch's running sum.
        const [loss, totals] = await Promise.all([step.loss.item(), sums.read()]);
        sums.seconds = secondsSoFar();
        await options.onProgress({
          epoch,
          batch: batchIndex,
          batches,
          loss,
          epochLoss: totals.loss / totals.samples,
          samplesPerSecond: totals.samples / Math.max(sums.seconds, 1e-9),
          step: run.optimizer.stepCount,
          elapsedSeconds: (performance.now() - run.started) / 1000,
        });
      }
    } finally {
      batch.x.dispose();
      step?.loss.dispose();
      step?.correct.dispose();
    }
    if (options.checkpointRequested?.()) await saveCheckpoint(run);
    if (budgetSpent(run)) break;
  }
  const totals = await sums.read();
  const seconds = secondsSoFar();
  return {
    epoch,
    loss: totals.samples ? totals.loss / totals.samples : NaN,
    accuracy: totals.samples ? totals.correct / totals.samples : NaN,
    seconds,
    samplesPerSecond: totals.samples / Math.max(seconds, 1e-9),
  };
}

/** The optimizer has taken options.maxSteps steps. */
function budgetSpent(run: FitRun): boolean {
  return run.optimizer.stepCount >= (run.options.maxSteps ?? Infinity);
}

/** Write a checkpoint of the run as it stands, when fit was asked to. */
async function saveCheckpoint(run: FitRun): Promise<void> {
  const target = run.options.checkpoint;
  if (!target) return;
  const bytes = await makeCheckpoint(run.model, run.optimizer, run.loader, run.history, await run.sums.read());
  await writeCheckpoint(target, bytes, run.loader.position());
}
