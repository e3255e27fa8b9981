// The grid of a comparison: every run (label) once per seed. It is the unit of work of
// --jobs (each cell trains in one worker) and of --shard (each shard trains a share of the
// cells), and the list a merge checks the shards against. Seed by seed: the first seed's
// runs come first, so the one-seed grid is today's run order.

import { BASELINE_CHOICE, type ActivationChoice } from './activation-choices';
import { BASELINE, type CompareOptions } from './options';
import { seedsOf } from './seeds';

/** One cell of the grid: a run (label) with one seed. */
export interface GridCell {
  label: string;
  seed: number;
}

/** A run to train: the activation with its parameters and label, and the seed. */
export interface GridRun extends ActivationChoice {
  seed: number;
}

/** The runs of a comparison, in order: every selected activation, then the 'none' baseline. */
export function runOrder(options: Pick<CompareOptions, 'activations'>): ActivationChoice[] {
  return [...options.activations.filter((a) => a.activation !== BASELINE), BASELINE_CHOICE];
}

/** Every run of the comparison with every seed, seed by seed, each seed in run order. */
export function runGrid(options: Pick<CompareOptions, 'activations' | 'seed' | 'seeds'>): GridRun[] {
  const runs = runOrder(options);
  return seedsOf(options).flatMap((seed) => runs.map((run) => ({ ...run, seed })));
}

/** The cells of a grid: what a shard records of it and a merge checks. */
export function gridCells(grid: readonly GridCell[]): GridCell[] {
  return grid.map(({ label, seed }) => ({ label, seed }));
}

/** 'relu, seed 43': how a cell is named in messages. */
export function cellName(cell: GridCell): string {
  return `${cell.label}, seed ${cell.seed}`;
}

/** A key that tells cells apart (labels may hold any character but a newline never reaches one). */
export function cellKey(cell: GridCell): string {
  return `${cell.seed}\n${cell.label}`;
}
