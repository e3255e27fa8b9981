// The short soak (issue 9): 300 steps of a real training loop on WebGPU; live and
// pooled device bytes must not grow after the warm-up sample, and the model learns.
// `npm run soak` is the long version (5,000 steps).
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { runSoak } from '../../bench/soak';

it('300 training steps on WebGPU: live and pooled device memory flat after warm-up', async () => {
  await gs.setBackend('webgpu');
  const before = gs.memory().liveBytes;
  const samples = await runSoak({ steps: 300, every: 50 });
  expect(samples.map((s) => s.step)).toEqual([50, 100, 150, 200, 250, 300]);
  const warm = samples[0];
  for (const s of samples.slice(1)) {
    expect(s.liveBytes).toBe(warm.liveBytes);
    expect(s.liveBuffers).toBe(warm.liveBuffers);
    expect(s.pooledBytes).toBeLessThanOrEqual(warm.pooledBytes);
  }
  expect(samples[samples.length - 1].loss).toBeLessThan(samples[0].loss);
  // Everything the soak made is released when it ends.
  expect(gs.memory().liveBytes).toBe(before);
});
