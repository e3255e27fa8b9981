// `gradscope merge`: the shards of one comparison (--shard i/n, experiment/shard.ts) put
// together into the results one unsharded run writes: the same runs in the same order, the
// summary across seeds computed afresh over all of them, the same table and report. The
// values are identical because every cell is the same computation wherever it trained
// (its seed fixes its weights and batches); only the times are each shard's own, and
// mergedFrom says where each shard ran.
//
// Refused, naming what differs: results that are not a shard's, shards of another
// gradscope version or of other options (--jobs aside: it changes times, not values), of
// another grid, and a grid with runs missing or trained twice. The activations' figures
// need no training: every shard carries them, and the merge takes the first shard's.
// No Node APIs here: the caller reads the folders.

import { cellKey, cellName, type GridCell } from './grid';
import type { CompareOptions } from './options';
import { runLabel, sortRuns, type ComparisonResult, type MergedShard } from './results';
import { comparisonSummary } from './summary';
import { UsageError } from './usage-error';

/** One shard's results and the folder they were read from (to name it in messages). */
export interface ShardResults {
  folder: string;
  result: ComparisonResult;
}

/** The options that must agree between shards: all but how many runs trained at once. */
function comparedOptions(options: CompareOptions): Omit<CompareOptions, 'jobs'> {
  const { jobs: _jobs, ...rest } = options;
  return rest;
}

/** The keys whose values differ between two option sets, as 'key: a vs b'. */
function optionDifferences(a: CompareOptions, b: CompareOptions): string[] {
  const left = comparedOptions(a) as Record<string, unknown>;
  const right = comparedOptions(b) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return keys.filter((key) => JSON.stringify(left[key]) !== JSON.stringify(right[key])).map((key) => `${key}: ${JSON.stringify(left[key])} vs ${JSON.stringify(right[key])}`);
}

export function mergeShards(shards: readonly ShardResults[]): ComparisonResult {
  if (shards.length === 0) throw new UsageError('no shard folders given');
  for (const { folder, result } of shards) {
    if (!result.shard) throw new UsageError(`${folder} holds the results of a whole comparison, not of a shard (its results.json has no "shard"); merge takes the folders that --shard i/n wrote`);
  }
  const [first, ...others] = shards;
  const reference = first.result;
  for (const { folder, result } of others) {
    if (result.version !== reference.version) {
      throw new UsageError(`${folder} was written by gradscope ${result.version ?? '(unknown)'} and ${first.folder} by gradscope ${reference.version ?? '(unknown)'}: shards merge only with shards of the same version; train them again with one version`);
    }
    const differences = optionDifferences(reference.options, result.options);
    if (differences.length > 0) throw new UsageError(`${folder} and ${first.folder} are shards of different comparisons; their options differ: ${differences.join('; ')}`);
    if (result.shard!.count !== reference.shard!.count || JSON.stringify(result.shard!.grid) !== JSON.stringify(reference.shard!.grid)) {
      throw new UsageError(`${folder} is shard ${result.shard!.index}/${result.shard!.count} of a grid of ${result.shard!.grid.length} runs and ${first.folder} shard ${reference.shard!.index}/${reference.shard!.count} of ${reference.shard!.grid.length}: shards of different splits`);
    }
  }

  // Every cell of the grid exactly once.
  const grid = reference.shard!.grid;
  const inGrid = new Set(grid.map(cellKey));
  const trainedIn = new Map<string, string[]>();
  for (const { folder, result } of shards) {
    for (const run of result.runs) {
      const cell: GridCell = { label: runLabel(run), seed: run.seed };
      if (!inGrid.has(cellKey(cell))) throw new UsageError(`${folder} holds the run ${cellName(cell)}, which is not in the comparison's grid`);
      trainedIn.set(cellKey(cell), [...(trainedIn.get(cellKey(cell)) ?? []), folder]);
    }
  }
  const twice = grid.filter((cell) => (trainedIn.get(cellKey(cell))?.length ?? 0) > 1);
  if (twice.length > 0) {
    throw new UsageError(`${twice.length} run${twice.length === 1 ? '' : 's'} trained more than once: ${twice.map((cell) => `${cellName(cell)} (in ${trainedIn.get(cellKey(cell))!.join(', ')})`).join('; ')}; give each shard's folder once`);
  }
  const missing = grid.filter((cell) => !trainedIn.has(cellKey(cell)));
  if (missing.length > 0) {
    const given = shards.map(({ result }) => result.shard!.index).sort((a, b) => a - b);
    const absent = Array.from({ length: reference.shard!.count }, (_, i) => i + 1).filter((index) => !given.includes(index));
    throw new UsageError(
      `${missing.length} of the ${grid.length} runs missing: ${missing.map(cellName).join('; ')}` +
        (absent.length > 0 ? ` (shard${absent.length === 1 ? '' : 's'} ${absent.map((index) => `${index}/${reference.shard!.count}`).join(', ')} not given)` : ''),
    );
  }

  const runs = sortRuns(
    shards.flatMap(({ result }) => result.runs),
    reference.network.activationsCompared,
  );
  const mergedFrom: MergedShard[] = shards
    .map(({ folder, result }) => ({
      folder,
      index: result.shard!.index,
      count: result.shard!.count,
      createdAt: result.createdAt,
      backend: result.backend,
      jobs: result.options.jobs ?? 1,
      totalSeconds: result.totalSeconds,
    }))
    .sort((a, b) => a.index - b.index);
  const backends = [...new Set(shards.map(({ result }) => result.backend))];
  const { shard: _shard, ...whole } = reference;
  return {
    ...whole,
    createdAt: new Date().toISOString(),
    backend: backends.join(', '),
    runs,
    // The compute time of the whole grid: the shards' times added (they may have run side by side).
    totalSeconds: shards.reduce((sum, { result }) => sum + result.totalSeconds, 0),
    summary: comparisonSummary(runs, reference.network.activationsCompared),
    mergedFrom,
  };
}
