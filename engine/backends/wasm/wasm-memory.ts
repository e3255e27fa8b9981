// Growing a WebAssembly memory to a size: what every kernel runner does before it copies
// its arrays in (simd-matmul.ts, sine-sum.ts, simd-optimizer.ts, elementwise-simd.ts, and
// nn/data/pixel-lookup.ts).

export const PAGE_BYTES = 65536;

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

/**
 * A wasm memory holding float32 arrays side by side, each padded to a whole group of
 * four (16 bytes, so every group is aligned): what the elementwise and optimizer kernels
 * run on. Padding lanes compute on whatever is there and are never copied out.
 */
export class PaddedFloats {
  readonly memory = new WebAssembly.Memory({ initial: 1 });
  /** A view of the whole memory; re-created after each growth (growing detaches it). */
  private floats = new Float32Array(this.memory.buffer);

  /**
   * One padded region of `size` floats per entry, the arrays' first `size` elements
   * copied in (null: a region for an output). Returns the regions' BYTE addresses.
   */
  place(size: number, arrays: readonly (Float32Array | null)[]): number[] {
    const padded = Math.ceil(size / 4) * 4;
    if (growTo(this.memory, 4 * padded * arrays.length)) this.floats = new Float32Array(this.memory.buffer);
    return arrays.map((array, i) => {
      if (array) this.floats.set(array.subarray(0, size), i * padded);
      return 4 * i * padded;
    });
  }

  /**
   * Regions of different sizes side by side, each padded to a group of four: one per
   * entry [array or null, size], the array's first `size` elements copied in. Returns the
   * regions' BYTE addresses. A float64 region is a float32 one of twice the size.
   */
  placeEach(entries: readonly (readonly [Float32Array | null, number])[]): number[] {
    const padded = entries.map(([, size]) => Math.ceil(size / 4) * 4);
    if (growTo(this.memory, 4 * padded.reduce((a, b) => a + b, 0))) this.floats = new Float32Array(this.memory.buffer);
    let at = 0;
    return entries.map(([array, size], i) => {
      if (array) this.floats.set(array.subarray(0, size), at);
      const address = 4 * at;
      at += padded[i];
      return address;
    });
  }

  /** A float64 view of `size` values at byte address `at` (8-byte aligned): valid until the memory grows. */
  float64At(at: number, size: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, size);
  }

  /** Copies `size` floats from the region at byte address `at` into `out`. */
  copyOut(out: Float32Array, at: number, size: number): void {
    out.set(this.floats.subarray(at / 4, at / 4 + size));
  }
}
