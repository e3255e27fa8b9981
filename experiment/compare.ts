// The activation comparison experiment, reusable by the command line and the browser
// page: one run per activation (plus the no-activation baseline) and per seed, every run
// of one seed from the SAME initial weights, trained on the same batches in the same order
// (experiment/run.ts), then the summary across seeds and f and f' of every activation for
// the figures. A shard (--shard i/n) trains its share of the grid only and leaves the
// summary to the merge. No Node APIs here: the caller
// supplies progress hooks, a data loader when not in Node, and optionally an executor
// that trains the runs elsewhere (the command line's worker threads, --jobs).

import { getBackend, setBackend } from '../engine/backend-registry';
import { deadAtInitialisation } from './dead-at-init';
import { loadDataset, type Dataset, type DatasetLoader, type DatasetRequest } from './datasets';
import { activationFigure } from './measure';
import { cellKey, cellName, gridCells, runGrid, runOrder } from './grid';
import { initializerTable } from './initializer-table';
import { BASELINE, validateOptions, type CompareOptions } from './options';
import { runLabel, sortRuns, type ActivationFigure, type ComparisonResult, type RunResult } from './results';
import { layerSizes, trainRun, type RunHooks, type RunTask } from './run';
import { seedsOf } from './seeds';
import { shardRuns, type Shard } from './shard';
import { comparisonSummary } from './summary';
import { GRADSCOPE_VERSION } from './version';

export { runOrder };

export interface ComparisonHooks extends RunHooks {
  /**
   * Called once the backend and data are ready. runs: the run labels; seeds: every seed;
   * tasks: what this process trains (every run with every seed, or a shard's share).
   */
  onStart?(info: { backend: string; dataset: Dataset; runs: string[]; options: CompareOptions; seeds: number[]; tasks: number; shard?: Shard }): void;
  /** Called with the initializer table (a protocol of kind 'initializers') before any run trains. */
  onInitializerTable?(table: NonNullable<ComparisonResult['initializers']>): void;
  /** Loads the data; the default reads the npm packages in Node and generates the 2-D sets. */
  loadDataset?: DatasetLoader;
  /** Trains the runs; the default trains them one after another here (sequentialRuns). */
  runRuns?: RunExecutor;
}

/** What every run shares: the options, the backend it trains on, the data. */
export interface RunContext {
  options: CompareOptions;
  /**
   * The backend the comparison chose, by name ('cpu', 'webgpu'): 'auto' already
   * resolved, so that a run trained elsewhere (a worker thread) uses the same one.
   */
  backendName: string;
  dataset: Dataset;
  /** The request the data was loaded with: loading it again gives the same rows. */
  datasetRequest: DatasetRequest;
}

/**
 * Trains every task and resolves to their results in the tasks' order. Training is
 * deterministic given the seed, so where the runs happen changes only their timings.
 */
export type RunExecutor = (tasks: RunTask[], context: RunContext, hooks: RunHooks) => Promise<RunResult[]>;

/**
 * The backend to train on. 'auto' takes WebGPU when an adapter exists, except a
 * software fallback adapter (SwiftShader: WebGPU run on the CPU), where the CPU backend
 * trains this network several times faster (measured: about 100 against 600+ samples/s
 * on 2 cores). Resolves to a description of the choice.
 */
export async function chooseBackend(device: CompareOptions['device']): Promise<string> {
  // 'auto' prefers a hardware WebGPU adapter; on a software fallback adapter setBackend
  // calibrates both backends and names the faster one with its measurements.
  return setBackend(device);
}

/** What part of the comparison this process trains: all of it, or one shard's share. */
export interface ComparisonScope {
  shard?: Shard;
}

/** The default executor: the runs one after another, in this thread. */
export const sequentialRuns: RunExecutor = async (tasks, context, hooks) => {
  const results: RunResult[] = [];
  for (const task of tasks) results.push(await trainRun(task, context.options, context.dataset, hooks));
  return results;
};

/**
 * Runs the comparison: every selected activation, then the 'none' baseline, once per
 * seed; with scope.shard, only that shard's share of them (a partial result for gradscope merge).
 */
export async function runComparison(options: CompareOptions, hooks: ComparisonHooks = {}, scope: ComparisonScope = {}): Promise<ComparisonResult> {
  validateOptions(options);
  const started = performance.now();
  const initializers = options.initializerTable ? initializerTable(options.initializerTable, options.seed) : undefined;
  if (initializers) hooks.onInitializerTable?.(initializers);
  const backend = await chooseBackend(options.device);
  const datasetRequest: DatasetRequest = { name: options.dataset, trainSize: options.trainSize, testSize: options.testSize, seed: options.seed, normalize: options.normalize };
  const dataset = await (hooks.loadDataset ?? loadDataset)(datasetRequest);
  const runs = runOrder(options);
  const labels = runs.map((run) => run.label);
  const grid = runGrid(options);
  const share = scope.shard ? shardRuns(grid, scope.shard) : grid;
  hooks.onStart?.({ backend, dataset, runs: labels, options, seeds: seedsOf(options), tasks: share.length, shard: scope.shard });
  const tasks: RunTask[] = share.map((run, index) => ({ ...run, index, total: share.length }));
  const context: RunContext = { options, backendName: getBackend().name, dataset, datasetRequest };
  const results = await (hooks.runRuns ?? sequentialRuns)(tasks, context, hooks);
  if (results.length !== tasks.length || results.some((r, i) => !r || cellKey({ label: runLabel(r), seed: r.seed }) !== cellKey(tasks[i]))) {
    const named = (cells: readonly ({ label: string; seed: number } | undefined)[]) => cells.map((c) => (c ? cellName(c) : String(c))).join('; ');
    throw new Error(`the run executor returned ${named(results.map((r) => r && { label: runLabel(r), seed: r.seed }))} for the runs ${named(tasks)}`);
  }
  const deadAtInit = options.deadAtInitNetwork ? await deadAtInitialisation(options.deadAtInitNetwork, options, dataset) : undefined;
  // Every shard carries the activations' figures (they need no training): a merge takes them as they are.
  const activations: ActivationFigure[] = [];
  for (const run of runs) if (run.activation !== BASELINE) activations.push(await activationFigure(run));
  const sorted = sortRuns(results, labels);
  return {
    tool: 'gradscope compare',
    createdAt: new Date().toISOString(),
    options,
    backend: backend || getBackend().description,
    dataset: {
      name: dataset.name,
      description: dataset.description,
      split: dataset.split,
      normalization: dataset.normalization,
      features: dataset.features,
      classes: dataset.classes,
      train: dataset.train.length,
      test: dataset.test.length,
    },
    network: { layers: layerSizes(options, dataset), activationsCompared: labels },
    runs: sorted,
    activations,
    ...(initializers ? { initializers } : {}),
    ...(deadAtInit ? { deadAtInit } : {}),
    totalSeconds: (performance.now() - started) / 1000,
    version: GRADSCOPE_VERSION,
    ...(scope.shard
      ? { shard: { index: scope.shard.index, count: scope.shard.count, grid: gridCells(grid), cells: gridCells(share) } }
      : { summary: comparisonSummary(sorted, labels) }),
  };
}
