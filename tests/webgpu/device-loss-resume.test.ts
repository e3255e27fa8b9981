// Issue 9, device loss with nothing lost: the GPU device is destroyed in the middle of
// training; fit() rejects saying the device was lost; the last checkpoint (written at the
// previous epoch end) resumes on a NEW WebGPU device and on the CPU, finishing like the
// uninterrupted run.
import { expect, it } from 'vitest';
import * as gs from '../../index';

const data = gs.data.moons({ n: 300, noise: 0.2, seed: 4 });
const loader = () => new gs.data.DataLoader(data, { batchSize: 32, shuffle: true, seed: 11 });
const model = (seed: number) => gs.nn.mlp({ input: 2, hidden: [16, 16], output: 2, activation: 'tanh', seed });
const sgd = (m: gs.nn.Module) => new gs.optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });

async function weights(m: gs.nn.Module): Promise<number[]> {
  const out: number[] = [];
  for (const p of m.parameters()) out.push(...(await p.toArray()));
  return out;
}

function maxDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

it('a device lost mid-training: fit rejects clearly, and the checkpoint resumes on a new device and on the CPU', async () => {
  await gs.setBackend('webgpu');
  const m0 = model(3);
  const full = await gs.nn.fit(m0, loader(), { optimizer: sgd(m0), epochs: 3 });
  const expected = await weights(m0);

  // The interrupted run: the device is destroyed during epoch 2 (index 1), batch 3.
  const first = gs.getBackend();
  const m1 = model(3);
  const checkpoints: { epoch: number; bytes: Uint8Array }[] = [];
  const run = gs.nn.fit(m1, loader(), {
    optimizer: sgd(m1),
    epochs: 3,
    checkpoint: (bytes, at) => void checkpoints.push({ epoch: at.epoch, bytes }),
    onProgress: (p) => {
      if (p.epoch === 1 && p.batch === 3) (first as unknown as { device: GPUDevice }).device.destroy();
    },
  });
  await expect(run).rejects.toThrow(/device (was )?lost/i);
  expect(checkpoints.map((c) => c.epoch)).toEqual([1]);

  // A new device: setBackend sees the old one was lost and opens another.
  await gs.setBackend('webgpu');
  expect(gs.getBackend()).not.toBe(first);
  const m2 = model(99);
  const resumed = await gs.nn.fit(m2, loader(), { optimizer: sgd(m2), epochs: 3, resumeFrom: checkpoints[0].bytes });
  expect(maxDiff(await weights(m2), expected)).toBeLessThan(1e-6);
  expect(maxDiff(resumed.history.map((h) => h.loss), full.history.map((h) => h.loss))).toBeLessThan(1e-6);

  // Or on the CPU.
  await gs.setBackend('cpu');
  const m3 = model(98);
  await gs.nn.fit(m3, loader(), { optimizer: sgd(m3), epochs: 3, resumeFrom: checkpoints[0].bytes });
  expect(maxDiff(await weights(m3), expected)).toBeLessThan(1e-4);
});
