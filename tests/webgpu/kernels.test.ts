// Every Backend method on WebGPU against the CPU reference, on awkward shapes: 1×1,
// primes, sizes that are not multiples of the tiles or workgroups, single rows and
// columns, K up to 2048. Relative tolerance 1e-5 (floor 1) unless a comment says why.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivationKernelArgs, Backend, BinaryOp, ReduceOp, UnaryOp } from '../../engine/backend';
import { paramLayout, type ActivationSpec } from '../../engine/activation-spec';
import { relu } from '../../activations/builtin/relu';
import { tanh } from '../../activations/builtin/tanh';
import { sigmoid } from '../../activations/builtin/sigmoid';
import type { WebGpuBackend } from '../../engine/backends/webgpu/index';
import { reduceStrategy } from '../../kernels/reduce';
import { cpu, expectSame, randomValues, webgpuBackend } from './helpers';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

// A PReLU-like activation with a trainable per-channel slope, and one with a trainable
// shared vector parameter: the generated p_NAME accessors and dparams paths.
const slope: ActivationSpec = {
  name: 'test_slope',
  formula: 'x > 0 ? x : a·x',
  range: [-3, 3],
  params: [{ name: 'a', default: 0.25, trainable: true, perChannel: true }],
  cpu: {
    f: (x, p, ch) => (x > 0 ? x : p.a[ch % p.a.length] * x),
    df: (x, _y, p, ch) => (x > 0 ? 1 : p.a[ch % p.a.length]),
    dparams: { a: (x) => (x > 0 ? 0 : x) },
  },
  wgsl: {
    f: 'return select(p_a(ch) * x, x, x > 0.0);',
    df: 'return select(p_a(ch), 1.0, x > 0.0);',
    dparams: { a: 'return select(x, 0.0, x > 0.0);' },
  },
};
const poly: ActivationSpec = {
  name: 'test_poly',
  formula: 'c0·x + c1·x²',
  range: [-2, 2],
  params: [
    { name: 'c', default: [0.5, -0.25], trainable: true },
    { name: 'gain', default: 1.5 },
  ],
  cpu: {
    f: (x, p) => p.gain[0] * (p.c[0] * x + p.c[1] * x * x),
    df: (x, _y, p) => p.gain[0] * (p.c[0] + 2 * p.c[1] * x),
    dparams: { c: (x, _y, p, _ch, i) => p.gain[0] * (i === 0 ? x : x * x) },
  },
  wgsl: {
    helpers: 'fn test_poly_sq(v: f32) -> f32 { return v * v; }',
    f: 'return p_gain(0u) * (p_c(0u) * x + p_c(1u) * test_poly_sq(x));',
    df: 'return p_gain(0u) * (p_c(0u) + 2.0 * p_c(1u) * x);',
    dparams: { c: 'if (i == 0u) { return p_gain(0u) * x; }\nreturn p_gain(0u) * x * x;' },
  },
};

function actArgs(b: Backend, spec: ActivationSpec, channels: number, seed = 5): ActivationKernelArgs {
  const layout = paramLayout(spec, channels);
  const params = layout.map((p, i) => b.upload(randomValues(p.length, seed + i, 0.1, 0.9)));
  return { spec, layout, params };
}

const SIZES = [1, 7, 256, 257, 1000, 4099];

describe('webgpu storage', () => {
  it('uploads, copies, fills, assigns and reads back', async () => {
    for (const n of [0, 1, 5, 1023]) {
      const v = randomValues(n, n);
      const s = gpu.upload(v);
      expect(Array.from(await gpu.read(s, n))).toEqual(Array.from(Float32Array.from(v)));
      const c = gpu.copy(s, n);
      const f = gpu.fill(n, 2.5);
      const z = gpu.fill(n, 0);
      expect(Array.from(await gpu.read(c, n))).toEqual(Array.from(Float32Array.from(v)));
      expect(Array.from(await gpu.read(f, n))).toEqual(new Array(n).fill(2.5));
      expect(Array.from(await gpu.read(z, n))).toEqual(new Array(n).fill(0));
      gpu.assign(f, s, n);
      expect(Array.from(await gpu.read(f, n))).toEqual(Array.from(Float32Array.from(v)));
      for (const x of [s, c, f, z]) gpu.release(x);
    }
  });

  it('reuses released buffers only after submission and reports memory', async () => {
    gpu.flush();
    const before = gpu.memory();
    const a = gpu.fill(1000, 1);
    expect(gpu.memory().liveBytes - before.liveBytes).toBeGreaterThanOrEqual(4000);
    gpu.release(a);
    const b = gpu.fill(1000, 2); // a is pending: b must not share its buffer
    expect((b as { buffer: unknown }).buffer).not.toBe((a as { buffer: unknown }).buffer);
    gpu.flush();
    const c = gpu.fill(1000, 3); // now a's buffer is free for reuse
    expect((c as { buffer: unknown }).buffer).toBe((a as { buffer: unknown }).buffer);
    expect(Array.from(await gpu.read(b, 3))).toEqual([2, 2, 2]);
    expect(Array.from(await gpu.read(c, 3))).toEqual([3, 3, 3]);
    gpu.release(b);
    gpu.release(c);
    expect(gpu.memory().liveBytes).toBe(before.liveBytes);
  });
});

