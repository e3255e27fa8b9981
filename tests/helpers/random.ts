// Seeded test inputs from the engine's own generator (engine/random.ts), so every test
// file draws the same values for the same seed.
import { Random } from '../../engine/random';

/** n values uniform in [lo, hi), deterministic for a seed. */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = new Random(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r.uniform());
}

/** randomValues as a Float32Array (the CPU kernels' own input type). */
export function randomFloat32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from(randomValues(n, seed, lo, hi));
}
