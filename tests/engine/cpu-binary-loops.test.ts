// The CPU backend's per-op binary loops against the op's rule applied element by element,
// for each of the four shapes a product can take (same shapes, a scalar on either side,
// a general broadcast), NaN, ±∞ and ±0 included; and the branch-free comparisons against
// torch's values.
import { describe, expect, it } from 'vitest';
import type { BinaryOp } from '../../engine/backend';
import { CpuBackend } from '../../engine/backends/cpu';
import { BINARY } from '../../engine/backends/cpu-binary-loops';

const VALUES = [NaN, Infinity, -Infinity, 0, -0, 1.5, -2, 3, 3, 1e-30];
const OPS = Object.keys(BINARY) as BinaryOp[];

async function run(op: BinaryOp, a: number[], aShape: number[], b: number[], bShape: number[], outShape: number[]): Promise<number[]> {
  const backend = new CpuBackend(Float64Array);
  return Array.from(await backend.read(backend.binary(op, backend.upload(a), aShape, backend.upload(b), bShape, outShape), outShape.reduce((x, y) => x * y, 1)));
}

describe('CPU binary loops', () => {
  for (const op of OPS) {
    it(`${op}: same shapes, scalar right, scalar left, broadcast`, async () => {
      const f = BINARY[op];
      const n = VALUES.length;
      const b = [...VALUES].reverse();
      expect(await run(op, VALUES, [n], b, [n], [n])).toEqual(VALUES.map((v, i) => f(v, b[i])));
      for (const s of [NaN, -0, 3]) {
        expect(await run(op, VALUES, [n], [s], [], [n])).toEqual(VALUES.map((v) => f(v, s)));
        expect(await run(op, [s], [1], VALUES, [n], [n])).toEqual(VALUES.map((v) => f(s, v)));
      }
      // [2, 1] against [1, 5]: every pair
      const col = [NaN, 2];
      const row = VALUES.slice(2, 7);
      expect(await run(op, col, [2, 1], row, [1, 5], [2, 5])).toEqual(col.flatMap((c) => row.map((r) => f(c, r))));
    });
  }

  it('comparisons as torch: NaN compares false, −0 equals 0', async () => {
    expect(await run('gt', [NaN, 1, 0, -0, Infinity], [5], [0], [], [5])).toEqual([0, 1, 0, 0, 1]);
    expect(await run('eq', [NaN, 1, 0, -0, Infinity], [5], [0], [], [5])).toEqual([0, 0, 1, 1, 0]);
  });
});