describe('webgpu elementwise', () => {
  const unary: [UnaryOp, number[], number, number][] = [
    ['neg', [], -1, 1],
    ['exp', [], -3, 3],
    ['log', [], 0.01, 5],
    ['sqrt', [], 0, 9],
    ['abs', [], -1, 1],
    ['sign', [], -1, 1],
    ['pow', [3], -2, 2],
    ['pow', [2], -2, 2],
    ['pow', [-0.5], 0.1, 4],
    ['clamp', [-0.3, 0.4], -1, 1],
    ['affine', [2.5, -1], -1, 1],
  ];
  for (const [op, args, lo, hi] of unary) {
    it(`unary ${op}(${args.join(', ')})`, async () => {
      for (const n of SIZES) {
        await expectSame(gpu, [randomValues(n, n, lo, hi)], (b, [x]) => b.unary(op, x, n, args), n);
      }
    });
  }

  const binaryOps: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'gt'];
  const shapes: [number[], number[], number[]][] = [
    [[1], [1], [1]],
    [[7, 13], [7, 13], [7, 13]],
    [[7, 13], [1], [7, 13]],
    [[1], [7, 13], [7, 13]],
    [[7, 13], [13], [7, 13]],
    [[7, 1], [1, 13], [7, 13]],
    [[2, 3, 1, 5], [3, 4, 1], [2, 3, 4, 5]],
    [[300, 257], [257], [300, 257]],
  ];
  for (const op of binaryOps) {
    it(`binary ${op} with broadcasting`, async () => {
      for (const [as, bs, os] of shapes) {
        const na = as.reduce((x, y) => x * y, 1);
        const nb = bs.reduce((x, y) => x * y, 1);
        const n = os.reduce((x, y) => x * y, 1);
        // Rounded values make eq/ge meaningful; div stays away from 0.
        const a = randomValues(na, na + 1, -2, 2).map((v) => Math.round(v * 4) / 4);
        const b = randomValues(nb, nb + 2, 0.5, 2).map((v) => Math.round(v * 4) / 4 * (nb % 2 ? 1 : -1));
        await expectSame(gpu, [a, b], (be, [x, y]) => be.binary(op, x, as, y, bs, os), n);
      }
    });
  }

  it('maximum and minimum propagate NaN as the CPU does', async () => {
    const x = gpu.upload([NaN, 1, 2]);
    const y = gpu.upload([0, NaN, 1]);
    const out = await gpu.read(gpu.binary('maximum', x, [3], y, [3], [3]), 3);
    expect(Number.isNaN(out[0]) && Number.isNaN(out[1]) && out[2] === 2).toBe(true);
  });

  it('log, sqrt and fractional powers of negative numbers give NaN as on the CPU', async () => {
    const x = gpu.upload([-4, -1, 0, 4]);
    const log = await gpu.read(gpu.unary('log', x, 4), 4);
    const sqrt = await gpu.read(gpu.unary('sqrt', x, 4), 4);
    const pow = await gpu.read(gpu.unary('pow', x, 4, [0.5]), 4);
    for (const out of [log, sqrt, pow]) expect([Number.isNaN(out[0]), Number.isNaN(out[1]), Number.isNaN(out[3])]).toEqual([true, true, false]);
    expect([log[2], sqrt[2], pow[2]]).toEqual([-Infinity, 0, 0]);
  });

  it('permute', async () => {
    const cases: [number[], number[]][] = [
      [[1], [0]],
      [[7, 13], [1, 0]],
      [[2, 3, 5], [2, 0, 1]],
      [[2, 3, 5, 7], [3, 1, 0, 2]],
      [[1, 257, 3], [2, 1, 0]],
    ];
    for (const [shape, perm] of cases) {
      const n = shape.reduce((x, y) => x * y, 1);
      await expectSame(gpu, [randomValues(n, n)], (b, [x]) => b.permute(x, shape, perm), n);
    }
  });
});

