// Released typed arrays of the CPU backend, kept by length for the next allocation of
// that length. A training loop makes the same sizes every step; a fresh typed array
// costs its allocation and zeroing and, later, the garbage collector's time (together
// ~8% of a SimpleNetwork comparison run, measured), where a reused one costs a fill(0).
//
// Reuse is safe for the same reason the WebGPU buffer pool is: storage is released
// only through a tensor's DataRef when its last view is disposed (or collected), and a
// disposed tensor refuses every use of its storage. A second release of an array that
// is already pooled is ignored, so one array is never handed out twice.

type FloatArray = Float32Array | Float64Array;

/** The most a pool holds; beyond it a released array is left to the garbage collector. */
export const HOST_POOL_MAX_BYTES = 64 * 1024 * 1024;

export class HostArrayPool {
  private readonly bySize = new Map<number, FloatArray[]>();
  private readonly members = new Set<FloatArray>();
  bytes = 0;

  get buffers(): number {
    return this.members.size;
  }

  /**
   * A pooled array of exactly `size` elements, or null if none is pooled. Zeroed unless
   * the caller writes every element before anything reads it (`zeroed` false): the
   * fill costs ~1% of a training run, where most outputs are written in full.
   */
  take(size: number, zeroed = true): FloatArray | null {
    const array = this.bySize.get(size)?.pop();
    if (!array) return null;
    this.members.delete(array);
    this.bytes -= array.byteLength;
    return zeroed ? array.fill(0) : array;
  }

  /** Keeps a released array for reuse; false when it was left to the GC (pool full) or was pooled already. */
  put(array: FloatArray): boolean {
    if (this.members.has(array) || array.length === 0 || this.bytes + array.byteLength > HOST_POOL_MAX_BYTES) return false;
    let list = this.bySize.get(array.length);
    if (!list) this.bySize.set(array.length, (list = []));
    list.push(array);
    this.members.add(array);
    this.bytes += array.byteLength;
    return true;
  }

  /** Whether the array is in the pool (released, not handed out again). */
  has(array: FloatArray): boolean {
    return this.members.has(array);
  }

  /** Drops every pooled array (to the GC), handing each to `onDrop` first when given. */
  clear(onDrop?: (array: FloatArray) => void): void {
    if (onDrop) for (const array of this.members) onDrop(array);
    this.bySize.clear();
    this.members.clear();
    this.bytes = 0;
  }
}
