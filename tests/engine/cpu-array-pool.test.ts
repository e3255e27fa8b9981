// The CPU backend reuses released arrays (host-array-pool.ts). Reuse must never show:
// a reused array starts zeroed, a live tensor never shares its array with another, a
// second release of one array pools it once, the pool stays under its bound, and
// training gives the same bits as with fresh arrays every time.
import { afterEach, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { CpuBackend } from '../../engine/backends/cpu';
import { HOST_POOL_MAX_BYTES, HostArrayPool } from '../../engine/backends/host-array-pool';
import { Random } from '../../engine/random';

describe('HostArrayPool', () => {
  it('hands a released array back once, zeroed, for its exact length only', () => {
    const pool = new HostArrayPool();
    const a = new Float32Array([1, 2, 3]);
    expect(pool.put(a)).toBe(true);
    expect(pool.put(a)).toBe(false); // a second release: not pooled twice
    expect([pool.bytes, pool.buffers]).toEqual([12, 1]);
    expect(pool.take(4)).toBeNull();
    const b = pool.take(3);
    expect(b).toBe(a);
    expect(Array.from(b!)).toEqual([0, 0, 0]);
    expect(pool.take(3)).toBeNull();
    expect([pool.bytes, pool.buffers]).toEqual([0, 0]);
  });

  it('leaves arrays to the garbage collector beyond its bound', () => {
    const pool = new HostArrayPool();
    const big = new Float32Array(HOST_POOL_MAX_BYTES / 4);
    expect(pool.put(big)).toBe(true);
    expect(pool.put(new Float32Array(1))).toBe(false);
    expect(pool.bytes).toBe(HOST_POOL_MAX_BYTES);
    pool.clear();
    expect([pool.bytes, pool.buffers]).toEqual([0, 0]);
  });
});

describe('CPU backend with the pool', () => {
  afterEach(async () => {
    await gs.setBackend('cpu');
  });

  it('a disposed tensor’s array serves the next tensor of its size, zeroed, and the counts follow', async () => {
    const backend = new CpuBackend();
    const a = backend.upload([1, 2, 3, 4]);
    expect(backend.memory()).toEqual({ liveBytes: 16, pooledBytes: 0, liveBuffers: 1, pooledBuffers: 0 });
    backend.release(a);
    backend.release(a); // a double release changes nothing
    expect(backend.memory()).toEqual({ liveBytes: 0, pooledBytes: 16, liveBuffers: 0, pooledBuffers: 1 });
    const b = backend.fill(4, 0);
    expect(b).toBe(a);
    expect(Array.from(await backend.read(b, 4))).toEqual([0, 0, 0, 0]);
    const c = backend.fill(4, 7); // a is taken: c is new
    expect(c).not.toBe(b);
    expect(backend.memory()).toEqual({ liveBytes: 32, pooledBytes: 0, liveBuffers: 2, pooledBuffers: 0 });
  });

  it('ops whose outputs land in reused arrays give the values of fresh ones', async () => {
    await gs.setBackend('cpu');
    const x = gs.tensor([[1, -2, 3], [-4, 5, -6]]);
    for (let round = 0; round < 3; round++) {
      const [s, m] = gs.tidy(() => [x.relu().add(1).sum(0), x.matmul(x.transpose()).mul(0.5)]);
      expect(Array.from(await s.toArray())).toEqual([3, 7, 5]);
      expect(await m.toNested()).toEqual([[7, -16], [-16, 38.5]]);
      gs.dispose(s, m);
      expect(gs.memory().pooledBuffers).toBeGreaterThan(0);
    }
    x.dispose();
  });

  it('outputs written in full take pooled arrays as they are: arrays left full of NaN change no result', async () => {
    await gs.setBackend('cpu');
    const backend = gs.getBackend() as unknown as CpuBackend;
    const poison = () => {
      // NaN-filled released arrays of every small length: each output below lands in one.
      for (let size = 1; size <= 64; size++) for (let copies = 0; copies < 4; copies++) backend.release(backend.upload(new Float32Array(size).fill(NaN)));
    };
    const x = gs.tensor([[1, -2, 3], [-4, 5, -6]]);
    const w = gs.tensor([[0.5, 1, -1], [2, 0, 1]]);
    const b = gs.tensor([0.25, -0.5]);
    const compute = () =>
      gs.tidy(() => [
        x.matmul(x.transpose()), // the JS row-update loops accumulate: C is zeroed first
        x.transpose().matmul(x),
        x.abs().neg().exp(),
        x.mul(w).add(1),
        gs.linear(x, w, b),
        x.relu().sum(0),
      ]);
    const fresh = await Promise.all(compute().map((t) => t.toNested()));
    poison();
    const reused = compute();
    expect(await Promise.all(reused.map((t) => t.toNested()))).toEqual(fresh);
    gs.dispose(x, w, b, ...reused);
  });

  it('training is bit-identical on a fresh backend (empty pool) and again with the pool full of its arrays', async () => {
    await gs.setBackend('cpu'); // a new backend: an empty pool
    const train = async () => {
      const model = gs.nn.mlp({ input: 20, hidden: [32, 16], output: 3, activation: 'relu', seed: 5 });
      const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const rng = new Random(9);
      const x = gs.tensor(Float32Array.from({ length: 8 * 20 }, () => rng.uniform() * 2 - 1), { shape: [8, 20] });
      const labels = Int32Array.from({ length: 8 }, () => rng.int(3));
      const losses: number[] = [];
      for (let step = 0; step < 25; step++) {
        const loss = gs.tidy(() => {
          optimizer.zeroGrad();
          const l = gs.losses.crossEntropy(model.forward(x), labels);
          l.backward();
          optimizer.step();
          return l;
        });
        losses.push((await loss.toArray())[0]);
        loss.dispose();
      }
      x.dispose();
      const weights = await Promise.all(model.parameters().map(async (p) => Array.from(await p.toArray())));
      optimizer.dispose();
      model.dispose();
      return { losses, weights, pooled: gs.memory().pooledBuffers };
    };
    const first = await train();
    expect(first.pooled).toBeGreaterThan(0); // what the first run released waits in the pool
    const second = await train();
    expect(second.losses).toEqual(first.losses);
    expect(second.weights).toEqual(first.weights);
    expect(first.losses[24]).toBeLessThan(first.losses[0]);
  });
});