describe('webgpu reductions', () => {
  const views: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [3, 1, 5],
    [1, 2048, 1],
    [13, 127, 1],
    [5, 128, 3],
    [2, 1000, 7],
    [1, 300, 257],
    [300, 17, 1],
  ];
  for (const op of ['sum', 'max', 'min'] as ReduceOp[]) {
    it(`reduce ${op} over [outer, dim, inner]`, async () => {
      for (const [o, d, i] of views) {
        await expectSame(gpu, [randomValues(o * d * i, o + d + i)], (b, [x]) => b.reduce(op, x, o, d, i), o * i);
      }
    });
  }

  it('argmax (ties: first)', async () => {
    for (const [o, d, i] of views) {
      const v = randomValues(o * d * i, d).map((x) => Math.round(x * 3));
      await expectSame(gpu, [v], (b, [x]) => b.argmax(x, o, d, i), o * i, 0);
    }
  });

  it('histogram (clamps outside values into the end bins, skips NaN)', async () => {
    for (const [n, bins] of [[1, 1], [1000, 10], [4099, 37]]) {
      const v = randomValues(n, n, -1.5, 1.5);
      v[0] = NaN;
      await expectSame(gpu, [v], (b, [x]) => b.histogram(x, n, bins, -1, 1), bins, 0);
    }
  });
});

