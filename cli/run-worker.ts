// The worker side of `gradscope compare --jobs N` (Node worker_threads): sets up its own
// backend and its own copy of the data, then trains the runs the pool sends, one at a
// time, relaying progress. The same trainRun as a sequential run, from the same seed:
// the results are the same, only the timings differ.

import { parentPort, workerData } from 'node:worker_threads';
import '../index'; // the built-in activations and the WebGPU backend factory, as in the main thread
import { setBackend, type BackendName } from '../engine/backend-registry';
import { trainRun, type RunHooks } from '../experiment/run';
import { loadDataset, type Dataset } from '../experiment/datasets';
import { registerActivationFiles } from './register';
import { WORKER_KIND, type RunRequest, type WorkerMessage, type WorkerSetup } from './worker-protocol';

/** The least time between two step-progress messages to the main thread, in ms. */
const PROGRESS_MS = 100;

/** True in a thread that the comparison's worker pool started. */
export function isRunWorker(): boolean {
  return parentPort !== null && (workerData as Partial<WorkerSetup> | null)?.kind === WORKER_KIND;
}

async function prepare(setup: WorkerSetup): Promise<Dataset> {
  // Matmul threads matter on the CPU backend only; elsewhere they would idle.
  await setBackend(setup.backendName as BackendName, setup.backendName === 'cpu' ? { threads: setup.threads } : {});
  // The user's activations, registered as in the main thread (this thread has its own registry).
  await registerActivationFiles(setup.register ?? []);
  return loadDataset(setup.datasetRequest);
}

/** Serves run requests until the pool terminates this thread. */
export function serveRuns(): void {
  const port = parentPort;
  if (!port || !isRunWorker()) throw new Error('serveRuns: not in a thread started by the comparison worker pool');
  const setup = workerData as WorkerSetup;
  const post = (message: WorkerMessage) => port.postMessage(message);
  // Set up once, on the first request: a failure is then reported as that run's.
  let ready: Promise<Dataset> | undefined;
  // Step progress only feeds the progress bars: one message per PROGRESS_MS at most (and
  // each epoch's last step), not one per step, which cost ~0.15 ms a step (~2% of a run).
  let lastProgress = -Infinity;
  const hooks: RunHooks = {
    onRunStart: (run) => post({ type: 'runStart', run }),
    onStep: (progress) => {
      const now = performance.now();
      if (now - lastProgress < PROGRESS_MS && progress.step !== progress.stepsPerEpoch) return;
      lastProgress = now;
      post({ type: 'step', progress });
    },
    onEpochEnd: (info) => post({ type: 'epochEnd', info }),
    onModel: (model) => post({ type: 'model', model }),
  };
  // Requests come one at a time: the pool sends the next only after this one's answer.
  port.on('message', async ({ task }: RunRequest) => {
    try {
      ready ??= prepare(setup);
      const result = await trainRun(task, setup.options, await ready, hooks);
      post({ type: 'result', result });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      post({ type: 'failed', message: e.message, stack: e.stack });
    }
  });
}
