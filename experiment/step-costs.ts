// What one run of each activation costs, relative to a relu run, for balancing shards
// (experiment/shard.ts). Only the ratios matter, and only roughly: a cell dealt to the
// wrong shard makes that shard finish later, never a result different.
//
// Measured with scripts/measure-step-costs.mjs (3 rounds of 4 steps, CPU backend, the quick
// protocol's 784-256-192-128-64-10 network, batch 128) on the project's 2-core machine,
// shared with other work (load average about 13): the ratios are rough (±0.2) but the
// heavy ones stand out, staf and rational about 9 relus, rrelu and bspline 5.

/** Time per epoch of each built-in activation's run over relu's, as measured (see above). */
export const MEASURED_STEP_COSTS: Readonly<Record<string, number>> = {
  identity: 0.8,
  relu: 1,
  relu6: 1,
  softsign: 1,
  step: 1,
  elu: 1.1,
  hardsigmoid: 1.1,
  none: 1.1,
  selu: 1.1,
  sigmoid: 1.1,
  celu: 1.2,
  hardswish: 1.2,
  tanh: 1.2,
  silu: 1.3,
  leaky_relu: 1.4,
  mish: 1.4,
  prelu: 1.6,
  swish: 1.6,
  gelu: 1.7,
  gelu_tanh: 2.2,
  telu: 2.2,
  swish_trainable: 2.3,
  softplus: 2.4,
  trainable_elu: 2.4,
  adaptive_sigmoid: 2.7,
  bspline: 5,
  rrelu: 5.2,
  staf: 8.9,
  rational: 9.6,
};

/**
 * The estimated cost of one run of `activation`, in relu runs: the measured ratio, or 1
 * for an activation not measured (a user's, registered with --register).
 */
export function stepCost(activation: string): number {
  return Object.hasOwn(MEASURED_STEP_COSTS, activation) ? MEASURED_STEP_COSTS[activation] : 1;
}
