// Softmax / log-softmax over the middle axis of [outer, dim, inner] and its backward,
// and the fused softmax-cross-entropy forward (per-row loss) and backward. One thread
// per row: classifier rows are short (tens of classes), so a row fits one thread's loop
// and needs no barriers. Max-subtraction keeps exp finite. NaN propagates as in
// PyTorch (gs_max, gs_exp): a NaN or +∞ in a row makes the whole row NaN.

import { bindingsWgsl, FLAT_INDEX, FLOAT_HELPERS, MAIN_1D, type KernelSource, type UniformField } from './wgsl-common';

const ROW_UNIFORMS: UniformField[] = [
  { name: 'outer', type: 'u32' },
  { name: 'dim', type: 'u32' },
  { name: 'inner', type: 'u32' },
];

const ROW_START = `let r = ${FLAT_INDEX};
  if (r >= u_outer() * u_inner()) { return; }
  let base = (r / u_inner()) * u_dim() * u_inner() + r % u_inner();
  let stride = u_inner();`;

export function softmaxKernel(log: boolean): KernelSource {
  const storage = [
    { name: 'x', access: 'read' as const },
    { name: 'out', access: 'read_write' as const },
  ];
  const wgsl = `${bindingsWgsl(storage, ROW_UNIFORMS)}
${FLOAT_HELPERS}
${MAIN_1D} {
  ${ROW_START}
  var mx = -gs_inf();
  for (var d = 0u; d < u_dim(); d++) { mx = gs_max(mx, x[base + d * stride]); }
  var sum = 0.0;
  for (var d = 0u; d < u_dim(); d++) { sum += gs_exp(x[base + d * stride] - mx); }
  let logSum = gs_log(sum);
  for (var d = 0u; d < u_dim(); d++) {
    let shifted = x[base + d * stride] - mx;
    out[base + d * stride] = ${log ? 'shifted - logSum' : 'gs_exp(shifted) / sum'};
  }
}`;
  return { name: log ? 'log_softmax' : 'softmax', wgsl, storage, uniforms: ROW_UNIFORMS };
}

export function softmaxBackwardKernel(log: boolean): KernelSource {
  const storage = [
    { name: 'y', access: 'read' as const },
    { name: 'dy', access: 'read' as const },
    { name: 'dx', access: 'read_write' as const },
  ];
  // log: dx = dy - softmax(x)·Σdy; softmax: dx = y ⊙ (dy - Σ dy⊙y)
  const body = log
    ? `var s = 0.0;
  for (var d = 0u; d < u_dim(); d++) { s += dy[base + d * stride]; }
  for (var d = 0u; d < u_dim(); d++) {
    let at = base + d * stride;
    dx[at] = dy[at] - gs_exp(y[at]) * s;
  }`
    : `var dot = 0.0;
  for (var d = 0u; d < u_dim(); d++) { dot += dy[base + d * stride] * y[base + d * stride]; }
  for (var d = 0u; d < u_dim(); d++) {
    let at = base + d * stride;
    dx[at] = y[at] * (dy[at] - dot);
  }`;
  const wgsl = `${bindingsWgsl(storage, ROW_UNIFORMS)}
${FLOAT_HELPERS}
${MAIN_1D} {
  ${ROW_START}
  ${body}
}`;
  return { name: log ? 'log_softmax_backward' : 'softmax_backward', wgsl, storage, uniforms: ROW_UNIFORMS };
}

const CE_UNIFORMS: UniformField[] = [
  { name: 'n', type: 'u32' },
  { name: 'c', type: 'u32' },
  { name: 'smoothing', type: 'f32' },
];

// Row max and log-sum-exp, shared by forward and backward.
const ROW_STATS = `let row = r * u_c();
  var mx = -gs_inf();
  for (var j = 0u; j < u_c(); j++) { mx = gs_max(mx, logits[row + j]); }
  var sum = 0.0;
  for (var j = 0u; j < u_c(); j++) { sum += gs_exp(logits[row + j] - mx); }
  let label = u32(labels[r]);`;

/** loss[r] = -((1-ε)·log p[label] + ε·mean_j log p_j). */
export function crossEntropyKernel(): KernelSource {
  const storage = [
    { name: 'logits', access: 'read' as const },
    { name: 'labels', access: 'read' as const },
    { name: 'loss', access: 'read_write' as const },
  ];
  const wgsl = `${bindingsWgsl(storage, CE_UNIFORMS)}
${FLOAT_HELPERS}
${MAIN_1D} {
  let r = ${FLAT_INDEX};
  if (r >= u_n()) { return; }
  ${ROW_STATS}
  let logSum = gs_log(sum) + mx;
  var meanLogP = 0.0;
  for (var j = 0u; j < u_c(); j++) { meanLogP += logits[row + j] - logSum; }
  meanLogP = meanLogP / f32(u_c());
  let logPLabel = logits[row + label] - logSum;
  // Without smoothing only the label's log p counts (PyTorch's nll_loss): 0·(−∞) must not make NaN.
  loss[r] = select(-((1.0 - u_smoothing()) * logPLabel + u_smoothing() * meanLogP), -logPLabel, u_smoothing() == 0.0);
}`;
  return { name: 'cross_entropy', wgsl, storage, uniforms: CE_UNIFORMS };
}

/** dLogits[r, j] = g[r]·(softmax_j - target_j), target = (1-ε)·onehot + ε/C. */
export function crossEntropyBackwardKernel(): KernelSource {
  const storage = [
    { name: 'logits', access: 'read' as const },
    { name: 'labels', access: 'read' as const },
    { name: 'g', access: 'read' as const },
    { name: 'dx', access: 'read_write' as const },
  ];
  const wgsl = `${bindingsWgsl(storage, CE_UNIFORMS)}
${FLOAT_HELPERS}
${MAIN_1D} {
  let r = ${FLAT_INDEX};
  if (r >= u_n()) { return; }
  ${ROW_STATS}
  let spread = u_smoothing() / f32(u_c());
  for (var j = 0u; j < u_c(); j++) {
    let p = gs_exp(logits[row + j] - mx) / sum;
    let goal = select(0.0, 1.0 - u_smoothing(), j == label) + spread;
    dx[row + j] = g[r] * (p - goal);
  }
}`;
  return { name: 'cross_entropy_backward', wgsl, storage, uniforms: CE_UNIFORMS };
}
