// The CPU backend's optimizer updates: the WebAssembly SIMD kernel gives the same bits
// as the JS loops (the reference) for every SGD and Adam variant, over sizes that do and
// do not fill groups of four, with NaN, ±∞, ±0, huge and tiny values in every array; a
// run of steps stays identical; and both agree with torch.optim's documented update on
// a hand-computed case.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdamOptions, SgdOptions } from '../../engine/backend';
import { adamStepInto, sgdStepInto } from '../../engine/backends/cpu-optimizers';
import { SGD_VARIANTS } from '../../engine/backends/wasm/optimizer-kernel';
import { simdMatmulSupported } from '../../engine/backends/wasm/simd-matmul';
import { randomFloat32 } from '../helpers/random';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 3e38, -3e38, 1e-40, -1e-45, 1e-30];
const SIZES = [1, 2, 3, 4, 5, 7, 8, 13, 64, 1001];

/** size values from the seed, the special values placed through it when `specials`. */
function values(size: number, seed: number, specials: boolean, scale = 1): Float32Array {
  const out = randomFloat32(size, seed, -scale, scale);
  if (specials) for (let i = 0; i < size; i += 3) out[i] = SPECIAL[(i / 3 + seed) % SPECIAL.length];
  return out;
}

/** Runs `update` on copies of `arrays` along each path and expects identical bits in every array. */
function expectSameBits(arrays: Float32Array[], update: (copies: Float32Array[], path: 'js' | 'simd') => void): void {
  const js = arrays.map((a) => a.slice());
  const simd = arrays.map((a) => a.slice());
  update(js, 'js');
  update(simd, 'simd');
  // toEqual tells NaN from a number and +0 from −0 (Object.is on each element).
  simd.forEach((a, i) => expect(Array.from(a), `array ${i}`).toEqual(Array.from(js[i])));
}

const sgdOptions = (variant: (typeof SGD_VARIANTS)[number]): SgdOptions => ({
  lr: 0.01,
  momentum: variant.momentum ? 0.9 : 0,
  dampening: variant.nesterov ? 0 : 0.1,
  nesterov: variant.nesterov,
  weightDecay: variant.weightDecay ? 1e-3 : 0,
  firstStep: variant.firstStep,
});

const ADAMS: [string, Partial<AdamOptions>][] = [
  ['plain', {}],
  ['l2', { weightDecay: 0.01 }],
  ['decoupled', { weightDecay: 0.01, decoupledWeightDecay: true }],
  ['decoupled, λ = 0', { decoupledWeightDecay: true }],
];
const adamOptions = (extra: Partial<AdamOptions>, step: number): AdamOptions => ({
  lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step, ...extra,
});

