// Sharding (issue 18): `--shard i/n` trains a deterministic share of the comparison's grid
// (every run with every seed), so that n processes, on one machine or many, train the whole
// grid between them and `gradscope merge` puts the shards together again.
//
// The shares are balanced by estimated cost, not by count: a staf run costs several relu
// runs (experiment/step-costs.ts). The cells are dealt out greedily, the most expensive
// first, each to the shard with the least estimated work so far (Graham's "longest
// processing time first": within 4/3 of the best possible longest shard), ties to the
// lower shard and, among equal costs, in grid order. Every process computes the same plan
// from the same options, so shards need not talk to each other.
//
// `--shard auto` takes i and n from the scheduler that started the process: a Slurm job
// array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN, and where set
// SLURM_ARRAY_TASK_STEP and SLURM_ARRAY_TASK_MAX) or a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX, with the count from `--shard auto/N` or GRADSCOPE_SHARDS, since
// Kubernetes does not tell a pod how many completions its Job has). Pure: the caller passes
// the environment.

import type { GridRun } from './grid';
import { stepCost } from './step-costs';
import { UsageError } from './usage-error';

/** Shard `index` (from 1) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** What --shard says: a shard, or 'auto' (with the count when given as auto/N). */
export type ShardRequest = { kind: 'explicit'; shard: Shard } | { kind: 'auto'; count: number | null };

const WHOLE = /^\+?\d+$/;

/** '2/3' → shard 2 of 3; 'auto' and 'auto/4' → from the scheduler. */
export function parseShard(text: string): ShardRequest {
  const trimmed = text.trim().toLowerCase();
  const refuse = () => new UsageError(`--shard: expected i/n with 1 <= i <= n (e.g. 2/3), auto, or auto/N; got '${text}'`);
  const [first, second, ...rest] = trimmed.split('/');
  if (rest.length > 0) throw refuse();
  if (first === 'auto') {
    if (second === undefined) return { kind: 'auto', count: null };
    if (!WHOLE.test(second) || Number(second) < 1) throw refuse();
    return { kind: 'auto', count: Number(second) };
  }
  if (second === undefined || !WHOLE.test(first) || !WHOLE.test(second)) throw refuse();
  const shard = { index: Number(first), count: Number(second) };
  if (!(shard.count >= 1 && shard.index >= 1 && shard.index <= shard.count)) throw refuse();
  return { kind: 'explicit', shard };
}

/** A shard and where it came from, in words (for the progress and the errors). */
export interface ScheduledShard {
  shard: Shard;
  source: string;
}

/**
 * The shard the scheduler gives this process (`--shard auto` or `auto/N`): a Slurm job
 * array's task or a Kubernetes Indexed Job's completion index. Clear errors when neither
 * is set, both are, or their values do not fit together.
 */
