// gs.activations.fromExpression specs on both backends: squareplus with a trainable b passes
// gs.activations.register (compiled by Dawn on the validation device, whatever the current backend), its values,
// f' and ∂f/∂b match the analytic forms, a per-channel parameter gets a gradient per
// channel, and a 2-16-2 MLP with squareplus trains with CPU and WebGPU agreeing. On
// WebGPU, every function of the formula language runs as emitted WGSL and is compared
// with the emitted JavaScript in float32 at the extremes (|x| up to 1e4, ±inf, NaN),
// for f and f'.
import { afterEach, expect, it } from 'vitest';
import * as gs from '../../index';
import type { ExpressionActivationSpec } from '../../activations/expression';
import { paramLayout } from '../../engine/activation-spec';
import { activation as activationOp } from '../../engine/ops';
import { cpuBackend, withBackend } from '../../engine/backend-registry';
import { describeBackends, maxRelDiff } from '../helpers/backends';

const squareplus = (name: string) =>
  gs.activations.fromExpression({
    name,
    f: '(x + sqrt(x*x + b)) / 2',
    params: [{ name: 'b', default: 4, trainable: true }],
    range: [-6, 6],
  });

const registered: string[] = [];
async function register(spec: ExpressionActivationSpec) {
  const result = await gs.activations.register(spec);
  registered.push(spec.name);
  return result;
}
afterEach(() => {
  for (const name of registered.splice(0)) gs.activations.unregister(name);
});

interface TrainingRun {
  initial: Float32Array[];
  losses: number[];
  b: number;
  accuracy: number;
}
const runs: Partial<Record<string, TrainingRun>> = {};

