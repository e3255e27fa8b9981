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
