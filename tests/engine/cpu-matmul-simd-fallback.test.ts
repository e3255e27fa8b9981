// When the WebAssembly memory cannot grow, the CPU matmul falls back to the JS loops and
// still returns the right product (a file of its own: the shared kernel instance must
// be fresh, so this product is the first to need more memory).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matmulInto } from '../../engine/backends/cpu-matmul';
import { simdMatmulSupported } from '../../engine/backends/wasm/simd-matmul';
import { randomFloat32 } from '../helpers/random';

describe.runIf(simdMatmulSupported())('CPU matmul when wasm memory cannot grow', () => {
  afterEach(() => vi.restoreAllMocks());

  it('auto falls back to the JS loops with the same values; a forced SIMD path reports the RangeError', () => {
    const [m, k, n] = [96, 200, 72];
    const a = randomFloat32(m * k, 1);
    const b = randomFloat32(k * n, 2);
    const expected = new Float32Array(m * n);
    expect(matmulInto(a, b, expected, m, k, n, false, false, 'js')).toBe('js');

    const grow = vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    const c = new Float32Array(m * n);
    expect(matmulInto(a, b, c, m, k, n, false, false)).toBe('js');
    expect(grow).toHaveBeenCalled();
    expect(Array.from(c)).toEqual(Array.from(expected));

    expect(() => matmulInto(a, b, new Float32Array(m * n), m, k, n, false, false, 'simd')).toThrow(RangeError);

    // Memory that can grow again: the SIMD path is taken and agrees within float32 rounding.
    grow.mockRestore();
    const d = new Float32Array(m * n);
    expect(matmulInto(a, b, d, m, k, n, false, false)).toBe('simd');
    for (let i = 0; i < m * n; i++) expect(Math.abs(d[i] - expected[i])).toBeLessThan(1e-4);
  });
});
