// tanh's WebAssembly SIMD kernels (engine/backends/wasm/tanh-kernel.ts): the float32
// forward against the float64 reference (Math.tanh) within 2 ulp, densely over
// [−50, 50] and on a log grid down to the denormals, with NaN, ±∞ and ±0 as Math.tanh;
// the backward, fused or not, bit for bit the JS loop's dy·(1 − y·y) and its column sums;
// and the fused linear layer through the registered spec against the JS loops.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { paramLayout, type ActivationSpec } from '../../engine/activation-spec';
import { tanhSimd } from '../../engine/backends/wasm/tanh-kernel';
import { Random } from '../../engine/random';

const tanh = gs.activations.get('tanh');

/** One float32 ulp at v (the spacing of float32 values around |v|). */
function ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

describe.runIf(tanhSimd() !== null)('tanh SIMD kernels', () => {
  const kernels = tanhSimd()!;

  it('forward within 2 ulp of Math.tanh, from the denormals to ±50', () => {
    const dense = Array.from({ length: 100 * 512 + 1 }, (_, i) => -50 + i / 512);
    const small = Array.from({ length: 2000 }, (_, i) => 10 ** (-44 + (i * 44) / 2000)).flatMap((v) => [v, -v]);
    const xs = Float32Array.from([...dense, ...small, 0.625, Math.fround(0.625) - 2 ** -24, 0.6249999, 44, 88, 1e30]);
    const y = new Float32Array(xs.length);
    kernels.forward(xs, y);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = Math.tanh(xs[i]);
      const err = Math.abs(y[i] - want) / ulp(want);
      if (err > worst) [worst, at] = [err, xs[i]];
      expect(Math.sign(y[i]) === Math.sign(want) || y[i] === 0).toBe(true);
    }
    expect(worst, `worst at x = ${at}`).toBeLessThanOrEqual(2);
  });

  it('NaN, ±∞ and ±0 as Math.tanh', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45];
    const y = new Float32Array(specials.length);
    kernels.forward(Float32Array.from(specials), y);
    specials.forEach((v, i) => {
      const want = Math.fround(Math.tanh(v));
      expect(Number.isNaN(want) ? Number.isNaN(y[i]) : Object.is(y[i], want), `tanh(${v}) = ${y[i]}`).toBe(true);
    });
  });

  it('backward and backward with column sums: the JS loop dy·(1 − y·y) bit for bit, NaN and ±∞ included', () => {
    const rng = new Random(3);
    const [rows, n] = [7, 12];
    const y = Float32Array.from({ length: rows * n }, () => Math.tanh(rng.uniform() * 8 - 4));
    const dy = Float32Array.from({ length: rows * n }, () => rng.uniform() * 4 - 2);
    y.set([NaN, 1, -1, 0, -0]);
    dy.set([Infinity, -Infinity, 1e-45], 10);
    const want = Float32Array.from(y, (v, i) => dy[i] * (1 - v * v));
    const wantSums = new Float64Array(n).fill(0.25);
    for (let i = 0; i < rows * n; i++) wantSums[i % n] += want[i];

    const dx = new Float32Array(rows * n);
    kernels.backward(y, dy, dx);
    const sums = new Float64Array(n).fill(0.25);
    const dx2 = new Float32Array(rows * n);
    kernels.backwardWithSums(y, dy, dx2, rows, n, sums);
    for (let i = 0; i < rows * n; i++) {
      for (const got of [dx[i], dx2[i]]) expect(Number.isNaN(want[i]) ? Number.isNaN(got) : Object.is(got, want[i]), `dx[${i}]`).toBe(true);
    }
    for (let j = 0; j < n; j++) expect(Number.isNaN(wantSums[j]) ? Number.isNaN(sums[j]) : Object.is(sums[j], wantSums[j]), `sum[${j}]`).toBe(true);
  });

  it('the fused linear epilogue: y = tanh(z + b) with z + b rounded to float32, kept when asked', () => {
    const rng = new Random(5);
    const [rows, n] = [5, 8];
    const z = Float32Array.from({ length: rows * n }, () => rng.uniform() * 6 - 3);
    const b = Float32Array.from({ length: n }, () => rng.uniform() - 0.5);
    const zb = Float32Array.from(z, (v, i) => v + b[i % n]);
    const want = new Float32Array(rows * n);
    kernels.forward(zb, want);
    const y = new Float32Array(rows * n);
    const kept = z.slice();
    kernels.linear(kept, b, y, rows, n, true);
    expect(Array.from(y)).toEqual(Array.from(want));
    expect(Array.from(kept)).toEqual(Array.from(zb));
  });

  it('the fused layer through the registered spec: values and gradients of the JS loops within float32 rounding', async () => {
    await gs.setBackend('cpu');
    const jsLoops: ActivationSpec = { ...tanh, cpu: { ...tanh.cpu, simd: undefined } };
    const rng = new Random(7);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
    const [m, k] = [8, 64];
    for (const n of [16, 10]) {
      const xv = rand(m * k), wv = rand(n * k), bv = rand(n), gv = rand(m * n);
      const run = async (spec: ActivationSpec) => {
        const x = gs.tensor(xv, { shape: [m, k], requiresGrad: true });
        const w = gs.tensor(wv, { shape: [n, k], requiresGrad: true });
        const b = gs.tensor(bv, { requiresGrad: true });
        const y = gs.linear(x, w, b, { spec, layout: paramLayout(spec, n), params: [] });
        y.mul(gs.tensor(gv, { shape: [m, n] })).sum().backward();
        const out = await Promise.all([y, x.grad!, w.grad!, b.grad!].map((t) => t.toArray()));
        gs.dispose(x, w, b, y);
        return out as Float32Array[];
      };
      const [fast, slow] = [await run(tanh), await run(jsLoops)];
      fast.forEach((got, i) => {
        let worst = 0;
        for (let j = 0; j < got.length; j++) worst = Math.max(worst, Math.abs(got[j] - slow[i][j]));
        expect(worst, `n=${n} output ${i} (y, dx, dw, db)`).toBeLessThan(2e-6);
      });
    }
  });
});
