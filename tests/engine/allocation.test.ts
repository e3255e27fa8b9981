// An allocation the backend cannot make fails at its own call, names the size and the
// limit, is never counted by live(), and leaves the backend usable: the next ops
// give the right values (issue 15, item 14).
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { webgpuBackend } from '../webgpu/helpers';

/** Two ops after a refusal, read back: a poisoned backend would throw or give wrong values here. */
/** What is in use (WebGPU's pool may keep freed buffers for reuse: pooled bytes change). */
function live() {
  const { liveBytes, liveBuffers } = gs.memory();
  return { liveBytes, liveBuffers };
}

async function expectUsable(): Promise<void> {
  const [b, c] = gs.tidy(() => [
    gs.tensor([1, 2, 3]).mul(2).add(gs.tensor([0.5, 0.5, 0.5])),
    gs.ones([2, 2]).matmul(gs.tensor([[1, 2], [3, 4]])),
  ]);
  expect(Array.from(await b.toArray())).toEqual([2.5, 4.5, 6.5]);
  expect(await c.toNested()).toEqual([[4, 6], [4, 6]]);
  gs.dispose(b, c);
}

describeBackends('allocation errors', (backend) => {
  const limit = backend === 'webgpu' ? /this device allows at most \d+ bytes per storage buffer \(maxStorageBufferBindingSize \d+, maxBufferSize \d+\)/ : /the JavaScript engine refused it: RangeError: Invalid typed array length: 1000000000000/;

  it('gs.zeros([1e6, 1e6]) throws at its own call with the size and the limit, and counts nothing', async () => {
    await expectUsable();
    const before = live();
    expect(() => gs.zeros([1e6, 1e6])).toThrow(/cannot allocate 1000000000000 float32 values \(4000000000000 bytes, 3\.6 TiB\)/);
    expect(() => gs.zeros([1e6, 1e6])).toThrow(limit);
    expect(live()).toEqual(before);
    await expectUsable();
    await expectUsable();
    expect(live()).toEqual(before);
  });

  it('an op whose output cannot be allocated throws at the op and counts nothing', async () => {
    const before = live();
    // An op whose inputs fit but whose output does not: the outer product of two long vectors.
    const n = backend === 'webgpu' ? 20_000 : 70_000; // 4e8 values (1.6 GB) on the device; 4.9e9 values (over 2³²) on the CPU
    const column = gs.ones([n, 1]);
    const row = gs.ones([1, n]);
    const inputs = live();
    expect(() => column.matmul(row)).toThrow(new RegExp(`cannot allocate ${n * n} float32 values`));
    expect(live()).toEqual(inputs);
    gs.dispose(column, row);
    expect(live()).toEqual(before);
    await expectUsable();
  });
});

describe('allocation errors [webgpu, what only the device knows]', () => {
  it('a buffer within the limits that the device refuses is reported by the next read, naming its size, and is never counted', async () => {
    const gpu = await webgpuBackend();
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    expect(() => gpu.fill(limit / 4 + 1, 0)).toThrow(/cannot allocate \d+ float32 values/);
    const before = gpu.memory();
    // At the limit the check lets it through; only the device can say whether it fits
    // (SwiftShader's Vulkan heap refuses 1 GiB: VK_ERROR_OUT_OF_DEVICE_MEMORY).
    const big = gpu.fill(limit / 4, 0);
    const x = gpu.upload([1, 2]);
    const y = gpu.unary('neg', x, 2);
    const outcome = await gpu.read(y, 2).then((v) => Array.from(v), (e: Error) => e);
    if (outcome instanceof Error) {
      expect(outcome.message).toMatch(new RegExp(`gradscope storage: the device could not allocate a buffer of ${limit} bytes: .+`));
      // Uncounted as soon as the device answered; releasing it later changes nothing.
      expect(gpu.memory().liveBytes).toBe(before.liveBytes + 2 * 16);
      expect(() => gpu.unary('neg', big, 2)).toThrow(new RegExp(`the device refused this storage \\(${limit} bytes\\)`));
    } else {
      expect(outcome).toEqual([-1, -2]);
      expect(gpu.memory().liveBytes).toBe(before.liveBytes + limit + 2 * 16);
      expect(Array.from(await gpu.read(big, 2))).toEqual([0, 0]);
    }
    for (const s of [big, x, y]) gpu.release(s);
    expect(gpu.memory().liveBytes).toBe(before.liveBytes);
    // The backend goes on: new work gives the right values.
    const a = gpu.upload([1, 2, 3]);
    const b = gpu.unary('affine', a, 3, [2, 1]);
    expect(Array.from(await gpu.read(b, 3))).toEqual([3, 5, 7]);
    gpu.release(a);
    gpu.release(b);
  });
});