describe('webgpu matmul', () => {
  const dims: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [1, 13, 29],
    [29, 13, 1],
    [3, 5, 7],
    [17, 31, 23],
    [64, 64, 64],
    [65, 33, 67],
    [128, 257, 10],
    [4, 2048, 6],
    // Multiples of 4 on some axes only: vec4 loads for one operand, scalar for the other.
    [8, 12, 20],
    [12, 16, 7],
    [20, 8, 12],
    [7, 20, 16],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matmul transA=${transA} transB=${transB}`, async () => {
        for (const [m, k, n] of dims) {
          const a = randomValues(m * k, m * 31 + k);
          const b = randomValues(k * n, k * 17 + n);
          // Both sides are float32 sums in different orders (the CPU's SIMD kernel adds
          // k in blocks of 1024, the GPU kernel in its own tile order), so they differ by
          // rounding that grows with k: at k = 2048, 1.7e-5 relative was measured.
          const tol = k >= 1024 ? 5e-5 : 1e-5;
          await expectSame(gpu, [a, b], (be, [x, y]) => be.matmul(x, y, m, k, n, transA, transB), m * n, tol);
        }
      });
    }
  }

  it('both matmul kernels (register-blocked and shared-memory tiled) agree with the CPU', async () => {
    const chosen = gpu.matmulVariant;
    try {
      for (const variant of ['blocked4x4', 'tiled'] as const) {
        gpu.matmulVariant = variant;
        for (const [m, k, n] of [[1, 1, 1], [65, 33, 67], [70, 100, 3]] as const) {
          for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
            const a = randomValues(m * k, 3);
            const b = randomValues(k * n, 4);
            await expectSame(gpu, [a, b], (be, [x, y]) => be.matmul(x, y, m, k, n, ta, tb), m * n);
          }
        }
      }
    } finally {
      gpu.matmulVariant = chosen;
    }
  });
});

describe('webgpu fused linear and activations', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 13, 5],
    [33, 65, 17],
    [128, 100, 10],
  ];
  for (const spec of [relu, tanh, sigmoid, slope, poly]) {
    it(`linear act=${spec.name} with bias, keepZ both ways`, async () => {
      for (const [m, k, n] of shapes) {
        for (const keepZ of [false, true]) {
          const inputs = [randomValues(m * k, m), randomValues(n * k, k), randomValues(n, n)];
          const call = (b: Backend, [x, w, bias]: object[]) => {
            const r = b.linear(x, w, bias, actArgs(b, spec, n), m, k, n, keepZ);
            if (keepZ) expect(r.z).not.toBeNull();
            else expect(r.z).toBeNull();
            return r.y;
          };
          await expectSame(gpu, inputs, call, m * n);
          if (keepZ) {
            await expectSame(gpu, inputs, (b, [x, w, bias]) => b.linear(x, w, bias, actArgs(b, spec, n), m, k, n, true).z!, m * n);
          }
        }
      }
    });
  }

  it('linear without bias or activation', async () => {
    for (const [m, k, n] of shapes) {
      await expectSame(gpu, [randomValues(m * k, 1), randomValues(n * k, 2)], (b, [x, w]) => b.linear(x, w, null, null, m, k, n, false).y, m * n);
    }
  });

  for (const spec of [relu, tanh, sigmoid, slope, poly]) {
    it(`activation ${spec.name} forward and backward (dx, parameter gradients, column sums)`, async () => {
      for (const [rows, channels] of [[1, 1], [7, 13], [128, 64], [3, 1000]]) {
        const size = rows * channels;
        const x = randomValues(size, size, ...spec.range);
        const dy = randomValues(size, size + 1);
        await expectSame(gpu, [x], (b, [xs]) => b.activation(actArgs(b, spec, channels), xs, size, channels), size);
        const usesOutput = spec.derivativeUses === 'output';
        const backward = (b: Backend, [xs, dys]: object[]) => {
          const act = actArgs(b, spec, channels);
          const y = usesOutput ? b.activation(act, xs, size, channels) : null;
          return b.activationBackward(act, usesOutput ? null : xs, y, dys, size, channels, true);
        };
        await expectSame(gpu, [x, dy], (b, s) => backward(b, s).dx, size);
        // Column sums add `rows` terms in float32 on the device (CPU: float64 accumulate).
        await expectSame(gpu, [x, dy], (b, s) => backward(b, s).columnSums!, channels, 1e-5);
        const layout = paramLayout(spec, channels);
        for (let j = 0; j < layout.length; j++) {
          if (!layout[j].trainable) continue;
          // A parameter gradient sums up to size = 128·64 terms: float32 summation order
          // differs from the CPU's float64 loop, so allow 1e-4 relative.
          await expectSame(gpu, [x, dy], (b, s) => backward(b, s).dparams[j]!, layout[j].length, 1e-4);
        }
      }
    });
  }
});

describe('webgpu softmax and cross-entropy', () => {
  const views: [number, number, number][] = [
    [1, 1, 1],
    [1, 10, 1],
    [128, 10, 1],
    [3, 7, 5],
    [2, 300, 1],
  ];
  for (const log of [false, true]) {
    it(`${log ? 'logSoftmax' : 'softmax'} forward and backward`, async () => {
      for (const [o, d, i] of views) {
        const n = o * d * i;
        const x = randomValues(n, n, -5, 5);
        const dy = randomValues(n, n + 3);
        await expectSame(gpu, [x], (b, [xs]) => b.softmax(xs, o, d, i, log), n);
        await expectSame(gpu, [x, dy], (b, [xs, dys]) => b.softmaxBackward(b.softmax(xs, o, d, i, log), dys, o, d, i, log), n);
      }
    });
  }

  it('softmax of large logits stays finite', async () => {
    await expectSame(gpu, [[1000, 1001, 1002]], (b, [x]) => b.softmax(x, 1, 3, 1, false), 3);
  });

  it('cross-entropy forward and backward, with and without label smoothing', async () => {
    for (const [n, c] of [[1, 1], [1, 10], [128, 10], [37, 3]]) {
      const logits = randomValues(n * c, n + c, -4, 4);
      const labels = randomValues(n, n, 0, c).map((v) => Math.min(c - 1, Math.floor(v)));
      const g = randomValues(n, 7, 0, 1);
      for (const smoothing of [0, 0.1]) {
        await expectSame(gpu, [logits, labels], (b, [l, y]) => b.crossEntropy(l, y, n, c, smoothing), n);
        await expectSame(gpu, [logits, labels, g], (b, [l, y, gs]) => b.crossEntropyBackward(l, y, gs, n, c, smoothing), n * c);
      }
    }
  });
});

describe('webgpu optimizers in place', () => {
  const sgdCases = [
    { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true },
    { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.01, firstStep: true },
    { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 0, firstStep: false },
    { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.001, firstStep: false },
  ];
  for (const o of sgdCases) {
    it(`sgdStep ${JSON.stringify(o)}`, async () => {
      for (const n of [1, 257, 4099]) {
        const p = randomValues(n, 1);
        const g = randomValues(n, 2);
        const v = randomValues(n, 3);
        const withVelocity = o.momentum !== 0;
        await expectSame(gpu, [p, g, v], (b, [ps, gs, vs]) => (b.sgdStep(ps, gs, withVelocity ? vs : null, n, o), ps), n);
        if (withVelocity) await expectSame(gpu, [p, g, v], (b, [ps, gs, vs]) => (b.sgdStep(ps, gs, vs, n, o), vs), n);
      }
    });
  }

  for (const decoupledWeightDecay of [false, true]) {
    it(`adamStep decoupled=${decoupledWeightDecay}`, async () => {
      const o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupledWeightDecay, step: 3 };
      for (const n of [1, 257, 4099]) {
        const p = randomValues(n, 1);
        const g = randomValues(n, 2);
        const m = randomValues(n, 3, -0.1, 0.1);
        const v = randomValues(n, 4, 0, 0.01);
        for (const which of [0, 2, 3]) {
          await expectSame(gpu, [p, g, m, v], (b, s) => (b.adamStep(s[0], s[1], s[2], s[3], n, o), s[which]), n);
        }
      }
    });
  }
});

describe('webgpu adapter and kernel choice', () => {
  it('describes the adapter and the matmul kernel chosen for it', () => {
    expect(gpu.description).toMatch(/^webgpu \(/);
    expect(gpu.description).toContain(gpu.adapter.vendor);
    if (gpu.adapter.isFallback) {
      expect(gpu.description).toContain('fallback');
      expect(gpu.matmulVariant).toBe('blocked4x4');
    }
    expect(gpu.description).toContain(`matmul kernel: ${gpu.matmulVariant}`);
  });

  it('the reduction kernel follows the adapter, whichever matmul kernel is forced', async () => {
    const chosen = gpu.matmulVariant;
    const ran: string[] = [];
    const stopListening = gpu.observeDispatches((kernel) => ran.push(kernel));
    try {
      for (const variant of ['blocked4x4', 'tiled'] as const) {
        gpu.matmulVariant = variant;
        // 64 rows of 256: long rows, enough of them to keep a software adapter's cores busy.
        await gpu.read(gpu.reduce('sum', gpu.upload(randomValues(64 * 256, 5)), 64, 256, 1), 64);
      }
    } finally {
      stopListening();
      gpu.matmulVariant = chosen;
    }
    const strategy = reduceStrategy(256, 64, gpu.adapter.isFallback);
    expect(ran).toEqual([`reduce_sum_${strategy}`, `reduce_sum_${strategy}`]);
  });

  it('one pipeline serves every shape: shapes travel as uniforms', async () => {
    const run = (m: number, k: number, n: number) => gpu.matmul(gpu.upload(randomValues(m * k, 1)), gpu.upload(randomValues(k * n, 2)), m, k, n, false, false);
    await gpu.read(run(5, 7, 3), 1);
    const before = gpu.pipelineCount;
    for (const [m, k, n] of [[9, 3, 11], [2, 13, 5], [31, 1, 7]]) await gpu.read(run(m, k, n), 1);
    expect(gpu.pipelineCount).toBe(before);
  });

  it('keeps the WGSL of every kernel it built', async () => {
    const x = gpu.upload([1, -2]);
    await gpu.read(gpu.linear(x, gpu.upload([3, 4]), null, actArgs(gpu, relu, 1), 1, 2, 1, false).y, 1);
    await gpu.read(gpu.unary('abs', x, 2), 2);
    expect(gpu.wgslFor('linear')).toContain('fn act_f');
    expect(gpu.wgslFor('linear')).toContain(relu.wgsl.f);
    expect(gpu.wgslFor('unary_abs')).toContain('abs(v)');
    expect(gpu.wgslSources().size).toBeGreaterThanOrEqual(2);
  });

  it('the CPU reference is what was compared against', () => {
    expect(cpu().name).toBe('cpu');
  });
});
