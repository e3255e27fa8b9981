// What training keeps of an epoch: its record in the history, and the running sums of
// an epoch in progress, on the device while it trains and as numbers in a checkpoint.

import { keep, tidy } from '../engine/memory';
import type { Tensor } from '../engine/tensor';
import * as untracked from '../engine/untracked';

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

/** The running sums of an unfinished epoch, read back: what a checkpoint stores. */
export interface EpochTotals {
  loss: number;
  correct: number;
  samples: number;
  seconds: number;
}

/** Add `x` into the running total `acc` (kept across tidy scopes); returns the new total. */
export function accumulate(acc: Tensor | null, x: Tensor): Tensor {
  if (!acc) return keep(x.clone());
  const next = keep(tidy(() => acc.add(x)));
  acc.dispose();
  return next;
}

/**
 * The running sums of the epoch in progress. Loss and correct counts accumulate on the
 * device (float32, added in step order) and are read only when someone needs them:
 * onProgress, a checkpoint, the end of the epoch. A checkpoint stores the float32 values
 * read back, and a resumed run uploads them again, so its sums are bit-identical.
 */
export class EpochSums {
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

  /** Continue from totals read back earlier, uploaded to like's backend. */
  restore(like: Tensor, totals: EpochTotals): void {
    this.reset();
    if (totals.samples > 0) {
      this.lossSum = keep(untracked.upload(like, [totals.loss], []));
      this.correctSum = keep(untracked.upload(like, [totals.correct], []));
    }
    this.samples = totals.samples;
    this.seconds = totals.seconds;
  }

  async read(): Promise<EpochTotals> {
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
