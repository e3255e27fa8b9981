// Image batches gathered in WebAssembly (nn/data/pixel-lookup.ts) hold the same bits as
// the table lookup in JS, for any rows in any order and any row width; bad rows are
// refused with their value.
import { describe, expect, it } from 'vitest';
import { ImageDataset } from '../../nn/data/dataset';
import { PixelLookup } from '../../nn/data/pixel-lookup';
import { Random } from '../../engine/random';

function images(count: number, rows: number, cols: number, seed: number): ImageDataset {
  const rng = new Random(seed);
  const pixels = Uint8Array.from({ length: count * rows * cols }, () => rng.int(256));
  const labels = Int32Array.from({ length: count }, () => rng.int(10));
  return new ImageDataset(pixels, labels, rows, cols, 10, 0.2860, 0.3530, 'test-images');
}

describe('pixel lookup', () => {
  for (const [rows, cols] of [[28, 28], [1, 3], [3, 3], [5, 1]]) {
    it(`${rows}×${cols} rows in any order give (p/255 − mean)/std as float32, as the JS table`, () => {
      const data = images(50, rows, cols, rows * 100 + cols);
      const d = rows * cols;
      const table = Float32Array.from({ length: 256 }, (_, p) => (p / 255 - data.mean) / data.std);
      const lookup = new PixelLookup(table);
      for (const indices of [[0], [49, 0, 49, 7], Array.from({ length: 50 }, (_, i) => 49 - i), []]) {
        const viaDataset = new Float32Array(indices.length * d);
        data.gather(indices, viaDataset);
        const viaLookup = new Float32Array(indices.length * d);
        lookup.gather(data.pixels, d, indices, viaLookup);
        const expected = Float32Array.from(indices.flatMap((r) => Array.from(data.pixels.subarray(r * d, r * d + d), (p) => table[p])));
        expect(Array.from(viaDataset)).toEqual(Array.from(expected));
        expect(Array.from(viaLookup)).toEqual(Array.from(expected));
      }
    });
  }

  it('a big batch after a small one (the memory grows) and back', () => {
    const data = images(600, 28, 28, 3);
    const order = Array.from({ length: 600 }, (_, i) => (i * 7919) % 600);
    for (const n of [2, 600, 3]) {
      const out = new Float32Array(n * 784);
      data.gather(order.slice(0, n), out);
      expect(out[n * 784 - 1]).toBe(Math.fround((data.pixels[order[n - 1] * 784 + 783] / 255 - data.mean) / data.std));
    }
  });

  it('refuses a row outside the set and an output too small, naming them', () => {
    const data = images(5, 2, 2, 4);
    expect(() => data.gather([0, 5], new Float32Array(8))).toThrow('test-images: row 5 is not in 0..4');
    expect(() => data.gather([-1], new Float32Array(4))).toThrow('row -1 is not in 0..4');
    expect(() => data.gather([1.5], new Float32Array(4))).toThrow('row 1.5');
    expect(() => data.gather([0, 1], new Float32Array(7))).toThrow('2 rows of 4 pixels do not fit in 7 floats');
  });
});
