// The WebAssembly heap (engine/backends/wasm/wasm-heap.ts) and the kernels that read and
// write its arrays in place (KernelArrays in wasm-memory.ts). In place must never show:
// every kernel gives the same bits on heap arrays as on plain ones, a kernel writing four
// lanes at a time never touches the array next door, growing the heap keeps every array
// valid, a released region comes back only for its size, and the CPU backend's float32
// tensors live there (Node has shared memory).
import { afterEach, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { sgdStepInto, adamStepInto } from '../../engine/backends/cpu-optimizers';
import { HostArrayPool } from '../../engine/backends/host-array-pool';
import { geluSimd } from '../../engine/backends/wasm/gelu-kernel';
import { leakyReluSimd } from '../../engine/backends/wasm/leaky-relu-kernel';
import { reluSimd } from '../../engine/backends/wasm/relu-kernel';
import { SimdMatmul, simdMatmulSupported } from '../../engine/backends/wasm/simd-matmul';
import { HEAP_MAX_PAGES, PAGE_BYTES, wasmHeap, WasmHeap } from '../../engine/backends/wasm/wasm-heap';
import { KernelArrays } from '../../engine/backends/wasm/wasm-memory';
import { Random } from '../../engine/random';

const newHeap = () => new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: HEAP_MAX_PAGES, shared: true }));

/** Random float32s with a few NaN, ±∞ and ±0 among them. */
function values(random: Random, size: number): Float32Array {
  const specials = [NaN, Infinity, -Infinity, 0, -0];
  return Float32Array.from({ length: size }, (_, i) => (i % 37 === 5 ? specials[i % specials.length] : 4 * random.normal()));
}

