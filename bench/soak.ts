// The memory soak: train a model on the current backend for many steps and sample
// live device bytes, pooled bytes and the JS heap at fixed intervals. After warm-up
// all three must stay flat: a library people train with for hours must not creep.
// `npm run soak` runs 5,000 steps on WebGPU; tests/webgpu/soak.test.ts runs 300.

import * as gs from '../index';

export interface SoakSample {
  step: number;
  liveBytes: number;
  pooledBytes: number;
  liveBuffers: number;
  heapBytes: number;
  loss: number;
}

export interface SoakOptions {
  steps?: number;
  /** Sample every this many steps. */
  every?: number;
  batchSize?: number;
  hidden?: number[];
  onSample?: (s: SoakSample) => void;
}

function heapBytes(): number {
  const p = (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process;
  return p ? p.memoryUsage().heapUsed : 0;
}

/**
 * A real training loop as users write it: a DataLoader over moons, an MLP with a
 * fused Linear+ReLU stack, cross-entropy, SGD with momentum, one tidy() per step, the
 * loss read back at each sample.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakSample[]> {
  const { steps = 5000, every = 500, batchSize = 64, hidden = [64, 64], onSample } = options;
  const data = gs.data.moons({ n: 1024, noise: 0.2, seed: 1 });
  const loader = new gs.data.DataLoader(data, { batchSize, shuffle: true, seed: 2, dropLast: true });
  const model = gs.nn.mlp({ input: 2, hidden, output: 2, activation: 'relu', seed: 3 });
  const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const samples: SoakSample[] = [];
  let step = 0;
  try {
    while (step < steps) {
      for (const batch of loader) {
        const loss = gs.tidy(() => {
          optimizer.zeroGrad();
          const l = gs.losses.crossEntropy(model.forward(batch.x), batch.y);
          l.backward();
          optimizer.step();
          return l;
        });
        batch.x.dispose();
        step++;
        if (step % every === 0 || step === steps) {
          const value = await loss.item();
          const m = gs.memory();
          const sample = { step, liveBytes: m.liveBytes, pooledBytes: m.pooledBytes, liveBuffers: m.liveBuffers, heapBytes: heapBytes(), loss: value };
          samples.push(sample);
          onSample?.(sample);
        }
        loss.dispose();
        if (step >= steps) break;
      }
    }
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  return samples;
}
