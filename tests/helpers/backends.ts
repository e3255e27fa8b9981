// One parameterised suite for both backends: describeBackends('ops', (backend) => {...})
// runs its tests once on the CPU backend and once on WebGPU (Dawn in Node; SwiftShader
// when the machine has no GPU). WebGPU is never skipped: if it cannot start, its block fails.
import { beforeAll, describe } from 'vitest';
import * as gs from '../../index';

export const BACKENDS = ['cpu', 'webgpu'] as const;
export type BackendUnderTest = (typeof BACKENDS)[number];

export function describeBackends(name: string, body: (backend: BackendUnderTest) => void): void {
  for (const backend of BACKENDS) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await gs.setBackend(backend);
      });
      body(backend);
    });
  }
}

/** Max |a − b| / max(1, |b|) over two arrays (relative with an absolute floor). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}
