// Whole-model agreement between WebGPU and the CPU reference: the same seed gives the
// same initial weights, an MLP's gradients match CPU autograd, 20 SGD-momentum steps
// keep the parameters within 1e-4, a 2,000-step training run does not leak device
// memory, and bad input fails with the same messages on both backends.
import { afterAll, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { SGD } from '../../nn/optim/sgd';
import { maxRelDiff } from '../helpers/backends';
import { openDevice } from '../../engine/backends/webgpu/device';
import { WebGpuBackend } from '../../engine/backends/webgpu/index';
import { randomValues } from './helpers';

const BATCH = 16;
const INPUT = 12;
const CLASSES = 4;

function batch(seed: number) {
  const x = randomValues(BATCH * INPUT, seed);
  const labels = randomValues(BATCH, seed + 1, 0, CLASSES).map((v) => Math.min(CLASSES - 1, Math.floor(v)));
  return { x, labels };
}

function model(activation = 'relu') {
  return gs.nn.mlp({ input: INPUT, hidden: [20, 9], output: CLASSES, activation, seed: 1234 });
}

async function params(m: gs.nn.Module): Promise<Float32Array[]> {
  return Promise.all(m.parameters().map((p) => p.toArray()));
}

async function gradients(backend: 'cpu' | 'webgpu', activation: string): Promise<Float32Array[]> {
  await gs.setBackend(backend);
  const m = model(activation);
  const { x, labels } = batch(7);
  const loss = gs.losses.crossEntropy(m.forward(gs.tensor(x).reshape([BATCH, INPUT])), labels);
  loss.backward();
  return Promise.all(m.parameters().map((p) => p.grad!.toArray()));
}

async function train(backend: 'cpu' | 'webgpu', steps: number): Promise<Float32Array[]> {
  await gs.setBackend(backend);
  const m = model('tanh');
  const opt = new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 });
  for (let step = 0; step < steps; step++) {
    const { x, labels } = batch(100 + step);
    gs.tidy(() => {
      opt.zeroGrad();
      gs.losses.crossEntropy(m.forward(gs.tensor(x).reshape([BATCH, INPUT])), labels).backward();
      opt.step();
    });
  }
  return params(m);
}

afterAll(async () => {
  await gs.setBackend('cpu');
});

describe('webgpu vs cpu: whole models', () => {
  it('the same seed gives the same initial weights on both backends', async () => {
    await gs.setBackend('cpu');
    const onCpu = await params(model());
    await gs.setBackend('webgpu');
    const onGpu = await params(model());
    expect(onGpu.length).toBe(onCpu.length);
    onGpu.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(onCpu[i])));
  });

  for (const activation of ['relu', 'tanh', 'sigmoid']) {
    it(`an MLP's gradients (${activation}) equal CPU autograd`, async () => {
      const cpuGrads = await gradients('cpu', activation);
      const gpuGrads = await gradients('webgpu', activation);
      expect(gpuGrads.length).toBe(cpuGrads.length);
      gpuGrads.forEach((g, i) => expect(maxRelDiff(g, cpuGrads[i])).toBeLessThanOrEqual(1e-5));
    });
  }

  it('after 20 SGD-momentum steps the parameters agree within 1e-4', async () => {
    const cpuParams = await train('cpu', 20);
    const gpuParams = await train('webgpu', 20);
    gpuParams.forEach((p, i) => {
      let worst = 0;
      for (let j = 0; j < p.length; j++) worst = Math.max(worst, Math.abs(p[j] - cpuParams[i][j]));
      expect(worst).toBeLessThanOrEqual(1e-4);
    });
  });

  it('training 2,000 steps does not grow live device memory after warm-up', async () => {
    // A backend of its own: tensors of earlier tests, released whenever the GC finalizes
    // them, would otherwise move the shared backend's count.
    const { device, adapter } = await openDevice({});
    const backend = new WebGpuBackend(device, adapter);
    await gs.setBackend(backend);
    const m = model('relu');
    const opt = new SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
    const { x, labels } = batch(3);
    const live: number[] = [];
    let firstLoss = NaN;
    let lastLoss = NaN;
    for (let step = 0; step < 2000; step++) {
      const loss = gs.tidy(() => {
        opt.zeroGrad();
        const l = gs.losses.crossEntropy(m.forward(gs.tensor(x).reshape([BATCH, INPUT])), labels);
        l.backward();
        opt.step();
        return l;
      });
      if (step % 200 === 0 || step === 1999) {
        const value = await loss.item();
        if (step === 0) firstLoss = value;
        lastLoss = value;
        live.push(gs.memory().liveBytes);
      }
      loss.dispose();
    }
    // Warm-up: the first step creates gradients and momentum buffers.
    const afterWarmUp = live.slice(1);
    expect(Math.max(...afterWarmUp)).toBe(Math.min(...afterWarmUp));
    // The run did train (one fixed batch: the loss must fall).
    expect(lastLoss).toBeLessThan(firstLoss * 0.5);
    await gs.setBackend('cpu');
    device.destroy();
  }, 120_000);

  it('bad input gives the same error messages as on the CPU', async () => {
    const attempts: (() => unknown)[] = [
      () => gs.tensor([[1, 2, 3]]).matmul(gs.tensor([[1, 2]])),
      () => gs.tensor([1, 2, 3]).add(gs.tensor([1, 2])),
      () => gs.losses.crossEntropy(gs.tensor([[1, 2], [3, 4]]), [0, 5]),
      () => gs.losses.crossEntropy(gs.tensor([1, 2]), [0]),
      () => gs.tensor([1, 2, 3]).reshape([2, 2]),
      () => gs.nn.mlp({ input: 0, hidden: [3], output: 2 }),
    ];
    const messages = async (backend: 'cpu' | 'webgpu') => {
      await gs.setBackend(backend);
      return attempts.map((attempt) => {
        try {
          attempt();
          return 'no error';
        } catch (error) {
          return (error as Error).message;
        }
      });
    };
    const onCpu = await messages('cpu');
    const onGpu = await messages('webgpu');
    expect(onCpu.every((m) => m !== 'no error')).toBe(true);
    expect(onGpu).toEqual(onCpu);
  });
});
