// GELU's WebAssembly SIMD kernels (engine/backends/wasm/gelu-kernel.ts) against the
// float64 reference (the spec's f and df, erfc-based), densely over the whole range where
// the outputs are normal float32s and into both tails, with NaN, ±∞ and ±0; and the
// f32x4 exponential they are built on (simd-exp.ts) against Math.exp.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { geluSimd } from '../../engine/backends/wasm/gelu-kernel';

const gelu = gs.activations.get('gelu');
const f = (x: number) => gelu.cpu.f(x, {}, 0);
const df = (x: number) => gelu.cpu.df(x, NaN, {}, 0);

/** Relative error, with an absolute floor where float32 itself has no relative accuracy left. */
const err = (actual: number, expected: number) => Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);

describe.runIf(geluSimd() !== null)('GELU SIMD kernels', () => {
  const kernels = geluSimd()!;
  // Every 1/1024 from −16 to 16, plus an odd count so the last group is padded.
  const xs = Float32Array.from({ length: 32 * 1024 + 3 }, (_, i) => -16 + i / 1024);

  it('forward within 1e-6 relative of x·Φ(x) down to x = −12 (|y| ≈ 1e-32), and tiny beyond', () => {
    const y = new Float32Array(xs.length);
    kernels.forward(xs, y);
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const expected = Math.fround(f(xs[i]));
      if (xs[i] >= -12) worst = Math.max(worst, err(y[i], expected));
      else expect(Math.abs(y[i])).toBeLessThan(1e-30);
    }
    expect(worst).toBeLessThan(1e-6);
  });

  // f′ crosses 0 near x = −0.75, so its error is measured against |dy| (absolute, per unit dy).
  it('backward within 3e-7·|dy| of dy·(Φ(x) + x·φ(x)), in place too', () => {
    const dy = Float32Array.from(xs, (_, i) => (i % 7) - 3.5);
    const dx = new Float32Array(xs.length);
    kernels.backward(xs, dy, dx);
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(dx[i] - dy[i] * df(xs[i])) / Math.abs(dy[i]));
    expect(worst).toBeLessThan(3e-7);
    const inPlace = dy.slice();
    kernels.backward(xs, inPlace, inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(dx));
  });

  it('NaN, ±∞ and ±0 give what the reference gives', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 3e38, -3e38];
    const x = Float32Array.from(specials);
    const y = new Float32Array(x.length);
    kernels.forward(x, y);
    const dx = new Float32Array(x.length);
    kernels.backward(x, new Float32Array(x.length).fill(1), dx);
    specials.forEach((v, i) => {
      const [ey, ed] = [Math.fround(f(v)), Math.fround(df(v))];
      if (Number.isNaN(ey)) expect(y[i], `f(${v})`).toBeNaN();
      else expect(y[i], `f(${v})`).toBeCloseTo(ey, 6);
      if (Number.isNaN(ed)) expect(dx[i], `f'(${v})`).toBeNaN();
      else expect(dx[i], `f'(${v})`).toBeCloseTo(ed, 6);
    });
    expect(Object.is(y[3], 0)).toBe(true); // gelu(0) = 0·½
  });
});
