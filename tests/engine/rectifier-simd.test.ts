// relu's and leaky_relu's WebAssembly SIMD kernels (engine/backends/wasm/relu-kernel.ts,
// leaky-relu-kernel.ts) and the shared loops' fused forms (elementwise-kernel.ts: the
// linear layer's bias add, the backward with its bias-gradient column sums) against the
// JS loops they replace, BIT FOR BIT: the spec's fast forms element by element (in the
// fused layer of z + b summed in float64), column sums added in float64 row by row. Values: random, with NaN,
// ±∞, ±0, denormals and the float32 extremes mixed in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { leakyReluSimd } from '../../engine/backends/wasm/leaky-relu-kernel';
import { reluSimd } from '../../engine/backends/wasm/relu-kernel';
import type { ElementwiseSimd } from '../../engine/backends/wasm/elementwise-simd';
import { Random } from '../../engine/random';
import type { ActivationInstance } from '../../engine/ops';

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1.1754942e-38, -3.4028235e38, 3.4028235e38, 1, -1, 0.5, -2.5];

/** n values: specials first, then uniform in [−4, 4] from a seeded generator. */
function values(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, (_, i) => (i < SPECIALS.length && seed % 2 === 0 ? SPECIALS[i] : rng.uniform() * 8 - 4));
}

/** Equal bit for bit, NaN to any NaN. */
function sameBits(got: Float32Array | Float64Array, want: Float32Array | Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const same = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Object.is(got[i], want[i]);
    if (!same) expect(`${what}[${i}] = ${got[i]}`).toBe(`${what}[${i}] = ${want[i]}`);
  }
}

interface Case {
  name: string;
  kernels: ElementwiseSimd | null;
  param: number;
  /** The JS loops' f (the spec's fastF) and dy·f′ (from what the kernel's f′ reads). */
  f: (x: number) => number;
  grad: (input: number, dy: number) => number;
  /** Whether f′ reads y (relu) or x (leaky_relu). */
  readsOutput: boolean;
}

const relu = gs.activations.get('relu');
const leaky = gs.activations.get('leaky_relu');
const slope = { negative_slope: new Float32Array([0.01]) };
const CASES: Case[] = [
  { name: 'relu', kernels: reluSimd(), param: 0, f: (x) => relu.cpu.fastF!(x, {}, 0), grad: (y, dy) => dy * relu.cpu.df(NaN, y, {}, 0), readsOutput: true },
  {
    name: 'leaky_relu',
    kernels: leakyReluSimd(),
    param: Math.fround(0.01), // as the spec passes it: the parameter tensor's float32 value
    f: (x) => leaky.cpu.fastF!(x, slope, 0),
    grad: (x, dy) => dy * leaky.cpu.backward!(x, NaN, dy, slope, 0, {}),
    readsOutput: false,
  },
];