describeBackends('fromExpression', (backend) => {
  it('squareplus with a trainable b passes register(); values, f′ and ∂f/∂b match the analytic forms', async () => {
    const name = `squareplus_expr_${backend}`;
    // In Node a WebGPU validation device (Dawn) is always at hand, so the WGSL is compiled and run whatever the backend.
    expect(await register(squareplus(name))).toEqual({ name, wgsl: 'compiled' });
    const xs = [-6, -2.5, -1, -1e-3, 0, 0.5, 1, 3, 6];
    for (const b of [4, 0.25]) {
      const module = gs.activation(name, { b });
      const x = gs.tensor(xs, { requiresGrad: true });
      const y = module.forward(x);
      y.sum().backward();
      const [bParam] = module.parameters();
      const values = Array.from(await y.toArray());
      const slopes = Array.from(await x.grad!.toArray());
      xs.forEach((v, i) => {
        const root = Math.sqrt(v * v + b);
        expect(values[i], `f(${v}), b = ${b}`).toBeCloseTo((v + root) / 2, 5);
        expect(slopes[i], `f'(${v}), b = ${b}`).toBeCloseTo((1 + v / root) / 2, 5);
      });
      const dfdb = xs.reduce((s, v) => s + 1 / (4 * Math.sqrt(v * v + b)), 0);
      expect(await bParam.grad!.item()).toBeCloseTo(dfdb, 5);
      module.dispose();
    }
  });

  it('a per-channel trainable parameter: one value and one gradient per channel', async () => {
    const name = `swish_expr_${backend}`;
    await register(gs.activations.fromExpression({ name, f: 'x*sigmoid(beta*x)', params: [{ name: 'beta', default: 1, trainable: true, perChannel: true }] }));
    const betas = [0.5, 1, 2];
    const module = gs.activation(name, { channels: 3, beta: betas });
    const rows = [
      [-2, 0.5, 3],
      [1, -1.5, -0.25],
    ];
    const x = gs.tensor(rows, { requiresGrad: true });
    const y = module.forward(x);
    y.sum().backward();
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const values = Array.from(await y.toArray());
    const [beta] = module.parameters();
    const grads = Array.from(await beta.grad!.toArray());
    rows.flat().forEach((v, i) => expect(values[i]).toBeCloseTo(v * sigmoid(betas[i % 3] * v), 5));
    betas.forEach((b, c) => {
      const want = rows.reduce((s, row) => s + row[c] ** 2 * sigmoid(b * row[c]) * sigmoid(-b * row[c]), 0);
      expect(grads[c], `∂L/∂beta[${c}]`).toBeCloseTo(want, 5);
    });
    module.dispose();
  });

  it('a 2-16-2 MLP with squareplus (b trainable) learns two circles', async () => {
    const name = `squareplus_mlp_${backend}`;
    await register(squareplus(name));
    // Two circles: a linear model stays at chance, so accuracy shows the activation at work.
    const data = gs.data.circles({ n: 256, noise: 0.05, factor: 0.5, seed: 4 });
    const model = gs.nn.mlp({ input: 2, hidden: [16], output: 2, activation: name, seed: 11 });
    const initial = await Promise.all(model.parameters().map((p) => p.toArray()));
    const optimizer = new gs.optim.Adam(model.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    await gs.nn.fit(model, new gs.data.DataLoader(data, { batchSize: 32, shuffle: true, seed: 2 }), {
      optimizer,
      epochs: 12,
      onProgress: (p) => void losses.push(p.loss),
    });
    const { accuracy } = await gs.nn.evaluate(model, new gs.data.DataLoader(data, { batchSize: 256 }));
    const b = await model.parameters().find((p) => p.name === 'b')!.item();
    runs[backend] = { initial, losses, b, accuracy };
    model.dispose();
    optimizer.dispose();
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(b - 4)).toBeGreaterThan(0.1); // b learned
  });

  if (backend === 'webgpu') {
    it('CPU and WebGPU train the same network the same way', () => {
      const [cpu, gpu] = [runs.cpu!, runs.webgpu!];
      expect(cpu && gpu).toBeTruthy();
      gpu.initial.forEach((w, i) => expect(w).toEqual(cpu.initial[i]));
      // float32 on both, different summation orders: close at first, close at the end.
      expect(maxRelDiff(gpu.losses.slice(0, 8), cpu.losses.slice(0, 8))).toBeLessThan(1e-4);
      expect(maxRelDiff(gpu.losses, cpu.losses)).toBeLessThan(1e-2);
      expect(Math.abs(gpu.b - cpu.b)).toBeLessThan(1e-2);
      expect(gpu.accuracy).toBe(cpu.accuracy);
    });

    it('every function: the emitted WGSL agrees with the emitted JavaScript in float32 at the extremes (|x| up to 1e4, ±inf, NaN)', async () => {
      const magnitudes = [1e-30, 1e-7, 1e-3, 0.1, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10, 20, 30, 50, 87, 88.5, 89, 100, 300, 1e3, 3e3, 1e4];
      const dense = Array.from({ length: 201 }, (_, i) => -10 + i / 10);
      const xs = Float32Array.from([0, NaN, Infinity, -Infinity, ...magnitudes, ...magnitudes.map((m) => -m), ...dense]);
      const formulas = [
        'exp(x)', 'log(x)', 'log1p(x)', 'expm1(x)', 'sqrt(x)', 'abs(x)', 'sign(x)', 'sin(x)', 'cos(x)', 'tanh(x)',
        'sigmoid(x)', 'softplus(x)', 'erf(x)', 'min(x, 0.5)', 'max(x, 0.5)',
        'x^2', 'x^3', 'x^-2', 'x^0.5', '2^x', 'where(x > 1, x, -x)', '(x >= 1) + (x != 2)',
      ];
      const cpu = cpuBackend();
      const run = async (spec: ExpressionActivationSpec) => {
        const x = gs.tensor(xs, { requiresGrad: true });
        const y = activationOp(x, { spec, layout: paramLayout(spec), params: [] });
        y.sum().backward();
        const out = [await y.toArray(), await x.grad!.toArray()];
        x.dispose();
        y.dispose();
        return out;
      };
      const report: string[] = [];
      for (const f of formulas) {
        const spec = gs.activations.fromExpression({ name: 'extremes', f });
        const [gpuF, gpuDf] = await run(spec);
        const [cpuF, cpuDf] = await withBackend(cpu, () => run(spec));
        for (const [what, gpu, ref] of [['f', gpuF, cpuF], ["f'", gpuDf, cpuDf]] as const) {
          const text = `${what} = ${what === 'f' ? f : spec.expression.df}`;
          const worst = worstDisagreement(xs, gpu, ref, disagreement);
          report.push(`${text.padEnd(50)} worst ${worst.error.toExponential(2)} at x = ${worst.x} (webgpu ${worst.gpu}, cpu ${worst.cpu})`);
          expect(worst.error, `${text} at x = ${worst.x}: webgpu ${worst.gpu}, cpu ${worst.cpu}`).toBeLessThanOrEqual(AGREEMENT);
        }
        // Tiny arguments, where WGSL's own tanh, expm1 and log1p lose every digit (tanh(2e-9) = 0).
        const tiny = worstDisagreement(xs, gpuF, cpuF, (g, c, x) => (x !== 0 && Math.abs(x) <= 1e-3 && Math.abs(c) >= 1e-30 ? Math.abs(g - c) / Math.abs(c) : 0));
        expect(tiny.error, `f = ${f} relative at x = ${tiny.x}: webgpu ${tiny.gpu}, cpu ${tiny.cpu}`).toBeLessThanOrEqual(AGREEMENT);
      }
      console.log(report.join('\n'));
    });
  }
});

/**
 * How far the device may stray from the CPU, in the house norm |webgpu − cpu| / max(1, |cpu|)
 * (relative above 1, absolute below: 1 − tanh(10)² is 0 in float32 and 8e-9 in float64).
 */
const AGREEMENT = 4e-6;

/** NaN must meet NaN, and an infinity the same infinity. */
function disagreement(gpu: number, cpu: number): number {
  if (Number.isNaN(cpu) || Number.isNaN(gpu)) return Number.isNaN(cpu) && Number.isNaN(gpu) ? 0 : Infinity;
  if (!Number.isFinite(cpu) || !Number.isFinite(gpu)) return gpu === cpu ? 0 : Infinity;
  return Math.abs(gpu - cpu) / Math.max(1, Math.abs(cpu));
}

function worstDisagreement(xs: Float32Array, gpu: ArrayLike<number>, cpu: ArrayLike<number>, measure: (gpu: number, cpu: number, x: number) => number) {
  let worst = { error: 0, x: 0, gpu: 0, cpu: 0 };
  xs.forEach((x, i) => {
    const error = measure(gpu[i], cpu[i], x);
    if (error > worst.error) worst = { error, x, gpu: gpu[i], cpu: cpu[i] };
  });
  return worst;
}
