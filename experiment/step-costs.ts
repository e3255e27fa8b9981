// What one run of each activation costs, relative to a relu run, for balancing shards
// (experiment/shard.ts). Only the ratios matter, and only roughly: a cell dealt to the
// wrong shard makes that shard finish later, never a result different.
//
// Measured with scripts/measure-step-costs.mjs (7 rounds of 6 steps, CPU backend, the quick
// protocol's 784-256-192-128-64-10 network, batch 128, one activation module per layer) on
// the project's 2-core machine, shared with other work (load average about 7), after the
// per-spec CPU activation loops and STAF's WebAssembly sine sums landed (before them staf
// and rational cost about 9 relus, rrelu and bspline 5). The ratios are rough (±0.2 from
// run to run) and now close together: telu and rrelu 2, bspline and rational about 1.9.

/** Time per epoch of each built-in activation's run over relu's, as measured (see above). */
export const MEASURED_STEP_COSTS: Readonly<Record<string, number>> = {
  elu: 0.8,
  identity: 0.9,
  leaky_relu: 0.9,
  softsign: 0.9,
  relu: 1,
  relu6: 1,
  celu: 1.1,
  none: 1.1,
  prelu: 1.1,
  step: 1.1,
  tanh: 1.1,
  gelu_tanh: 1.2,
  hardswish: 1.2,
  selu: 1.2,
  gelu: 1.3,
  hardsigmoid: 1.3,
  staf: 1.3,
  adaptive_sigmoid: 1.4,
  mish: 1.4,
  sigmoid: 1.4,
  silu: 1.5,
  swish: 1.5,
  swish_trainable: 1.6,
  softplus: 1.7,
  trainable_elu: 1.7,
  rational: 1.8,
  bspline: 1.9,
  rrelu: 2,
  telu: 2,
};

/**
 * The estimated cost of one run of `activation`, in relu runs: the measured ratio, or 1
 * for an activation not measured (a user's, registered with --register).
 */
export function stepCost(activation: string): number {
  return Object.hasOwn(MEASURED_STEP_COSTS, activation) ? MEASURED_STEP_COSTS[activation] : 1;
}
