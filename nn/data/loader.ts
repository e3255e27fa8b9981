// DataLoader: batches of a dataset as tensors on the current backend, in a seeded
// order. The order of epoch e depends only on (seed, e), so a loader can be put back at
// any (epoch, batch) position — what a checkpoint records — without replaying.

import { tensor } from '../../engine/creation';
import { Random } from '../../engine/random';
import type { Tensor } from '../../engine/tensor';
import { layerSeed } from '../mlp';
import type { Dataset } from './dataset';

export interface Batch {
  /** [batch, features] on the current backend; the consumer disposes it. */
  x: Tensor;
  y: Int32Array;
}

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
}

export interface LoaderPosition {
  epoch: number;
  batch: number;
}

export class DataLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** The epoch the next batch belongs to (0-based). */
  epoch = 0;
  /** Index of the next batch within its epoch. */
  batchIndex = 0;
  /**
   * The batch's pixels are gathered here, then uploaded (a copy) into the tensor: one
   * array for every batch. A fresh 400 KB array per batch of 128 images cost its zeroing,
   * its page faults and its collection, ~5% of a training run's CPU time.
   */
  private staging: Float32Array | null = null;

  constructor(
    readonly dataset: Dataset,
    options: DataLoaderOptions = {},
  ) {
    const { batchSize = 32, shuffle = false, seed = 0, dropLast = false } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (!dataset || typeof dataset.gather !== 'function') throw new Error('DataLoader: dataset must be a gs.data dataset (fromArrays, moons, fashionMnist, ...)');
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
  }

  /** Batches per epoch. */
  get batches(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  get length(): number {
    return this.batches;
  }

  position(): LoaderPosition {
    return { epoch: this.epoch, batch: this.batchIndex };
  }

  /** Throws unless this loader has the position (what seek checks, without moving). */
  checkPosition(position: LoaderPosition): void {
    const { epoch, batch } = position ?? ({} as LoaderPosition);
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(batch) || batch < 0 || batch > this.batches) {
      throw new Error(`DataLoader: position ${JSON.stringify(position)} is not valid for ${this.batches} batches per epoch`);
    }
  }

  /** Continue from a recorded position. */
  seek(position: LoaderPosition): void {
    this.checkPosition(position);
    this.epoch = position.epoch;
    this.batchIndex = position.batch;
  }

  /** Row order of an epoch. */
  order(epoch: number): Int32Array {
    const ids = Int32Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.shuffle) new Random(layerSeed(this.seed, epoch)).shuffle(ids);
    return ids;
  }

  /** Batch `index` of `epoch` (made on the current backend). */
  batchAt(epoch: number, index: number, order = this.order(epoch)): Batch {
    const start = index * this.batchSize;
    const rows = order.subarray(start, Math.min(start + this.batchSize, order.length));
    const d = this.dataset.features;
    // Sized for the biggest batch there can be: batchSize rows, or the whole data set when it is smaller.
    if (!this.staging || this.staging.length < rows.length * d) this.staging = new Float32Array(Math.min(this.batchSize, this.dataset.length) * d);
    const x = this.staging.subarray(0, rows.length * d);
    this.dataset.gather(rows, x);
    const y = new Int32Array(rows.length);
    for (let r = 0; r < rows.length; r++) y[r] = this.dataset.labels[rows[r]];
    return { x: tensor(x, { shape: [rows.length, d] }), y };
  }

  /**
   * The rest of the current epoch, from the current position; when it is done the
   * position moves to the start of the next epoch.
   */
  *[Symbol.iterator](): Generator<Batch> {
    const epoch = this.epoch;
    const order = this.order(epoch);
    const total = this.batches;
    while (this.batchIndex < total) {
      const batch = this.batchAt(epoch, this.batchIndex, order);
      this.batchIndex++;
      yield batch;
    }
    this.epoch = epoch + 1;
    this.batchIndex = 0;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    yield* this[Symbol.iterator]();
  }
}
