// Growing a WebAssembly memory to a size (nn/data/pixel-lookup.ts), and the
// arrays of a kernel call (KernelArrays: simd-matmul.ts, sine-sum.ts, simd-optimizer.ts,
// elementwise-simd.ts), in the WebAssembly heap where there is one.

import { HEAP_MAX_PAGES, PAGE_BYTES, paddedBytes, type WasmHeap } from './wasm-heap';

/**
 * Grows `memory` to hold at least `bytes`. Returns true when it grew: typed arrays over
 * its old buffer are then detached (or, shared, too short), so the caller makes new ones.
 */
export function growTo(memory: WebAssembly.Memory, bytes: number): boolean {
  const missing = bytes - memory.buffer.byteLength;
  if (missing <= 0) return false;
  memory.grow(Math.ceil(missing / PAGE_BYTES));
  return true;
}

/** How an array takes part in a kernel call: read, written, or both. */
export type Role = 'in' | 'out' | 'inout';

/**
 * One kernel call's array: the array (null: a scratch region the caller fills and reads
 * itself), how many float32s of it the kernel touches, and its role.
 */
export type KernelArray = readonly [array: Float32Array | null, size: number, role: Role];

/**
 * Where a kernel runner's float32 arrays are when its kernel runs: in the WebAssembly
 * heap (wasm-heap.ts) where there is one, or in a private memory of the runner's own.
 *
 * An array the heap holds is used where it is: read in place; written in place when its
 * padding lanes (up to the next group of four) are its own. Every other array gets a
 * region of this runner's scratch, each padded to a group of four (16 bytes, so every
 * group is aligned), inputs copied in, outputs copied out by finish(). Padding lanes
 * compute on whatever is there and are never copied out.
 */
export class KernelArrays {
  readonly memory: WebAssembly.Memory;
  /** For the kernel module's memory import: the heap's maximum, or undefined for a private memory. */
  readonly sharedMemoryMaxPages: number | undefined;
  /** Scratch: a region of the heap, or the private memory from address 0. */
  private scratchAt = 0;
  private scratchBytes = 0;
  /** A view of the whole memory; re-made when the memory has grown. */
  private floats: Float32Array;
  /** Outputs placed in scratch: [array, byte address, size], copied back by finish(). */
  private readonly outputs: [Float32Array, number, number][] = [];

  constructor(private readonly heap: WasmHeap | null) {
    this.memory = heap?.memory ?? new WebAssembly.Memory({ initial: 1 });
    this.sharedMemoryMaxPages = heap ? HEAP_MAX_PAGES : undefined;
    this.floats = new Float32Array(this.memory.buffer);
  }

  /**
   * The BYTE address of every entry, in order: in place, or a scratch region (an input
   * copied in). A float64 region is a float32 one of twice the size. The addresses of an
   * earlier place() are invalid after this one.
   */
  place(entries: readonly KernelArray[]): number[] {
    const heap = this.heap;
    const inPlace = entries.map(([array, size, role]) =>
      array !== null && heap !== null && (role === 'in' ? heap.resident(array) : heap.writableInPlace(array, size)),
    );
    let scratch = 0;
    for (let i = 0; i < entries.length; i++) if (!inPlace[i]) scratch += paddedBytes(entries[i][1]);
    this.reserve(scratch);
    const floats = this.floats;
    let at = this.scratchAt;
    this.outputs.length = 0;
    return entries.map(([array, size, role], i) => {
      if (inPlace[i]) return array!.byteOffset;
      const address = at;
      at += paddedBytes(size);
      if (array !== null && role !== 'out') floats.set(array.subarray(0, size), address / 4);
      if (array !== null && role !== 'in') this.outputs.push([array, address, size]);
      return address;
    });
  }

  /** Copies the outputs of the last place() that ran in scratch back into their arrays. */
  finish(): void {
    for (const [array, at, size] of this.outputs) array.set(this.floats.subarray(at / 4, at / 4 + size));
    this.outputs.length = 0;
  }

  /** A float32 view of `size` values at byte address `at`: valid until the next place(). */
  float32At(at: number, size: number): Float32Array {
    return this.floats.subarray(at / 4, at / 4 + size);
  }

  /** A float64 view of `size` values at byte address `at` (8-byte aligned): valid until the next place(). */
  float64At(at: number, size: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, size);
  }

  /** Gives the scratch region back to the heap (a private memory goes with this object). */
  dispose(): void {
    if (this.heap && this.scratchBytes > 0) this.heap.releaseRegion(this.scratchAt, this.scratchBytes);
    this.scratchBytes = 0;
  }

  /** Scratch of at least `bytes`; a RangeError when the memory cannot hold it. */
  private reserve(bytes: number): void {
    if (bytes > this.scratchBytes) {
      if (this.heap) {
        // Grown by half again at least, so that slowly growing calls do not leave a trail of regions.
        const want = Math.max(bytes, 16 * Math.ceil((1.5 * this.scratchBytes) / 16));
        const at = this.heap.region(want);
        if (at === null) throw new RangeError(`the WebAssembly heap cannot hold ${want} more bytes of kernel scratch`);
        this.dispose();
        this.scratchAt = at;
        this.scratchBytes = want;
      } else {
        growTo(this.memory, bytes);
        this.scratchBytes = this.memory.buffer.byteLength;
      }
    }
    if (this.floats.buffer !== this.memory.buffer) this.floats = new Float32Array(this.memory.buffer);
  }
}
