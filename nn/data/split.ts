// Splitting and scaling a dataset of float features as scikit-learn does in the
// tutorials: train_test_split (a seeded permutation, the first test-size rows for the
// test set, the rest for training) and StandardScaler (per-feature mean and population
// std fitted on the training part only, then applied to both parts).

import { Random } from '../../engine/random';
import { ArrayDataset } from './dataset';

export interface TrainTestSplit<D> {
  train: D;
  test: D;
}

/** A seeded random split of `dataset` into testSize and the remaining rows (sklearn's train_test_split). */
export function trainTestSplit(dataset: ArrayDataset, testSize: number, seed: number): TrainTestSplit<ArrayDataset> {
  if (!(Number.isInteger(testSize) && testSize >= 1 && testSize < dataset.length)) {
    throw new Error(`trainTestSplit: testSize must be an integer in [1, ${dataset.length - 1}] for ${dataset.length} rows, got ${testSize}`);
  }
  const order = Int32Array.from({ length: dataset.length }, (_, i) => i);
  new Random(seed).shuffle(order);
  return { test: dataset.select(order.subarray(0, testSize)), train: dataset.select(order.subarray(testSize)) };
}

export interface FeatureScaling {
  mean: number[];
  std: number[];
}

/** Per-feature mean and population std (ddof 0, as StandardScaler), in float64. */
export function featureScaling(dataset: ArrayDataset): FeatureScaling {
  const d = dataset.features;
  const n = dataset.length;
  const mean = new Array<number>(d).fill(0);
  const variance = new Array<number>(d).fill(0);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += dataset.x[r * d + j] / n;
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) variance[j] += (dataset.x[r * d + j] - mean[j]) ** 2 / n;
  return { mean, std: variance.map(Math.sqrt) };
}

/** The rows scaled to (x − mean)/std per feature; a feature with std 0 is only centred (as StandardScaler). */
export function scaled(dataset: ArrayDataset, scaling: FeatureScaling): ArrayDataset {
  const d = dataset.features;
  if (scaling.mean.length !== d || scaling.std.length !== d) throw new Error(`scaled: ${scaling.mean.length} means for ${d} features`);
  const x = new Float32Array(dataset.x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    x[i] = (dataset.x[i] - scaling.mean[j]) / (scaling.std[j] > 0 ? scaling.std[j] : 1);
  }
  return new ArrayDataset(x, dataset.labels, d, dataset.classes, dataset.name);
}

/** StandardScaler fitted on the training part, applied to both. */
export function standardize(split: TrainTestSplit<ArrayDataset>): TrainTestSplit<ArrayDataset> & { scaling: FeatureScaling } {
  const scaling = featureScaling(split.train);
  return { train: scaled(split.train, scaling), test: scaled(split.test, scaling), scaling };
}
