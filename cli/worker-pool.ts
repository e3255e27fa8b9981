// `gradscope compare --jobs N` (Node only): a RunExecutor that trains the runs in N
// worker threads, each with its own backend instance and its own copy of the data, and
// hands the results back in the runs' order, as a sequential run would. The first run
// that fails (or a worker that dies) fails the whole comparison, naming the activation;
// every worker is then terminated so that nothing is left running.
//
// Jobs and the CPU matmul's threads share the cores: each worker's backend gets
// threadsPerJob(cores, workers) threads per product, so N jobs never start more
// matmul threads than there are cores (--jobs 1 trains in the main thread on all of them).

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RunExecutor } from '../experiment/compare';
import type { RunResult } from '../experiment/results';
import type { RunTask } from '../experiment/run';
import { WORKER_KIND, type RunRequest, type WorkerMessage, type WorkerSetup } from './worker-protocol';

export interface WorkerPoolOptions {
  /** Worker threads to start (never more than there are runs). */
  jobs: number;
  /**
   * The module each worker runs. The built command (dist/cli.js) is its own worker entry:
   * in a thread the pool started it serves runs (cli/run-worker.ts) instead of parsing flags.
   */
  entry: URL;
  /** User activation modules (--register) each worker loads before training, as the main thread did. */
  register?: readonly string[];
}

/** A run that failed in a worker: the message names the run; the worker's stack is kept. */
export class WorkerRunError extends Error {
  override name = 'WorkerRunError';
  constructor(
    /** The run's label (its activation, with parameters if it has any). */
    readonly activation: string | undefined,
    message: string,
    workerStack?: string,
  ) {
    super(message);
    if (workerStack) this.stack = `${this.name}: ${message}\n  in the worker thread:\n${workerStack}`;
  }
}

/**
 * The CPU matmul threads of each of `jobs` runs trained at once: the cores divided
 * evenly, at least one. (2 cores: --jobs 1 → 2 threads, --jobs 2 → 1 each; 16 cores,
 * --jobs 3 → 5 each.)
 */
export function threadsPerJob(cores: number, jobs: number): number {
  return Math.max(1, Math.floor(cores / jobs));
}

export function workerPool({ jobs, entry, register = [] }: WorkerPoolOptions): RunExecutor {
  if (!(Number.isInteger(jobs) && jobs > 0)) throw new Error(`workerPool: jobs must be a positive integer, got ${jobs}`);
  return (tasks, context, hooks) =>
    new Promise<RunResult[]>((resolve, reject) => {
      const count = Math.min(jobs, tasks.length);
      const setup: WorkerSetup = {
        kind: WORKER_KIND,
        options: context.options,
        backendName: context.backendName,
        datasetRequest: context.datasetRequest,
        register: [...register],
        threads: threadsPerJob(availableParallelism(), count),
      };
      const results: RunResult[] = new Array(tasks.length);
      const running = new Map<Worker, number>(); // worker → position in tasks of the run it trains
      const workers: Worker[] = [];
      let next = 0;
      let finished = 0;
      let settled = false;

      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        // Wait for every thread to end, so that a failure leaves nothing training behind.
        void Promise.allSettled(workers.map((w) => w.terminate())).then(() => (error ? reject(error) : resolve(results)));
      };
      const failure = (worker: Worker, what: string, workerStack?: string): WorkerRunError => {
        const position = running.get(worker);
        const task: RunTask | undefined = position === undefined ? undefined : tasks[position];
        const where = `worker ${workers.indexOf(worker) + 1} of ${count}`;
        const label = task?.label ?? task?.activation;
        const message = task ? `the '${label}' run failed (${where}): ${what}` : `${where} failed: ${what}`;
        return new WorkerRunError(label, message, workerStack);
      };
      const dispatch = (worker: Worker) => {
        if (next >= tasks.length) {
          running.delete(worker);
          return;
        }
        running.set(worker, next);
        worker.postMessage({ type: 'run', task: tasks[next++] } satisfies RunRequest);
      };
      const onMessage = (worker: Worker, message: WorkerMessage) => {
        switch (message.type) {
          case 'runStart':
            return hooks.onRunStart?.(message.run);
          case 'step':
            return hooks.onStep?.(message.progress);
          case 'epochEnd':
            return hooks.onEpochEnd?.(message.info);
          case 'model':
            return hooks.onModel?.(message.model);
          case 'failed':
            return settle(failure(worker, message.message, message.stack));
          case 'result': {
            const position = running.get(worker);
            if (position === undefined) throw new Error(`a result for '${message.result.label ?? message.result.activation}' from a worker that was training nothing`);
            results[position] = message.result;
            hooks.onRunEnd?.(message.result);
            if (++finished === tasks.length) settle();
            else dispatch(worker);
            return;
          }
        }
      };

      try {
        for (let i = 0; i < count; i++) {
          const worker = new Worker(entry, { workerData: setup });
          workers.push(worker);
          worker.on('message', (message: WorkerMessage) => {
            if (settled) return;
            try {
              onMessage(worker, message);
            } catch (error) {
              settle(error as Error); // a progress hook threw: stop everything
            }
          });
          worker.on('error', (error) => settle(failure(worker, error.message, error.stack)));
          worker.on('messageerror', (error) => settle(failure(worker, `a message could not be read: ${error.message}`)));
          // Exiting is never expected before the pool terminates the worker: a crash or process.exit().
          worker.on('exit', (code) => settle(failure(worker, `the worker thread exited (code ${code}) before finishing`)));
          dispatch(worker);
        }
      } catch (error) {
        settle(error as Error);
      }
    });
}
