// σ's WebAssembly SIMD kernels (engine/backends/wasm/sigmoid-kernel.ts) against the
// float64 reference, densely over [−100, 100], with NaN, ±∞ and ±0; the backward from y
// (and its column sums) bit for bit the JS loop's, and the spec's backward from x.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { sigmoidSimd } from '../../engine/backends/wasm/sigmoid-kernel';

const sigmoid = gs.activations.get('sigmoid');
const f = (x: number) => sigmoid.cpu.f(x, {}, 0);

describe.runIf(sigmoidSimd() !== null)('sigmoid SIMD kernels', () => {
  const kernels = sigmoidSimd()!;
  const xs = Float32Array.from({ length: 200 * 256 + 3 }, (_, i) => -100 + i / 256);

  it('forward within 2.5e-7 relative where σ is a normal float32, below 1.2e-38 where it is not', () => {
    const y = new Float32Array(xs.length);
    kernels.forward(xs, y);
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const expected = Math.fround(f(xs[i]));
      if (expected < 1.2e-38) expect(y[i]).toBeLessThan(1.2e-38);
      else worst = Math.max(worst, Math.abs(y[i] - expected) / expected);
    }
    expect(worst).toBeLessThan(2.5e-7);
  });

  it('backward from y, and with column sums: the JS loop dy·(y·(1 − y)) bit for bit, NaN and ±∞ included', () => {
    const [rows, n] = [xs.length >> 8, 256];
    const y = new Float32Array(rows * n);
    kernels.forward(xs.subarray(0, rows * n), y);
    y.set([NaN, 1, 0, 0.5, 1e-45]);
    const dy = Float32Array.from(y, (_, i) => (i % 5) - 2.5);
    dy.set([Infinity, -Infinity], 10);
    const want = Float32Array.from(y, (v, i) => dy[i] * sigmoid.cpu.df(NaN, v, {}, 0));
    const wantSums = new Float64Array(n).fill(0.5);
    for (let i = 0; i < rows * n; i++) wantSums[i % n] += want[i];
    const dx = new Float32Array(rows * n);
    kernels.backward(y, dy, dx);
    const dx2 = new Float32Array(rows * n);
    const sums = new Float64Array(n).fill(0.5);
    kernels.backwardWithSums(y, dy, dx2, rows, n, sums);
    const same = (got: number, w: number) => (Number.isNaN(w) ? Number.isNaN(got) : Object.is(got, w));
    for (let i = 0; i < rows * n; i++) if (!same(dx[i], want[i]) || !same(dx2[i], want[i])) expect(`dx[${i}] = ${dx[i]}, ${dx2[i]}`).toBe(`dx[${i}] = ${want[i]}`);
    for (let j = 0; j < n; j++) if (!same(sums[j], wantSums[j])) expect(`sum[${j}] = ${sums[j]}`).toBe(`sum[${j}] = ${wantSums[j]}`);
  });

  it('the spec\'s backward given x: dy·σ(x)(1 − σ(x)) within 2e-7·|dy|', () => {
    const dy = Float32Array.from(xs, (_, i) => (i % 5) - 2.5);
    const dx = new Float32Array(xs.length);
    sigmoid.cpu.simd!()!.backward(xs, dy, dx, {}, {});
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(dx[i] - dy[i] * f(xs[i]) * (1 - f(xs[i]))) / Math.abs(dy[i]));
    expect(worst).toBeLessThan(2e-7);
  });

  it('NaN, ±∞ and ±0 as the reference', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0];
    const y = new Float32Array(5);
    kernels.forward(Float32Array.from(specials), y);
    expect(Array.from(y)).toEqual([NaN, 1, 0, 0.5, 0.5]);
    specials.forEach((v, i) => expect(Number.isNaN(y[i]) ? Number.isNaN(f(v)) : y[i] === f(v)).toBe(true));
  });
});
