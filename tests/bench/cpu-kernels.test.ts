// The CPU backend's fast paths (engine/backends/cpu-matmul.ts and the fused linear pass)
// against plain textbook loops: every transA/transB case, sizes that leave remainders
// in every blocked loop (odd rows, columns not a multiple of 4, k across panels).
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine/backends/cpu';
import type { ActivationSpec } from '../../engine/activation-spec';
import { relu } from '../../activations/builtin/relu';
import { maxRelDiff } from '../helpers/backends';

function values(size: number, seed: number): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.sin(seed * 1000 + i * 12.9898) * 0.9;
  return out;
}

/** C = op(A) · op(B) by the definition. */
function reference(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, transA: boolean, transB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 4],
  [3, 5, 7],
  [7, 130, 9],
  [6, 257, 131],
  [33, 64, 10],
];

describe('cpu backend matmul', () => {
  for (const [dtype, Float] of [['float64', Float64Array], ['float32', Float32Array]] as const) {
    const backend = new CpuBackend(Float);
    for (const [m, k, n] of SHAPES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`${dtype} ${m}×${k}·${k}×${n} transA=${transA} transB=${transB}`, async () => {
            const a = values(m * k, m + k);
            const b = values(k * n, k + n);
            const c = await backend.read(backend.matmul(backend.upload(a), backend.upload(b), m, k, n, transA, transB), m * n);
            const want = reference(a, b, m, k, n, transA, transB);
            expect(maxRelDiff(c, want)).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-5);
          });
        }
      }
    }
  }
});

describe('cpu backend fused linear', () => {
  const backend = new CpuBackend(Float64Array);
  const act = { spec: relu, layout: [], params: [] };
  // A per-channel parameter: the fused pass must hand f each element's channel.
  const scaled: ActivationSpec = {
    name: 'bench-test-scaled',
    formula: 'a_ch · x',
    range: [-1, 1],
    params: [{ name: 'a', default: 1, perChannel: true }],
    cpu: { f: (x, p, ch) => p.a[ch] * x, df: (_x, _y, p, ch) => p.a[ch] },
    wgsl: { f: 'return p_a(ch) * x;', df: 'return p_a(ch);' },
  };
  const [m, k, n] = [5, 9, 6];
  const x = values(m * k, 1);
  const w = values(n * k, 2);
  const bias = values(n, 3);
  // z = x·wᵀ + b by the definition.
  const z = reference(x, w, m, k, n, false, true).map((v, i) => v + bias[i % n]);

  for (const keepZ of [false, true]) {
    it(`relu(x·wᵀ + b) and z (keepZ=${keepZ})`, async () => {
      const r = backend.linear(backend.upload(x), backend.upload(w), backend.upload(bias), act, m, k, n, keepZ);
      expect(maxRelDiff(await backend.read(r.y, m * n), z.map((v) => Math.max(v, 0)))).toBeLessThan(1e-12);
      if (keepZ) expect(maxRelDiff(await backend.read(r.z!, m * n), z)).toBeLessThan(1e-12);
      else expect(r.z).toBeNull();
    });
    it(`a per-channel activation sees each element's channel (keepZ=${keepZ})`, async () => {
      const scales = Float64Array.from({ length: n }, (_, j) => j + 1);
      const scaledAct = { spec: scaled, layout: [{ name: 'a', length: n, trainable: false, perChannel: true }], params: [backend.upload(scales)] };
      const r = backend.linear(backend.upload(x), backend.upload(w), backend.upload(bias), scaledAct, m, k, n, keepZ);
      expect(maxRelDiff(await backend.read(r.y, m * n), z.map((v, i) => v * scales[i % n]))).toBeLessThan(1e-12);
    });
    it(`identity: x·wᵀ + b, no bias: x·wᵀ (keepZ=${keepZ})`, async () => {
      const r = backend.linear(backend.upload(x), backend.upload(w), backend.upload(bias), null, m, k, n, keepZ);
      expect(maxRelDiff(await backend.read(r.y, m * n), z)).toBeLessThan(1e-12);
      if (keepZ) expect(r.z).not.toBe(r.y);
      const plain = backend.linear(backend.upload(x), backend.upload(w), null, null, m, k, n, false);
      expect(maxRelDiff(await backend.read(plain.y, m * n), reference(x, w, m, k, n, false, true))).toBeLessThan(1e-12);
    });
  }
});