export function shardFromScheduler(env: Readonly<Record<string, string | undefined>>, countGiven: number | null): ScheduledShard {
  const slurm = env.SLURM_ARRAY_TASK_ID !== undefined;
  const kubernetes = env.JOB_COMPLETION_INDEX !== undefined;
  const shown = (name: string) => `${name}=${JSON.stringify(env[name] ?? null)}`;
  const given = countGiven === null ? '--shard auto' : `--shard auto/${countGiven}`;
  if (slurm && kubernetes) {
    throw new UsageError(`${given}: both a Slurm job array (${shown('SLURM_ARRAY_TASK_ID')}) and a Kubernetes Indexed Job (${shown('JOB_COMPLETION_INDEX')}) are set, so the scheduler is unclear; give --shard i/n`);
  }
  if (!slurm && !kubernetes) {
    throw new UsageError(`${given}: no scheduler found: neither SLURM_ARRAY_TASK_ID (a Slurm job array, sbatch --array) nor JOB_COMPLETION_INDEX (a Kubernetes Job with completionMode: Indexed) is set; give --shard i/n`);
  }
  const whole = (name: string, minimum: number): number => {
    const value = env[name];
    if (value === undefined) throw new UsageError(`${given}: ${name} is not set (a Slurm job array sets SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN)`);
    if (!WHOLE.test(value.trim()) || Number(value) < minimum) throw new UsageError(`${given}: ${shown(name)} is not a whole number >= ${minimum}`);
    return Number(value);
  };
  const fromEnvironment = env.GRADSCOPE_SHARDS === undefined ? null : whole('GRADSCOPE_SHARDS', 1);

  if (slurm) {
    const id = whole('SLURM_ARRAY_TASK_ID', 0);
    const count = whole('SLURM_ARRAY_TASK_COUNT', 1);
    const min = whole('SLURM_ARRAY_TASK_MIN', 0);
    const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : whole('SLURM_ARRAY_TASK_STEP', 1);
    const values = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_STEP', 'SLURM_ARRAY_TASK_MAX'].filter((name) => env[name] !== undefined).map(shown).join(', ');
    const holes = `the array's task ids must run evenly from its min, as --array=0-${count - 1} (or 1-${count}) gives; a list or a range with holes cannot be mapped onto shards (${values})`;
    if (env.SLURM_ARRAY_TASK_MAX !== undefined && whole('SLURM_ARRAY_TASK_MAX', 0) !== min + (count - 1) * step) throw new UsageError(`${given}: ${holes}`);
    const offset = id - min;
    if (offset < 0 || offset % step !== 0 || offset / step >= count) throw new UsageError(`${given}: ${holes}`);
    for (const [what, other] of [[given, countGiven], ['GRADSCOPE_SHARDS', fromEnvironment]] as const) {
      if (other !== null && other !== count) throw new UsageError(`${given}: ${what} says ${other} shards but the Slurm job array has ${count} tasks (${shown('SLURM_ARRAY_TASK_COUNT')})`);
    }
    return { shard: { index: offset / step + 1, count }, source: `Slurm job array: ${values}` };
  }

  const index = whole('JOB_COMPLETION_INDEX', 0);
  if (countGiven !== null && fromEnvironment !== null && countGiven !== fromEnvironment) {
    throw new UsageError(`${given} and ${shown('GRADSCOPE_SHARDS')} disagree on the number of shards; give one, equal to the Job's completions`);
  }
  const count = countGiven ?? fromEnvironment;
  if (count === null) {
    throw new UsageError(`--shard auto: a Kubernetes Indexed Job (${shown('JOB_COMPLETION_INDEX')}) does not tell its number of completions; give --shard auto/N or set GRADSCOPE_SHARDS to it`);
  }
  if (index >= count) throw new UsageError(`${given}: ${shown('JOB_COMPLETION_INDEX')} is not below the ${count} shards (indexes run from 0 to ${count - 1}); the Job's completions and the shard count must be equal`);
  return { shard: { index: index + 1, count }, source: `Kubernetes Indexed Job: ${shown('JOB_COMPLETION_INDEX')}, ${count} shards` };
}

/** One shard's share of the grid: its runs (in grid order) and their estimated cost. */
export interface ShardShare<T extends GridRun> {
  shard: Shard;
  runs: T[];
  /** Estimated cost in relu runs (experiment/step-costs.ts). */
  cost: number;
}

/** How the grid is dealt out to `count` shards: every shard's share, in shard order. */
export function shardPlan<T extends GridRun>(grid: readonly T[], count: number): ShardShare<T>[] {
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`shardPlan: count must be a positive integer, got ${count}`);
  if (count > grid.length) {
    throw new UsageError(`--shard: ${count} shards for a grid of ${grid.length} run${grid.length === 1 ? '' : 's'} (runs × seeds): every shard must train at least one; use at most ${grid.length} shards`);
  }
  const loads = new Array<number>(count).fill(0);
  const owner = new Array<number>(grid.length);
  const byCost = grid.map((run, position) => ({ position, cost: stepCost(run.activation) })).sort((a, b) => b.cost - a.cost || a.position - b.position);
  for (const { position, cost } of byCost) {
    const lightest = loads.indexOf(Math.min(...loads));
    loads[lightest] += cost;
    owner[position] = lightest;
  }
  return loads.map((cost, s) => ({ shard: { index: s + 1, count }, runs: grid.filter((_, position) => owner[position] === s), cost }));
}

/** The runs of the grid that `shard` trains, in grid order. */
export function shardRuns<T extends GridRun>(grid: readonly T[], shard: Shard): T[] {
  return shardPlan(grid, shard.count)[shard.index - 1].runs;
}