/** The same values in a whole heap array. */
function onHeap(heap: WasmHeap, array: Float32Array): Float32Array {
  const copy = heap.floats(array.length)!;
  copy.set(array);
  return copy;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('WasmHeap', () => {
  it('hands out 16-byte aligned regions padded to groups of four, reused only for their size', () => {
    const heap = newHeap();
    const a = heap.floats(5)!;
    const b = heap.floats(3)!;
    expect(a.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBe(a.byteOffset + 32); // 5 floats: two groups of four
    heap.releaseFloats(a);
    expect(heap.floats(3)!.byteOffset).not.toBe(a.byteOffset); // 3 floats fit one group: another size
    expect(heap.floats(5)!.byteOffset).toBe(a.byteOffset);
  });

  it('grows without moving or detaching the arrays it handed out', () => {
    const heap = newHeap();
    const first = heap.floats(1000)!;
    first.fill(1.5);
    const big = heap.floats((4 * PAGE_BYTES) / 4)!; // past the first page: the memory grows
    big.fill(2.5);
    expect(heap.bytes).toBeGreaterThanOrEqual(5 * PAGE_BYTES);
    expect(first.length).toBe(1000);
    expect(first.every((v) => v === 1.5)).toBe(true);
    expect(heap.resident(first) && heap.resident(big)).toBe(true);
  });

  it("takes back a pool's arrays when the pool is cleared (a collected backend's pool is)", () => {
    const heap = newHeap();
    const pool = new HostArrayPool();
    const a = heap.floats(100)!;
    pool.put(a);
    const top = heap.floats(1)!.byteOffset; // the region after a's
    pool.clear((array) => heap.releaseFloats(array as Float32Array));
    expect(pool.buffers).toBe(0);
    expect(heap.floats(100)!.byteOffset).toBe(a.byteOffset); // a's region, not a new one past `top`
    expect(top).toBeGreaterThan(a.byteOffset);
  });

  it('tells apart what a kernel may write in place: its own padding lanes only', () => {
    const heap = newHeap();
    const whole = heap.floats(5)!;
    expect(heap.writableInPlace(whole, 5)).toBe(true); // lanes 5..7 are its padding
    expect(heap.writableInPlace(whole.subarray(0, 3), 3)).toBe(false); // lane 3 is whole's
    expect(heap.writableInPlace(whole.subarray(0, 4), 4)).toBe(true);
    expect(heap.writableInPlace(whole.subarray(1, 5), 4)).toBe(false); // not aligned
    expect(heap.resident(whole.subarray(1, 5))).toBe(true); // but readable in place
    expect(heap.resident(new Float32Array(8))).toBe(false);
  });
});

describe('KernelArrays', () => {
  it('uses heap arrays in place and copies the others in and out', () => {
    const heap = newHeap();
    const arrays = new KernelArrays(heap);
    const resident = onHeap(heap, Float32Array.of(1, 2, 3));
    const plain = Float32Array.of(4, 5, 6);
    const out = new Float32Array(3);
    const [r, p, o] = arrays.place([[resident, 3, 'in'], [plain, 3, 'in'], [out, 3, 'out']]);
    expect(r).toBe(resident.byteOffset);
    expect(p).not.toBe(plain.byteOffset);
    expect(Array.from(arrays.float32At(p, 3))).toEqual([4, 5, 6]);
    arrays.float32At(o, 3).set([7, 8, 9]);
    arrays.finish();
    expect(Array.from(out)).toEqual([7, 8, 9]);
  });

  it('works on a private memory where there is no heap', () => {
    const arrays = new KernelArrays(null);
    expect(arrays.sharedMemoryMaxPages).toBeUndefined();
    const out = new Float32Array(2);
    const [i, o] = arrays.place([[Float32Array.of(1, 2), 2, 'in'], [out, 2, 'out']]);
    arrays.float32At(o, 2).set(arrays.float32At(i, 2));
    arrays.finish();
    expect(Array.from(out)).toEqual([1, 2]);
  });
});

describe.runIf(simdMatmulSupported() && wasmHeap() !== null)('kernels on heap arrays give the bits of plain arrays', () => {
  const heap = wasmHeap()!;
  const random = new Random(7);

  it('matmul, with C written in place (unpadded) and copied out (padded), transposed or not', () => {
    const matmul = new SimdMatmul();
    // m a multiple of 4 and n of 8: C in place; the others: a padded C.
    for (const [m, k, n] of [[8, 13, 16], [128, 64, 32], [7, 5, 10], [12, 33, 24], [3, 17, 9]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = values(random, m * k);
          const b = values(random, k * n);
          const plain = new Float32Array(m * n);
          matmul.matmul(a, b, plain, m, k, n, transA, transB);
          // The product's neighbour in the heap must not change.
          const c = heap.floats(m * n)!;
          const neighbour = heap.floats(8)!;
          neighbour.fill(42);
          matmul.matmul(onHeap(heap, a), onHeap(heap, b), c, m, k, n, transA, transB);
          expect(bits(c), `${m}×${k}·${k}×${n} ${transA} ${transB}`).toEqual(bits(plain));
          expect(Array.from(neighbour)).toEqual(new Array(8).fill(42));
        }
      }
    }
  });

  it('activations forward, backward, linear and backwardWithSums; a padded output leaves its neighbour alone', () => {
    for (const [name, kernels] of [['relu', reluSimd()], ['leaky_relu', leakyReluSimd()], ['gelu', geluSimd()]] as const) {
      const rows = 3;
      const n = 12;
      const size = rows * n;
      const x = values(random, size);
      const dy = values(random, size);
      const b = values(random, n);
      const plain = { y: new Float32Array(size), dx: new Float32Array(size), z: x.slice(), ly: new Float32Array(size), bx: new Float32Array(size), sums: new Float64Array(n) };
      kernels!.forward(x, plain.y, 0.1);
      kernels!.backward(x, dy, plain.dx, 0.1);
      kernels!.linear(plain.z, b, plain.ly, rows, n, true, 0.1);
      kernels!.backwardWithSums(x, dy, plain.bx, rows, n, plain.sums, 0.1);

      const hx = onHeap(heap, x);
      const hdy = onHeap(heap, dy);
      const heapy = { y: heap.floats(size)!, dx: heap.floats(size)!, z: onHeap(heap, x), ly: heap.floats(size)!, bx: heap.floats(size)!, sums: new Float64Array(n) };
      kernels!.forward(hx, heapy.y, 0.1);
      kernels!.backward(hx, hdy, heapy.dx, 0.1);
      kernels!.linear(heapy.z, onHeap(heap, b), heapy.ly, rows, n, true, 0.1);
      kernels!.backwardWithSums(hx, hdy, heapy.bx, rows, n, heapy.sums, 0.1);
      for (const key of ['y', 'dx', 'z', 'ly', 'bx'] as const) expect(bits(heapy[key]), `${name} ${key}`).toEqual(bits(plain[key]));
      expect(Array.from(heapy.sums)).toEqual(Array.from(plain.sums));

      // 5 elements: the kernel writes 8 lanes, 3 of them the output's own padding.
      const five = heap.floats(5)!;
      const next = heap.floats(4)!;
      next.fill(42);
      kernels!.forward(hx.subarray(0, 5), five, 0.1);
      expect(bits(five)).toEqual(bits(plain.y.subarray(0, 5)));
      expect(Array.from(next)).toEqual([42, 42, 42, 42]);
    }
  });

  it('SGD with momentum and Adam update heap arrays in place as they update plain ones', () => {
    const size = 1003;
    const [param, grad, v, m] = [values(random, size), values(random, size), values(random, size), values(random, size)].map((a) => a.map((x) => (Number.isFinite(x) ? x : 0.5)));
    const sgd = { lr: 0.01, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, firstStep: false };
    const plain = [param.slice(), v.slice()];
    sgdStepInto(plain[0], grad, plain[1], size, sgd, 'simd');
    const resident = [onHeap(heap, param), onHeap(heap, v)];
    sgdStepInto(resident[0], onHeap(heap, grad), resident[1], size, sgd, 'simd');
    expect(bits(resident[0])).toEqual(bits(plain[0]));
    expect(bits(resident[1])).toEqual(bits(plain[1]));

    const adam = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupledWeightDecay: true, step: 3 };
    const plainAdam = [param.slice(), m.slice(), v.map(Math.abs)];
    adamStepInto(plainAdam[0], grad, plainAdam[1], plainAdam[2], size, adam, 'simd');
    const residentAdam = [onHeap(heap, param), onHeap(heap, m), onHeap(heap, v.map(Math.abs))];
    adamStepInto(residentAdam[0], onHeap(heap, grad), residentAdam[1], residentAdam[2], size, adam, 'simd');
    for (let i = 0; i < 3; i++) expect(bits(residentAdam[i])).toEqual(bits(plainAdam[i]));
  });
});

describe.runIf(simdMatmulSupported() && wasmHeap() !== null)('the CPU backend on the heap', () => {
  afterEach(async () => {
    await gs.setBackend('cpu');
  });

  it("keeps float32 tensors in the heap, and reads hand back ordinary arrays", async () => {
    await gs.setBackend('cpu');
    const t = gs.tensor([1, 2, 3]);
    const storage = gs.getBackend().hostValues!(t.storage);
    expect(wasmHeap()!.resident(storage as Float32Array)).toBe(true);
    const read = await t.toArray();
    expect(read.buffer).toBeInstanceOf(ArrayBuffer); // a copy, not a view of the shared memory
    expect(Array.from(read)).toEqual([1, 2, 3]);
    t.dispose();
  });
});
