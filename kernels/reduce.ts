// Reductions over the middle axis of x viewed as [outer, dim, inner]. Two shapes of the
// same computation: a workgroup per output with a shared-memory tree (long rows), or a
// thread per output looping over dim (short rows, where barriers would cost more than
// they save). Also argmax and histogram.

import type { ReduceOp } from '../engine/backend';
import { bindingsWgsl, FLAT_INDEX, FLOAT_HELPERS, MAIN_1D, type KernelSource, type UniformField } from './wgsl-common';

/** Threads per workgroup of the tree reduction (a power of two). */
export const REDUCE_WORKGROUP = 64;
/** Rows at least this long get a workgroup each. */
export const TREE_REDUCE_MIN_DIM = 128;

const REDUCE_UNIFORMS: UniformField[] = [
  { name: 'outer', type: 'u32' },
  { name: 'dim', type: 'u32' },
  { name: 'inner', type: 'u32' },
];

// The identity of each op and how two partial results combine. NaN propagates
// through max/min as on the CPU.
const COMBINE: Record<ReduceOp, { identity: string; combine: string }> = {
  sum: { identity: '0.0', combine: 'return a + b;' },
  max: { identity: '-gs_inf()', combine: 'return gs_max(a, b);' },
  min: { identity: 'gs_inf()', combine: 'return gs_min(a, b);' },
};

export type ReduceStrategy = 'tree' | 'loop';

/**
 * Long rows get a workgroup each, except on a software adapter when there are enough
 * outputs to keep every core busy with one thread each: there, barriers cost more than
 * the parallelism inside a row gives.
 */
export function reduceStrategy(dim: number, outputs: number, softwareAdapter: boolean): ReduceStrategy {
  if (dim < TREE_REDUCE_MIN_DIM) return 'loop';
  return softwareAdapter && outputs >= 64 ? 'loop' : 'tree';
}

export function reduceKernel(op: ReduceOp, strategy: ReduceStrategy): KernelSource {
  const c = COMBINE[op];
  if (!c) throw new Error(`webgpu backend: unknown reduce op '${op as string}'`);
  const storage = [
    { name: 'x', access: 'read' as const },
    { name: 'out', access: 'read_write' as const },
  ];
  const head = `${bindingsWgsl(storage, REDUCE_UNIFORMS)}
${FLOAT_HELPERS}
fn combine(a: f32, b: f32) -> f32 { ${c.combine} }`;
  const wgsl =
    strategy === 'loop'
      ? `${head}
${MAIN_1D} {
  let r = ${FLAT_INDEX};
  if (r >= u_outer() * u_inner()) { return; }
  let o = r / u_inner();
  let i = r % u_inner();
  var acc = ${c.identity};
  for (var d = 0u; d < u_dim(); d++) { acc = combine(acc, x[(o * u_dim() + d) * u_inner() + i]); }
  out[r] = acc;
}`
      : `${head}
var<workgroup> partial: array<f32, ${REDUCE_WORKGROUP}>;
@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= u_outer() * u_inner()) { return; }
  let o = r / u_inner();
  let i = r % u_inner();
  var acc = ${c.identity};
  for (var d = lid; d < u_dim(); d += ${REDUCE_WORKGROUP}u) { acc = combine(acc, x[(o * u_dim() + d) * u_inner() + i]); }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = combine(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[r] = partial[0]; }
}`;
  return { name: `reduce_${op}_${strategy}`, wgsl, storage, uniforms: REDUCE_UNIFORMS };
}

/** Index of the largest value along dim (ties: the first; NaN counts as the largest, as in torch.argmax), as a float. */
export function argmaxKernel(): KernelSource {
  const storage = [
    { name: 'x', access: 'read' as const },
    { name: 'out', access: 'read_write' as const },
  ];
  const wgsl = `${bindingsWgsl(storage, REDUCE_UNIFORMS)}
${FLOAT_HELPERS}
${MAIN_1D} {
  let r = ${FLAT_INDEX};
  if (r >= u_outer() * u_inner()) { return; }
  let o = r / u_inner();
  let i = r % u_inner();
  var best = 0u;
  var bestValue = -gs_inf();
  for (var d = 0u; d < u_dim(); d++) {
    let v = x[(o * u_dim() + d) * u_inner() + i];
    if (gs_is_nan(v)) { best = d; break; }
    if (v > bestValue) { bestValue = v; best = d; }
  }
  out[r] = f32(best);
}`;
  return { name: 'argmax', wgsl, storage, uniforms: REDUCE_UNIFORMS };
}

const HISTOGRAM_UNIFORMS: UniformField[] = [
  { name: 'size', type: 'u32' },
  { name: 'bins', type: 'u32' },
  { name: 'lo', type: 'f32' },
  { name: 'scale', type: 'f32' },
];

/**
 * Count values into bins with atomic adds on u32 counters (the output buffer viewed as
 * atomics; the host clears it first). NaN is skipped; values outside go to the end bins.
 */
export function histogramCountKernel(): KernelSource {
  const storage = [
    { name: 'x', access: 'read' as const },
    { name: 'counts', access: 'read_write' as const, type: 'atomic<u32>' },
  ];
  const wgsl = `${bindingsWgsl(storage, HISTOGRAM_UNIFORMS)}
${FLOAT_HELPERS}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  let v = x[i];
  if (gs_is_nan(v)) { return; }
  let last = f32(u_bins() - 1u);
  let bin = u32(clamp(floor((v - u_lo()) * u_scale()), 0.0, last));
  atomicAdd(&counts[bin], 1u);
}`;
  return { name: 'histogram_count', wgsl, storage, uniforms: HISTOGRAM_UNIFORMS };
}

/** Turn the u32 counters into floats in place. */
export function histogramToFloatKernel(): KernelSource {
  const storage = [{ name: 'counts', access: 'read_write' as const, type: 'u32' }];
  const uniforms: UniformField[] = [{ name: 'size', type: 'u32' }];
  const wgsl = `${bindingsWgsl(storage, uniforms)}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  counts[i] = bitcast<u32>(f32(counts[i]));
}`;
  return { name: 'histogram_to_float', wgsl, storage, uniforms };
}
