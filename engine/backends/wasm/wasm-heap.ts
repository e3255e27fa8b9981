// The WebAssembly heap: one shared wasm memory that holds the CPU backend's float32
// tensors themselves, so that the SIMD kernels (matmul, optimizers, activations) read
// and write them where they are instead of copying each operand into a kernel's own
// memory and each result back out: ~13 MB of copies in every SimpleNetwork step, 17% of
// its time (4.51 ms in place against 5.23 ms copied, one process alternating the two).
//
// Why shared: growing an ordinary wasm memory detaches its ArrayBuffer, and with it
// every Float32Array a tensor holds. A shared memory's SharedArrayBuffer never moves:
// growing it makes a longer buffer over the same bytes, and the old views stay valid.
// So the heap exists only where shared memory does (Node; a cross-origin isolated page);
// elsewhere `wasmHeap()` is null and tensors are plain Float32Arrays, copied in and out
// of the kernels as before. Kernels take both (`resident` tells them apart).
//
// Allocation: every region starts on a 16-byte boundary and is a whole number of
// 16-byte groups, so a kernel that runs four lanes at a time may write the padding lanes
// of an array it owns in full. Released regions are kept by size and handed out again
// for the same size (a training loop asks for the same sizes every step); new ones come
// from the top. The memory never shrinks: its peak is the peak of live tensors plus the
// released ones kept for reuse, as the host array pool's is.
//
// The CPU backend's release() is the only way a tensor's region comes back: a Float32Array
// over the heap that the garbage collector takes without a release leaves its region
// allocated (the engine releases every storage, explicitly or when its DataRef is
// collected). Tensors may fill at most TENSOR_SHARE of the heap; the rest is kept for
// the kernels' scratch regions (packed panels), so a full heap never stops a kernel.

/** A WebAssembly page. */
export const PAGE_BYTES = 65536;
/** The most the heap may grow to: 2 GiB keeps every byte address a positive int32. */
export const HEAP_MAX_BYTES = 2 ** 31 - PAGE_BYTES;
export const HEAP_MAX_PAGES = HEAP_MAX_BYTES / PAGE_BYTES;
/** The share of the heap tensors may take; beyond it they are plain Float32Arrays. */
const TENSOR_SHARE = 0.75;

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Every SharedArrayBuffer object the memory has had (one per growth): the same bytes. */
  private readonly buffers = new Set<ArrayBufferLike>();
  /** The arrays handed out whole by floats(): only these may be written past their length. */
  private readonly whole = new WeakSet<Float32Array>();
  /** Released regions by their byte size. */
  private readonly free = new Map<number, number[]>();
  /** The first byte never handed out. */
  private top = 0;
  /** Bytes held by tensors (floats()), for TENSOR_SHARE. */
  private tensorBytes = 0;

  constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
    this.buffers.add(memory.buffer);
  }

  /**
   * A whole float32 array of `size` elements on the heap (its region padded to a group
   * of four), or null when tensors hold their share of the heap already. Not zeroed: a
   * reused region keeps its old values.
   */
  floats(size: number): Float32Array | null {
    const bytes = paddedBytes(size);
    if (this.tensorBytes + bytes > TENSOR_SHARE * HEAP_MAX_BYTES) return null;
    const at = this.region(bytes);
    if (at === null) return null;
    this.tensorBytes += bytes;
    const array = new Float32Array(this.memory.buffer, at, size);
    this.whole.add(array);
    return array;
  }

  /** Gives a region of floats() back. Ignores arrays that are not whole heap arrays. */
  releaseFloats(array: Float32Array): void {
    if (!this.whole.has(array)) return;
    this.whole.delete(array);
    const bytes = paddedBytes(array.length);
    this.tensorBytes -= bytes;
    this.releaseRegion(array.byteOffset, bytes);
  }

  /** The byte address of a region of `bytes` (a multiple of 16), or null when the heap is full. */
  region(bytes: number): number | null {
    const reused = this.free.get(bytes)?.pop();
    if (reused !== undefined) return reused;
    const at = this.top;
    if (at + bytes > HEAP_MAX_BYTES) return null;
    const missing = at + bytes - this.memory.buffer.byteLength;
    if (missing > 0) {
      // At least double, so that a growing workload grows the memory a few times, not every step.
      const pages = Math.max(Math.ceil(missing / PAGE_BYTES), this.memory.buffer.byteLength / PAGE_BYTES);
      try {
        this.memory.grow(Math.min(pages, HEAP_MAX_PAGES - this.memory.buffer.byteLength / PAGE_BYTES));
      } catch {
        return null; // the engine refused the memory
      }
      this.buffers.add(this.memory.buffer);
    }
    this.top = at + bytes;
    return at;
  }

  releaseRegion(at: number, bytes: number): void {
    let list = this.free.get(bytes);
    if (!list) this.free.set(bytes, (list = []));
    list.push(at);
  }

  /** Whether the array's elements lie in the heap: a kernel reads them in place. */
  resident(array: Float32Array): boolean {
    return this.buffers.has(array.buffer);
  }

  /**
   * Whether a kernel writing four lanes at a time may write `size` elements of the array
   * in place: its padding lanes, up to the next group of four, are its own.
   */
  writableInPlace(array: Float32Array, size: number): boolean {
    if (!this.resident(array) || array.byteOffset % 16 !== 0) return false;
    return size % 4 === 0 || this.whole.has(array);
  }

  /** Bytes the memory spans now. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }
}

/** A region's bytes for `size` float32s: a whole number of 16-byte groups (at least one). */
export function paddedBytes(size: number): number {
  return 16 * Math.max(1, Math.ceil(size / 4));
}

let heap: WasmHeap | null | undefined;

/**
 * This thread's heap, created on first use; null where there is no shared memory (a page
 * that is not cross-origin isolated). The CPU backend uses it only where the engine has
 * WebAssembly SIMD, which its kernels need.
 */
export function wasmHeap(): WasmHeap | null {
  if (heap === undefined) heap = createHeap();
  return heap;
}

function createHeap(): WasmHeap | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof WebAssembly !== 'object') return null;
  // A page may only share memory when it is cross-origin isolated; Node always may.
  const page = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  if (page.crossOriginIsolated !== true && !page.process?.versions?.node) return null;
  try {
    return new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: HEAP_MAX_PAGES, shared: true }));
  } catch {
    return null;
  }
}
