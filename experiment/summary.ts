// The `summary` of results.json: experiment/statistics.ts's summarize over the runs, one
// entry per run label across its seeds. The runs go in in training order (run, then seed),
// so that equal means rank the same way however the grid was trained (one process, --jobs,
// shards merged).

import { runLabel, type RunResult } from './results';
import { summarize, type SummaryEntry } from './statistics';

export function comparisonSummary(runs: readonly RunResult[], activationsCompared: readonly string[]): SummaryEntry[] {
  const order = (run: RunResult) => activationsCompared.indexOf(runLabel(run));
  const inTrainingOrder = runs.slice().sort((a, b) => order(a) - order(b) || a.seed - b.seed);
  return summarize(
    inTrainingOrder.map((run) => ({
      label: runLabel(run),
      seed: run.seed,
      testAccuracy: run.testAccuracy,
      finalTrainLoss: run.finalTrainLoss,
      secondsPerEpoch: run.secondsPerEpoch,
    })),
  );
}