describe.runIf(simdMatmulSupported())('optimizer updates: the SIMD kernel against the JS loops, bit for bit', () => {
  for (const variant of SGD_VARIANTS) {
    const o = sgdOptions(variant);
    it(`SGD ${JSON.stringify(variant)}`, () => {
      for (const size of SIZES) {
        for (const specials of [false, true]) {
          const param = values(size, 1, specials);
          const grad = values(size, 2, specials);
          const velocity = values(size, 3, specials);
          expectSameBits([param, grad, velocity], ([p, g, v], path) => sgdStepInto(p, g, variant.momentum ? v : null, size, o, path));
        }
      }
    });
  }

  for (const [name, extra] of ADAMS) {
    it(`Adam ${name}`, () => {
      for (const size of SIZES) {
        for (const specials of [false, true]) {
          for (const step of [1, 2, 1000]) {
            const param = values(size, 4, specials);
            const grad = values(size, 5, specials);
            const m = values(size, 6, specials, 0.1);
            const v = values(size, 7, false, 0.01).map(Math.abs); // a second moment is ≥ 0
            if (specials) v[1 % size] = Infinity;
            expectSameBits([param, grad, m, v], ([p, g, mm, vv], path) => adamStepInto(p, g, mm, vv, size, adamOptions(extra, step), path));
          }
        }
      }
    });
  }

  it('updates only the first `size` elements and leaves the gradient alone', () => {
    const param = values(10, 8, false);
    const grad = values(10, 9, false);
    const velocity = new Float32Array(10);
    const [p0, g0] = [param.slice(), grad.slice()];
    sgdStepInto(param, grad, velocity, 6, { lr: 0.5, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true }, 'simd');
    expect(Array.from(param.subarray(6))).toEqual(Array.from(p0.subarray(6)));
    expect(Array.from(velocity.subarray(6))).toEqual([0, 0, 0, 0]);
    expect(Array.from(grad)).toEqual(Array.from(g0));
    expect(Array.from(velocity.subarray(0, 6))).toEqual(Array.from(grad.subarray(0, 6)));
  });

  it('a hundred steps of SGD with momentum and of Adam stay identical on both paths', () => {
    const size = 517;
    const grads = Array.from({ length: 100 }, (_, s) => values(size, 100 + s, false));
    expectSameBits([values(size, 10, false), new Float32Array(size)], ([p, v], path) => {
      grads.forEach((g, s) => sgdStepInto(p, g, v, size, { lr: 0.01, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, firstStep: s === 0 }, path));
    });
    expectSameBits([values(size, 11, false), new Float32Array(size), new Float32Array(size)], ([p, m, v], path) => {
      grads.forEach((g, s) => adamStepInto(p, g, m, v, size, adamOptions({}, s + 1), path));
    });
  });

  it('random sizes, settings and values (fast-check)', () => {
    const float = fc.float({ noDefaultInfinity: false, noNaN: false });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(float, float, float), { minLength: 1, maxLength: 40 }),
        fc.record({ lr: fc.double({ min: 0, max: 1, noNaN: true }), momentum: fc.double({ min: 0, max: 1, noNaN: true }), weightDecay: fc.constantFrom(0, 1e-4, 0.5) }),
        fc.boolean(),
        (rows, settings, firstStep) => {
          const size = rows.length;
          const arrays = [0, 1, 2].map((j) => Float32Array.from(rows, (r) => r[j]));
          const o = { ...settings, dampening: 0, nesterov: false, firstStep };
          expectSameBits(arrays, ([p, g, v], path) => sgdStepInto(p, g, v, size, o, path));
          expectSameBits([...arrays, arrays[2].map(Math.abs)], ([p, g, m, v], path) => adamStepInto(p, g, m, v, size, adamOptions({ weightDecay: settings.weightDecay }, 3), path));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('optimizer updates: torch.optim on a worked case', () => {
  // torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.5) on θ = 2, g = 1: the first
  // step sets v = g + λθ = 2, θ = 2 − 0.1·2 = 1.8; the second (g = 1 again) gives
  // g' = 1 + 0.5·1.8 = 1.9, v = 0.9·2 + 1.9 = 3.7, θ = 1.8 − 0.37 = 1.43.
  for (const path of ['js', ...(simdMatmulSupported() ? ['simd' as const] : [])] as const) {
    it(`SGD with momentum and weight decay (${path})`, () => {
      const [p, g, v] = [new Float32Array([2, 2, 2, 2, 2]), new Float32Array(5).fill(1), new Float32Array(5)];
      const o = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.5 };
      sgdStepInto(p, g, v, 5, { ...o, firstStep: true }, path);
      expect(p[4]).toBeCloseTo(1.8, 6);
      sgdStepInto(p, g, v, 5, { ...o, firstStep: false }, path);
      expect(Array.from(v)).toEqual(Array(5).fill(Math.fround(3.7)));
      expect(p[0]).toBeCloseTo(1.43, 6);
    });

    // torch.optim.Adam's first step moves every parameter by lr·sign(g) (m̂ = g, v̂ = g²).
    it(`Adam's first step is lr·sign(g) (${path})`, () => {
      const p = new Float32Array([1, 1, 1, 1, 1, 1]);
      const g = new Float32Array([0.5, -2, 1e-3, -1e-3, 30, -7]);
      adamStepInto(p, g, new Float32Array(6), new Float32Array(6), 6, adamOptions({ lr: 0.01 }, 1), path);
      for (let i = 0; i < 6; i++) expect(p[i]).toBeCloseTo(1 - 0.01 * Math.sign(g[i]), 5);
    });
  }
});
