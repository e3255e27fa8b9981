// The messages between the comparison's worker pool (cli/worker-pool.ts, main thread)
// and its workers (cli/run-worker.ts). Types only: both sides import them.

import type { RunResult } from '../experiment/results';
import type { TrainedModel } from '../experiment/trained-model';
import type { EpochEnd, RunStart, RunTask, StepProgress } from '../experiment/run';
import type { DatasetRequest } from '../experiment/datasets';
import type { CompareOptions } from '../experiment/options';

/** Marks a thread started by the pool, so the entry that started it knows to serve runs. */
export const WORKER_KIND = 'gradscope-compare-run';

/** What every worker starts with: enough to build its own backend and its own copy of the data. */
export interface WorkerSetup {
  kind: typeof WORKER_KIND;
  options: CompareOptions;
  /** The backend the main thread chose ('auto' resolved), by name. */
  backendName: string;
  datasetRequest: DatasetRequest;
  /** User activation modules to load and register first (--register), as absolute paths. */
  register: string[];
  /** The CPU backend's matmul threads in this worker (threadsPerJob: the cores shared among the jobs). */
  threads: number;
}

/** Main thread → worker: train this run. */
export interface RunRequest {
  type: 'run';
  task: RunTask;
}

/**
 * Worker → main thread: progress of the run it is training, its result, or why it
 * failed. A worker trains one run at a time, so the pool knows which run a message is about.
 */
export type WorkerMessage =
  | { type: 'runStart'; run: RunStart }
  | { type: 'step'; progress: StepProgress }
  | { type: 'epochEnd'; info: EpochEnd }
  | { type: 'model'; model: TrainedModel }
  | { type: 'result'; result: RunResult }
  | { type: 'failed'; message: string; stack?: string };
