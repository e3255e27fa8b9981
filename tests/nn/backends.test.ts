// The same training on CPU and WebGPU: identical initial weights from the same seed,
// matching training curves, and the moons acceptance on both backends.
import { expect, test } from 'vitest';
import * as gs from '../../index';
import { describeBackends, maxRelDiff } from '../helpers/backends';

const data = gs.data.moons({ n: 1000, noise: 0.2, seed: 1 });

async function trainMoons(epochs: number) {
  const model = gs.nn.mlp({ input: 2, hidden: [32, 32], output: 2, activation: 'relu', seed: 3 });
  const initial = await Promise.all(model.parameters().map((p) => p.toArray()));
  const optimizer = new gs.optim.Adam(model.parameters(), { lr: 0.02 });
  const losses: number[] = [];
  const result = await gs.nn.fit(model, new gs.data.DataLoader(data, { batchSize: 64, shuffle: true, seed: 1 }), {
    optimizer,
    epochs,
    // A readback every 8th batch: syncing the device every step costs WebGPU dearly.
    onProgress: (p) => void losses.push(p.loss),
    progressEvery: 4,
  });
  const evaluation = await gs.nn.evaluate(model, new gs.data.DataLoader(data, { batchSize: 250 }));
  model.dispose();
  optimizer.dispose();
  return { initial, losses, history: result.history, evaluation };
}

const runs: Record<string, Awaited<ReturnType<typeof trainMoons>>> = {};

describeBackends('moons training', (backend) => {
  test('moons (1,000 points, noise 0.2): ≥ 97% accuracy', async () => {
    const started = performance.now();
    runs[backend] = await trainMoons(15);
    console.log(`moons, 15 epochs of 16 batches [${backend}]: ${((performance.now() - started) / 1000).toFixed(1)} s, accuracy ${runs[backend].evaluation.accuracy}`);
    expect(runs[backend].evaluation.accuracy).toBeGreaterThanOrEqual(0.97);
  });

  if (backend === 'webgpu') {
    test('same seed: identical initial weights and matching training curves on CPU and WebGPU', () => {
      const cpu = runs.cpu;
      const gpu = runs.webgpu;
      expect(cpu && gpu).toBeTruthy();
      gpu.initial.forEach((w, i) => expect(w).toEqual(cpu.initial[i]));
      // Float32 on both, different summation orders: the first epochs agree closely,
      // and the whole curve stays close.
      expect(maxRelDiff(gpu.losses.slice(0, 8), cpu.losses.slice(0, 8))).toBeLessThan(1e-3);
      expect(maxRelDiff(gpu.history.map((h) => h.loss), cpu.history.map((h) => h.loss))).toBeLessThan(2e-2);
      expect(Math.abs(gpu.evaluation.accuracy - cpu.evaluation.accuracy)).toBeLessThanOrEqual(0.01);
    });
  }
});

describeBackends('checkpoint across backends', (backend) => {
  test(`a checkpoint written on ${backend} resumes on the other backend and finishes like the uninterrupted run`, async () => {
    const other = backend === 'cpu' ? 'webgpu' : 'cpu';
    const small = gs.data.moons({ n: 256, noise: 0.2, seed: 2 });
    const loader = () => new gs.data.DataLoader(small, { batchSize: 64, shuffle: true, seed: 5 });
    const setup = (seed: number) => {
      const model = gs.nn.mlp({ input: 2, hidden: [16], output: 2, activation: 'tanh', seed });
      return { model, optimizer: new gs.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) };
    };
    const run = setup(1);
    let afterEpoch1: Uint8Array | null = null;
    await gs.nn.fit(run.model, loader(), {
      optimizer: run.optimizer,
      epochs: 3,
      checkpoint: (bytes, at) => void (at.epoch === 1 && (afterEpoch1 = bytes)),
    });
    const uninterrupted = await Promise.all(run.model.parameters().map((p) => p.toArray()));
    run.model.dispose();
    run.optimizer.dispose();

    await gs.setBackend(other);
    try {
      const resumed = setup(2);
      const saved = gs.io.loadSafetensors(afterEpoch1!);
      await gs.nn.fit(resumed.model, loader(), { optimizer: resumed.optimizer, epochs: 1, resumeFrom: afterEpoch1! });
      // Nothing to train (epoch 1 of 1 is done): the parameters are the checkpoint's, bit for bit.
      for (const [name, p] of resumed.model.namedParameters()) expect(await p.toArray()).toEqual(saved[`model.${name}`].data);
      await gs.nn.fit(resumed.model, loader(), { optimizer: resumed.optimizer, epochs: 3, resumeFrom: afterEpoch1! });
      const finished = await Promise.all(resumed.model.parameters().map((p) => p.toArray()));
      finished.forEach((w, i) => expect(maxRelDiff(w, uninterrupted[i])).toBeLessThan(1e-3));
      resumed.model.dispose();
      resumed.optimizer.dispose();
    } finally {
      await gs.setBackend(backend);
    }
  });
});

describeBackends('fit memory', () => {
  test('live device bytes are the same after every epoch (each step runs in tidy)', async () => {
    const model = gs.nn.mlp({ input: 2, hidden: [16], output: 2, seed: 1 });
    const optimizer = new gs.optim.Adam(model.parameters(), { lr: 0.01 });
    const live: number[] = [];
    await gs.nn.fit(model, new gs.data.DataLoader(gs.data.xor({ n: 256, seed: 2 }), { batchSize: 32, shuffle: true }), {
      optimizer,
      epochs: 5,
      evalLoader: new gs.data.DataLoader(gs.data.xor({ n: 64, seed: 3 }), { batchSize: 32 }),
      onEpoch: () => void live.push(gs.memory().liveBytes),
    });
    expect(live).toHaveLength(5);
    expect(new Set(live.slice(1)).size).toBe(1);
    model.dispose();
    optimizer.dispose();
  });
});