for (const c of CASES) {
  describe.runIf(c.kernels !== null)(`${c.name} SIMD kernels`, () => {
    const k = c.kernels!;

    it('forward and backward: the JS loops’ values, bit for bit (odd lengths: padding lanes never leak)', () => {
      for (const size of [1, 5, 14, 1027]) {
        const x = values(size, size * 2);
        const dy = values(size, size * 2 + 1);
        const y = new Float32Array(size);
        k.forward(x, y, c.param);
        sameBits(y, Float32Array.from(x, c.f), 'y');
        const input = c.readsOutput ? y : x;
        const dx = new Float32Array(size);
        k.backward(input, dy, dx, c.param);
        sameBits(dx, Float32Array.from(input, (v, i) => c.grad(v, dy[i])), 'dx');
      }
    });

    it('linear: y = f(z + b) as the JS loops (f of the float64 sum), z keeping z + b rounded to float32 or not', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }), (rows, groups, keepZ, seed) => {
          const n = 4 * groups;
          const z = values(rows * n, 2 * seed);
          const b = values(n, 2 * seed + 1);
          const zb = Float32Array.from(z, (v, i) => v + b[i % n]);
          const y = new Float32Array(rows * n);
          const zIn = z.slice();
          k.linear(zIn, b, y, rows, n, keepZ, c.param);
          sameBits(y, Float32Array.from(z, (v, i) => c.f(v + b[i % n])), 'y'); // f of the float64 sum, as the JS loops
          sameBits(zIn, keepZ ? zb : z, 'z');
        }),
        { numRuns: 60 },
      );
    });

    it('linear in place (y is z): y = f(z + b)', () => {
      const rows = 3, n = 8;
      const z = values(rows * n, 4);
      const b = values(n, 5);
      const want = Float32Array.from(z, (v, i) => c.f(v + b[i % n]));
      k.linear(z, b, z, rows, n, false, c.param);
      sameBits(z, want, 'y');
    });

    it('backward with column sums: dx as the loops, and Σ over rows of dx added in float64, row by row', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 1000 }), (rows, groups, seed) => {
          const n = 4 * groups;
          const input = values(rows * n, 2 * seed);
          const dy = values(rows * n, 2 * seed + 1);
          const start = Float64Array.from({ length: n }, (_, j) => j * 0.1 - 0.3); // sums ADD into what is there
          const wantDx = Float32Array.from(input, (v, i) => c.grad(v, dy[i]));
          const wantSums = start.slice();
          for (let i = 0; i < rows * n; i++) wantSums[i % n] += wantDx[i];
          const dx = new Float32Array(rows * n);
          const sums = start.slice();
          k.backwardWithSums(input, dy, dx, rows, n, sums, c.param);
          sameBits(dx, wantDx, 'dx');
          sameBits(sums, wantSums, 'sums');
        }),
        { numRuns: 60 },
      );
    });

    it('rows that are not whole groups of four are refused, naming n', () => {
      expect(() => k.linear(new Float32Array(6), new Float32Array(3), new Float32Array(6), 2, 3, false, c.param)).toThrow(/multiple of 4.*got 3/);
      expect(() => k.backwardWithSums(new Float32Array(6), new Float32Array(6), new Float32Array(6), 2, 3, new Float64Array(3), c.param)).toThrow(/got 3/);
    });
  });
}

describe('the fused layer on the CPU backend', () => {
  it('Linear + relu / leaky_relu / gelu / sigmoid: the values and gradients of the layer unfused (relu bit for bit)', async () => {
    await gs.setBackend('cpu');
    const rng = new Random(3);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
    // 16 outputs: whole SIMD groups (the kernels); 10: the loops. Products big enough for
    // the SIMD matmul, whose sums run in one order however the operands are laid out.
    const [m, k] = [8, 64];
    for (const n of [16, 10]) {
      const xv = rand(m * k), wv = rand(n * k), bv = rand(n), gv = rand(m * n);
      for (const name of ['relu', 'leaky_relu', 'gelu', 'sigmoid']) {
        const run = async (fused: boolean) => {
          const x = gs.tensor(xv, { shape: [m, k], requiresGrad: true });
          const w = gs.tensor(wv, { shape: [n, k], requiresGrad: true });
          const b = gs.tensor(bv, { requiresGrad: true });
          const act = gs.activation(name) as gs.nn.Module & { instance: ActivationInstance };
          const y = fused ? gs.linear(x, w, b, act.instance) : act.forward(x.matmul(w.transpose()).add(b));
          y.mul(gs.tensor(gv, { shape: [m, n] })).sum().backward();
          const out = await Promise.all([y, x.grad!, w.grad!, b.grad!].map((t) => t.toArray()));
          gs.dispose(x, w, b, y);
          return out;
        };
        const [fused, plain] = [await run(true), await run(false)];
        // relu: the same bits. leaky_relu's fused form takes f of z + b unrounded (as its JS
        // loop always did), the unfused one of z + b rounded: a last bit apart at most.
        // gelu and sigmoid: float32 SIMD formulas against the JS loops'.
        const tolerance = name === 'relu' ? 0 : 2e-6;
        fused.forEach((got, i) => {
          const want = plain[i];
          if (tolerance === 0) sameBits(got as Float32Array, want as Float32Array, `${name} n=${n} output ${i}`);
          else for (let j = 0; j < got.length; j++) expect(Math.abs(got[j] - want[j]), `${name} n=${n} output ${i}[${j}]`).toBeLessThan(tolerance);
        });
      }
    }
  });
});
