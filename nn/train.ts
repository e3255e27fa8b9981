// gs.nn.fit and gs.nn.evaluate: the training loop. Each step runs inside gs.tidy, so
// device memory stays flat; the only readback per step is the loss (one number).
// Accuracy is counted on the device (argmax, eq, sum) and read once per epoch or
// evaluation. fit also writes checkpoints and resumes from them (see checkpoint.ts).

import { noGrad } from '../engine/autograd';
import { keep, tidy } from '../engine/memory';
import { argmax, crossEntropy, sum } from '../engine/ops';
import { Tensor } from '../engine/tensor';
import type { Batch, DataLoader } from './data/loader';
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

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  loss: number;
  /** Training accuracy over the epoch, measured during training. */
  accuracy: number;
  evalLoss?: number;
  evalAccuracy?: number;
  seconds: number;
  samplesPerSecond: number;
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

export type CheckpointTarget = string | ((bytes: Uint8Array, info: { epoch: number; batch: number }) => void | Promise<void>);

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

function labelsOnDevice(like: Tensor, y: Int32Array): Tensor {
  return Tensor.fromStorage(like.backend, like.backend.upload(y), [y.length]);
}

/** Number of rows whose argmax equals the label, as a one-element tensor (stays on the device). */
function correctCount(logits: Tensor, labels: Tensor): Tensor {
  const predicted = argmax(logits, -1);
  const b = logits.backend;
  const hits = Tensor.fromStorage(b, b.binary('eq', predicted.storage, predicted.shape, labels.storage, labels.shape, labels.shape), labels.shape);
  return sum(hits);
}

/** Add `x` into the running total `acc` (kept across tidy scopes); returns the new total. */
function accumulate(acc: Tensor | null, x: Tensor): Tensor {
  if (!acc) return keep(x.clone());
  const next = keep(tidy(() => acc.add(x)));
  acc.dispose();
  return next;
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

/**
 * The running sums of the epoch in progress. Loss and correct counts accumulate on the
 * device (float32, added in step order) and are read only when someone needs them:
 * onProgress, a checkpoint, the end of the epoch. A checkpoint stores the float32 values
 * read back, and a resumed run uploads them again, so its sums are bit-identical.
 */
class EpochSums {
  private lossSum: Tensor | null = null;
  private correctSum: Tensor | null = null;
  samples = 0;
  seconds = 0;

  add(loss: Tensor, correct: Tensor, n: number): void {
    const weighted = loss.mul(n);
    this.lossSum = accumulate(this.lossSum, weighted);
    weighted.dispose();
    this.correctSum = accumulate(this.correctSum, correct);
    this.samples += n;
  }

  restore(like: Tensor, partial: { loss: number; correct: number; samples: number; seconds: number }): void {
    this.reset();
    if (partial.samples > 0) {
      this.lossSum = keep(Tensor.fromStorage(like.backend, like.backend.upload([partial.loss]), []));
      this.correctSum = keep(Tensor.fromStorage(like.backend, like.backend.upload([partial.correct]), []));
    }
    this.samples = partial.samples;
    this.seconds = partial.seconds;
  }

  async read(): Promise<{ loss: number; correct: number; samples: number; seconds: number }> {
    const [loss, correct] = await Promise.all([this.lossSum?.item() ?? 0, this.correctSum?.item() ?? 0]);
    return { loss, correct, samples: this.samples, seconds: this.seconds };
  }

  reset(): void {
    this.lossSum?.dispose();
    this.correctSum?.dispose();
    this.lossSum = this.correctSum = null;
    this.samples = 0;
    this.seconds = 0;
  }
}

export async function fit(model: Module, trainLoader: DataLoader, options: FitOptions): Promise<FitResult> {
  const { optimizer, epochs = 1, onProgress, onEpoch, evalLoader, progressEvery = 1, maxSteps = Infinity } = options ?? ({} as FitOptions);
  if (!optimizer || typeof optimizer.step !== 'function') throw new Error('fit: options.optimizer is required (e.g. new gs.optim.SGD(model.parameters(), { lr: 0.01 }))');
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(progressEvery) || progressEvery < 1) throw new Error(`fit: progressEvery must be a positive integer, got ${progressEvery}`);
  if (maxSteps !== Infinity && !(Number.isInteger(maxSteps) && maxSteps > 0)) throw new Error(`fit: maxSteps must be a positive integer, got ${maxSteps}`);
  const lossFn = lossFunction(options.loss);
  const { loadCheckpointInto, makeCheckpoint, writeCheckpoint } = await import('./checkpoint');

  const started = performance.now();
  let history: EpochRecord[] = [];
  const sums = new EpochSums();
  const like = optimizer.params[0];
  if (options.resumeFrom !== undefined) {
    const state = await loadCheckpointInto(options.resumeFrom, model, optimizer, trainLoader);
    history = state.history;
    sums.restore(like, state.partial);
  }
  const save = async () => {
    if (!options.checkpoint) return;
    const bytes = await makeCheckpoint(model, optimizer, trainLoader, history, await sums.read());
    await writeCheckpoint(options.checkpoint, bytes, trainLoader.position());
  };

  model.train();
  const budgetSpent = () => optimizer.stepCount >= maxSteps;
  try {
    while (trainLoader.epoch < epochs && !budgetSpent()) {
      const epoch = trainLoader.epoch;
      const batches = trainLoader.batches;
      const epochStart = performance.now() - sums.seconds * 1000;
      for (const batch of trainLoader) {
        const batchIndex = trainLoader.batchIndex - 1;
        let step: { loss: Tensor; correct: Tensor } | null = null;
        try {
          step = trainStep(model, optimizer, lossFn, batch);
          sums.add(step.loss, step.correct, batch.y.length);
          sums.seconds = (performance.now() - epochStart) / 1000;
          if (onProgress && ((batchIndex + 1) % progressEvery === 0 || batchIndex + 1 === batches)) {
            // The one readback of a step: this batch's loss and the epoch's running sum.
            const [loss, totals] = await Promise.all([step.loss.item(), sums.read()]);
            sums.seconds = (performance.now() - epochStart) / 1000;
            await onProgress({
              epoch,
              batch: batchIndex,
              batches,
              loss,
              epochLoss: totals.loss / totals.samples,
              samplesPerSecond: totals.samples / Math.max(sums.seconds, 1e-9),
              step: optimizer.stepCount,
              elapsedSeconds: (performance.now() - started) / 1000,
            });
          }
        } finally {
          batch.x.dispose();
          step?.loss.dispose();
          step?.correct.dispose();
        }
        if (options.checkpointRequested?.()) await save();
        if (budgetSpent()) break;
      }
      const totals = await sums.read();
      const seconds = (performance.now() - epochStart) / 1000;
      const record: EpochRecord = {
        epoch,
        loss: totals.samples ? totals.loss / totals.samples : NaN,
        accuracy: totals.samples ? totals.correct / totals.samples : NaN,
        seconds,
        samplesPerSecond: totals.samples / Math.max(seconds, 1e-9),
      };
      if (evalLoader) {
        const e = await evaluate(model, evalLoader, { loss: options.loss });
        record.evalLoss = e.loss;
        record.evalAccuracy = e.accuracy;
      }
      history.push(record);
      sums.reset();
      await onEpoch?.(record);
      await save();
    }
  } finally {
    sums.reset();
  }
  return { history, seconds: (performance.now() - started) / 1000 };
}
