// Shared by the WebGPU tests: the two backends side by side, seeded inputs, and a
// comparison that runs the same Backend call on both and checks the values agree.
import { expect } from 'vitest';
import * as gs from '../../index';
import type { Backend, Storage } from '../../engine/backend';
import { cpuBackend } from '../../engine/backend-registry';
import { WebGpuBackend } from '../../engine/backends/webgpu/index';
import { maxRelDiff } from '../helpers/backends';

export async function webgpuBackend(): Promise<WebGpuBackend> {
  await gs.setBackend('webgpu');
  const backend = gs.getBackend();
  await gs.setBackend('cpu');
  if (!(backend instanceof WebGpuBackend)) throw new Error(`expected the webgpu backend, got ${backend.name}`);
  return backend;
}

export const cpu = (): Backend => cpuBackend();

export { randomValues } from '../helpers/random';

/**
 * Run `call` on the CPU and on WebGPU with the same inputs (uploaded to each) and
 * expect the outputs to agree within `tol` (relative, absolute floor 1).
 */
export async function expectSame(
  gpu: Backend,
  inputs: readonly (readonly number[])[],
  call: (b: Backend, s: Storage[]) => Storage,
  outSize: number,
  tol = 1e-5,
): Promise<Float32Array> {
  const run = async (b: Backend) => {
    const s = inputs.map((v) => b.upload(v));
    const out = call(b, s);
    const values = await b.read(out, outSize);
    for (const x of [...s, out]) b.release(x);
    return values;
  };
  const expected = await run(cpu());
  const actual = await run(gpu);
  expect(actual.length).toBe(expected.length);
  expect(maxRelDiff(actual, expected)).toBeLessThanOrEqual(tol);
  return actual as Float32Array;
}
