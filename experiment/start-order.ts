// What one training step of a run's network costs on this backend, timed on one batch
// before `compare --jobs` starts the runs: the pool (cli/worker-pool.ts) starts the
// costliest first. In protocol order, dldna-ch4's STAF run (the longest, ~2× the others)
// started 13th of 14, and one core idled while it finished alone; longest first, the
// short runs fill in around it. The runs' results do not depend on the order: each is
// trained from its own seed. (Shards use the fixed table of experiment/step-costs.ts
// instead: every process of a sharded comparison must compute the same plan without
// measuring. Here one process decides, so it can time the runs as configured: STAF's
// cost grows with its terms, which the table, per activation, cannot tell.)

import { crossEntropy } from '../engine/ops';
import { tidy } from '../engine/memory';
import { DataLoader } from '../nn/data/index';
import type { RunContext } from './compare';
import { buildNetwork, layerSizes, makeOptimizer, type RunTask } from './run';

/** Rows of the timed batch at most: the run's batch, capped so that a full-batch run is timed in milliseconds, not seconds. */
const TIMED_ROWS = 256;

/**
 * Milliseconds of one optimizer step (forward, loss, backward, update) of the task's
 * network on up to TIMED_ROWS rows of the training set, on the current backend: the
 * fastest of `steps` after a first, untimed one (which compiles and allocates).
 */
export async function stepMilliseconds(task: RunTask, { options, dataset }: RunContext, steps = 3): Promise<number> {
  const model = buildNetwork(layerSizes(options, dataset), task, { init: options.init, seed: task.seed, shareActivation: options.shareActivation });
  const optimizer = makeOptimizer(model.parameters(), options);
  const batch = new DataLoader(dataset.train, { batchSize: Math.min(options.batch, TIMED_ROWS) }).batchAt(0, 0);
  let fastest = Infinity;
  try {
    for (let step = 0; step <= steps; step++) {
      const started = performance.now();
      const loss = tidy(() => {
        optimizer.zeroGrad();
        const l = crossEntropy(model.forward(batch.x), batch.y);
        l.backward();
        optimizer.step();
        return l.detach();
      });
      await loss.item(); // waits for the device's work
      loss.dispose();
      if (step > 0) fastest = Math.min(fastest, performance.now() - started);
    }
  } finally {
    batch.x.dispose();
    optimizer.dispose();
    model.dispose();
  }
  return fastest;
}

/**
 * The positions of `tasks` in the order to start them: the costliest step first (the
 * runs of one label cost alike, so each label is timed once), ties in the tasks' order.
 */
export async function longestFirst(tasks: readonly RunTask[], context: RunContext): Promise<number[]> {
  const cost = new Map<string, number>();
  for (const task of tasks) if (!cost.has(task.label)) cost.set(task.label, await stepMilliseconds(task, context));
  return tasks.map((_, i) => i).sort((a, b) => cost.get(tasks[b].label)! - cost.get(tasks[a].label)! || a - b);
}
