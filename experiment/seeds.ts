// The seeds of a comparison (issue 18). Every activation trains once per seed; within one
// seed every run starts from the same weights and sees the same batches in the same order
// (a paired design), so two activations are compared seed by seed.
//
// `--seeds N` derives N seeds from `--seed S`: S, S + 1, ..., S + N − 1. The first is S
// itself, so a several-seed run contains the one-seed run of `--seed S` exactly (a later
// seed's runs are repeated with `--seed S,T`: the data come from S, see below). Neighbouring seeds are as good
// as any: the generator spreads each seed with splitmix32 (engine/random.ts) and every
// layer's seed is a hash of (seed, layer) (nn/mlp.ts), so S and S + 1 give unrelated
// weights and batch orders. `--seed 1,2,3` names the seeds instead.
//
// What a seed decides: the initial weights, the order of the batches, and the random
// parts of an activation (rrelu's slopes). The data (a 2-D set's points, an image set's
// subset) are drawn once, from the first seed, and are the same for every seed: the
// seeds measure how much training's own randomness moves the results.

import type { CompareOptions } from './options';

/** The seeds `--seeds count` derives from `--seed seed`: seed, seed + 1, ..., seed + count − 1. */
export function deriveSeeds(seed: number, count: number): number[] {
  if (!Number.isInteger(seed)) throw new Error(`deriveSeeds: seed must be an integer, got ${seed}`);
  if (!(Number.isInteger(count) && count > 0)) throw new Error(`deriveSeeds: count must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, k) => seed + k);
}

/** Every seed a comparison trains with, in order: options.seeds, or the one seed (a page builds options without the list). */
export function seedsOf(options: Pick<CompareOptions, 'seed' | 'seeds'>): number[] {
  return options.seeds ?? [options.seed];
}
