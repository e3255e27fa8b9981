// A dataset is rows of features plus integer labels. Rows are gathered into a batch
// buffer on demand, so image sets stay as uint8 pixels (70,000 images = 55 MB, not
// 220 MB of floats) and are normalised only when a batch is made.

import { pixelLookup, type PixelLookup } from './pixel-lookup';

export interface Dataset {
  readonly name: string;
  /** Number of rows. */
  readonly length: number;
  /** Values per row (784 for 28×28 images, 2 for the synthetic sets). */
  readonly features: number;
  readonly classes: number;
  readonly labels: Int32Array;
  /** Write the features of rows `indices` into `out`, row after row. */
  gather(indices: ArrayLike<number>, out: Float32Array): void;
}

function checkLabels(name: string, labels: Int32Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < classes)) throw new Error(`${name}: label ${l} at row ${i} is not in [0, ${classes - 1}]`);
  }
}

/** Float features held as they are. */
export class ArrayDataset implements Dataset {
  readonly length: number;
  constructor(
    readonly x: Float32Array,
    readonly labels: Int32Array,
    readonly features: number,
    readonly classes: number,
    readonly name = 'arrays',
  ) {
    if (!Number.isInteger(features) || features <= 0) throw new Error(`${name}: features must be a positive integer, got ${features}`);
    if (x.length !== labels.length * features) {
      throw new Error(`${name}: ${x.length} feature values do not make ${labels.length} rows of ${features}`);
    }
    checkLabels(name, labels, classes);
    this.length = labels.length;
  }

  gather(indices: ArrayLike<number>, out: Float32Array): void {
    const d = this.features;
    for (let r = 0; r < indices.length; r++) out.set(this.x.subarray(indices[r] * d, indices[r] * d + d), r * d);
  }

  /** The rows `indices` as a new dataset (a copy). */
  select(indices: ArrayLike<number>, name = this.name): ArrayDataset {
    const x = new Float32Array(indices.length * this.features);
    this.gather(indices, x);
    return new ArrayDataset(x, Int32Array.from(indices, (i) => this.labels[i]), this.features, this.classes, name);
  }
}

/**
 * A dataset from plain arrays (in a browser, or your own data): x as [n][features]
 * nested arrays or a flat array with `features` given; y integer labels.
 */
export function fromArrays(
  x: ArrayLike<number> | readonly (readonly number[])[],
  y: ArrayLike<number>,
  options: { features?: number; classes?: number; name?: string } = {},
): ArrayDataset {
  const nested = Array.isArray(x) && Array.isArray(x[0]);
  const features = options.features ?? (nested ? (x[0] as number[]).length : NaN);
  if (!nested && options.features === undefined) throw new Error('fromArrays: a flat x needs options.features');
  const flat = nested ? Float32Array.from((x as number[][]).flat()) : Float32Array.from(x as ArrayLike<number>);
  const labels = Int32Array.from(y);
  let maxLabel = -1;
  for (const l of labels) maxLabel = Math.max(maxLabel, l);
  return new ArrayDataset(flat, labels, features, options.classes ?? maxLabel + 1, options.name ?? 'arrays');
}

/** uint8 pixels, normalised when gathered: (p / 255 − mean) / std. */
export class ImageDataset implements Dataset {
  readonly length: number;
  readonly features: number;
  private readonly table = new Float32Array(256);
  /** The WebAssembly gather, made on first use; null where the engine has none. */
  private lookup: PixelLookup | null | undefined;

  constructor(
    readonly pixels: Uint8Array,
    readonly labels: Int32Array,
    readonly rows: number,
    readonly cols: number,
    readonly classes: number,
    readonly mean: number,
    readonly std: number,
    readonly name = 'images',
  ) {
    this.features = rows * cols;
    if (pixels.length !== labels.length * this.features) {
      throw new Error(`${name}: ${pixels.length} pixels do not make ${labels.length} images of ${rows}×${cols}`);
    }
    checkLabels(name, labels, classes);
    this.length = labels.length;
    for (let p = 0; p < 256; p++) this.table[p] = (p / 255 - mean) / std;
  }

  gather(indices: ArrayLike<number>, out: Float32Array): void {
    const { features: d, table, pixels } = this;
    for (let r = 0; r < indices.length; r++) {
      const row = indices[r];
      if (!(Number.isInteger(row) && row >= 0 && row < this.length)) throw new RangeError(`${this.name}: row ${row} is not in 0..${this.length - 1}`);
    }
    if (out.length < indices.length * d) throw new RangeError(`${this.name}: ${indices.length} rows of ${d} pixels do not fit in ${out.length} floats`);
    // In WebAssembly where there is one (pixel-lookup.ts: the same table, the same bits).
    this.lookup ??= pixelLookup(table);
    if (this.lookup) return this.lookup.gather(pixels, d, indices, out);
    for (let r = 0; r < indices.length; r++) {
      const row = pixels.subarray(indices[r] * d, indices[r] * d + d);
      const dst = r * d;
      for (let j = 0; j < d; j++) out[dst + j] = table[row[j]];
    }
  }

  /** The rows `indices` as a new dataset (a copy of their pixels). */
  select(indices: ArrayLike<number>, name = this.name): ImageDataset {
    const d = this.features;
    const pixels = new Uint8Array(indices.length * d);
    const labels = new Int32Array(indices.length);
    for (let r = 0; r < indices.length; r++) {
      pixels.set(this.pixels.subarray(indices[r] * d, indices[r] * d + d), r * d);
      labels[r] = this.labels[indices[r]];
    }
    return new ImageDataset(pixels, labels, this.rows, this.cols, this.classes, this.mean, this.std, name);
  }
}
