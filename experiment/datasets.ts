// The data the comparison trains on, from gs.data: FashionMNIST and MNIST through its
// binary cache (Node; a browser page passes its own loader built with
// gs.data.imageSetFromBytes), and the seeded 2-D sets.

import * as data from '../nn/data/index';
import type { Dataset as DataRows } from '../nn/data/index';
import type { DatasetName } from './options';

export interface Dataset {
  name: DatasetName;
  features: number;
  classes: number;
  train: DataRows;
  test: DataRows;
  /** How the samples were chosen, for the report. */
  description: string;
}

export interface DatasetRequest {
  name: DatasetName;
  trainSize: number;
  testSize: number;
  seed: number;
}

export type DatasetLoader = (request: DatasetRequest) => Promise<Dataset>;

/** Noise of the 2-D sets: enough that a linear model cannot separate them perfectly. */
export const SYNTHETIC_NOISE: Record<'moons' | 'circles' | 'spirals' | 'xor', number> = { moons: 0.2, circles: 0.1, spirals: 0.1, xor: 0.1 };

export async function loadDataset(request: DatasetRequest): Promise<Dataset> {
  const { name, trainSize, testSize, seed } = request;
  if (name === 'fashion-mnist' || name === 'mnist') {
    const sets = await (name === 'fashion-mnist' ? data.fashionMnist : data.mnist)({ trainSize, testSize, seed });
    return {
      name,
      features: sets.train.features,
      classes: sets.train.classes,
      train: sets.train,
      test: sets.test,
      description:
        `${name}: ${sets.train.length} training and ${sets.test.length} test images, a seeded subset (seed ${seed}) of gs.data's fixed split ` +
        `(FashionMNIST: first 6,000 of each class train, last 1,000 test)`,
    };
  }
  const noise = SYNTHETIC_NOISE[name];
  const make = { moons: data.moons, circles: data.circles, spirals: data.spirals, xor: data.xor }[name];
  // Train and test are independent draws of the same distribution.
  const train = make({ n: trainSize, noise, seed });
  const test = make({ n: testSize, noise, seed: seed + 1_000_003 });
  return {
    name,
    features: train.features,
    classes: train.classes,
    train,
    test,
    description: `${name}: ${trainSize} training and ${testSize} test points, noise ${noise}, seeds ${seed} and ${seed + 1_000_003}`,
  };
}
