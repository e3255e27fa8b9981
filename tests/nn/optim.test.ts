// SGD and Adam against float64 reimplementations of torch.optim's update rules
// (torch/optim/sgd.py and adam.py, single-tensor path), over several steps with
// changing gradients.
import { describe, expect, test } from 'vitest';
import * as gs from '../../index';
import { Random } from '../../engine/random';
import { describeBackends, maxRelDiff } from '../helpers/backends';

const SIZE = 37;
const STEPS = 6;

function draws(seed: number, count: number): Float64Array[] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: SIZE }, () => rng.normal()));
}

interface SgdRef { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number }

function torchSgd(p0: Float64Array, grads: Float64Array[], o: SgdRef): Float64Array {
  const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = o;
  const p = Float64Array.from(p0);
  let buf: Float64Array | null = null as Float64Array | null;
  for (const g0 of grads) {
    const g = g0.map((g, i) => g + weightDecay * p[i]);
    let d: Float64Array = g;
    if (momentum !== 0) {
      buf = buf === null ? Float64Array.from(g) : buf.map((b, i) => momentum * b + (1 - dampening) * g[i]);
      d = nesterov ? g.map((gi, i) => gi + momentum * buf![i]) : buf;
    }
    for (let i = 0; i < p.length; i++) p[i] -= lr * d[i];
  }
  return p;
}

interface AdamRef { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number; decoupled?: boolean }

function torchAdam(p0: Float64Array, grads: Float64Array[], o: AdamRef): Float64Array {
  const { lr, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8, weightDecay = 0, decoupled = false } = o;
  const p = Float64Array.from(p0);
  const m = new Float64Array(SIZE);
  const v = new Float64Array(SIZE);
  grads.forEach((g0, t) => {
    const step = t + 1;
    if (decoupled) for (let i = 0; i < SIZE; i++) p[i] *= 1 - lr * weightDecay;
    const g = decoupled ? g0 : g0.map((g, i) => g + weightDecay * p[i]);
    const bc1 = 1 - b1 ** step;
    const bc2 = 1 - b2 ** step;
    for (let i = 0; i < SIZE; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + eps;
      p[i] -= (lr / bc1) * (m[i] / denom);
    }
  });
  return p;
}

async function runOptimizer(make: (params: gs.Tensor[]) => gs.optim.Optimizer, p0: Float64Array, grads: Float64Array[]): Promise<Float32Array> {
  const p = gs.tensor(Float32Array.from(p0), { requiresGrad: true });
  const opt = make([p]);
  for (const g of grads) {
    p.grad = gs.keep(gs.tensor(Float32Array.from(g)));
    opt.step();
    opt.zeroGrad();
  }
  const out = await p.toArray();
  opt.dispose();
  p.dispose();
  return out;
}

describeBackends('optimizers match torch.optim (float64 reference)', () => {
  const [p0, ...grads] = draws(1, STEPS + 1);

  test.each<[string, SgdRef]>([
    ['plain', { lr: 0.1 }],
    ['momentum', { lr: 0.05, momentum: 0.9 }],
    ['momentum + dampening', { lr: 0.05, momentum: 0.8, dampening: 0.3 }],
    ['nesterov', { lr: 0.05, momentum: 0.9, nesterov: true }],
    ['weight decay', { lr: 0.1, weightDecay: 0.01 }],
    ['everything', { lr: 0.02, momentum: 0.7, nesterov: true, weightDecay: 0.05 }],
  ])('SGD %s', async (_name, o) => {
    const got = await runOptimizer((ps) => new gs.optim.SGD(ps, o), p0, grads);
    expect(maxRelDiff(got, torchSgd(p0, grads, o))).toBeLessThan(1e-5);
  });

  test.each<[string, AdamRef]>([
    ['defaults', { lr: 0.001 }],
    ['lr 0.01, betas (0.8, 0.99), eps 1e-6', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6 }],
    ['L2 weight decay', { lr: 0.01, weightDecay: 0.1 }],
    ['AdamW decoupled decay', { lr: 0.01, weightDecay: 0.1, decoupled: true }],
  ])('Adam %s', async (_name, o) => {
    const got = await runOptimizer(
      (ps) => new gs.optim.Adam(ps, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay, decoupledWeightDecay: o.decoupled }),
      p0,
      grads,
    );
    expect(maxRelDiff(got, torchAdam(p0, grads, o))).toBeLessThan(1e-5);
  });

  test('AdamW defaults to weight decay 0.01, decoupled', async () => {
    const got = await runOptimizer((ps) => new gs.optim.AdamW(ps, { lr: 0.01 }), p0, grads);
    expect(maxRelDiff(got, torchAdam(p0, grads, { lr: 0.01, weightDecay: 0.01, decoupled: true }))).toBeLessThan(1e-5);
  });

  test('bad settings are refused with the value', () => {
    const p = gs.tensor([1, 2], { requiresGrad: true });
    expect(() => new gs.optim.Adam([p], { betas: [0.9, 1.2] })).toThrow(/betas must be two numbers in \[0, 1\), got \[0.9,1.2\]/);
    expect(() => new gs.optim.Adam([p], { lr: -1 })).toThrow(/lr must be a non-negative number, got -1/);
    expect(() => new gs.optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/);
  });
});

describe('learning-rate schedules (torch.optim.lr_scheduler)', () => {
  test('StepLR: lr · gamma^⌊epoch / stepSize⌋', () => {
    const opt = new gs.optim.SGD([gs.tensor([1], { requiresGrad: true })], { lr: 0.1 });
    const s = new gs.optim.StepLR(opt, 2, 0.5);
    const lrs = Array.from({ length: 5 }, () => s.step());
    expect(lrs.map((x) => +x.toFixed(10))).toEqual([0.1, 0.05, 0.05, 0.025, 0.025]);
    expect(opt.lr).toBeCloseTo(0.025, 12);
  });

  test('CosineAnnealingLR: etaMin + (base − etaMin)(1 + cos(π t / T))/2', () => {
    const opt = new gs.optim.Adam([gs.tensor([1], { requiresGrad: true })], { lr: 0.2 });
    const s = new gs.optim.CosineAnnealingLR(opt, 10, 0.02);
    const lrs = Array.from({ length: 10 }, () => s.step());
    expect(lrs[4]).toBeCloseTo(0.02 + 0.18 * 0.5, 12);
    expect(lrs[9]).toBeCloseTo(0.02, 12);
    expect(lrs[0]).toBeCloseTo(0.02 + 0.09 * (1 + Math.cos(Math.PI / 10)), 12);
    expect(() => new gs.optim.StepLR(opt, 0)).toThrow(/stepSize must be a positive integer, got 0/);
  });
});
