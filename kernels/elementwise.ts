// Elementwise kernels: unary ops (with up to two scalar arguments), broadcasting binary
// ops, and fill. One thread per output element.

import type { BinaryOp, UnaryOp } from '../engine/backend';
import { bindingsWgsl, FLAT_INDEX, FLOAT_HELPERS, MAIN_1D, type KernelSource, type UniformField } from './wgsl-common';

/** Broadcasting handles outputs up to this rank (shapes and strides travel as uniforms). */
export const MAX_RANK = 8;

// x^a as PyTorch computes it: C's pow (negative bases with integer exponents keep
// their sign, (−∞)^a = ±∞ or ±0, pow(NaN, 0) = 1), except that x^0.5 and x^−0.5 are
// sqrt and rsqrt in PyTorch: NaN for every negative base, −∞ included. The common
// exponents take exact paths.
const POW_HELPER = `
fn gs_pow(x: f32, a: f32) -> f32 {
  if (a == 0.0) { return 1.0; }
  if (gs_is_nan(x)) { return x; }
  if (a == 1.0) { return x; }
  if (a == 2.0) { return x * x; }
  if (a == 0.5) { return select(sqrt(x), gs_nan(), x < 0.0); }
  if (a == -1.0) { return 1.0 / x; }
  if (x == 0.0) { return select(gs_inf(), 0.0, a > 0.0); }
  let r = exp2(a * log2(abs(x)));
  if (x > 0.0) { return r; }
  if (floor(a) != a) { return select(gs_nan(), r, bitcast<u32>(x) == 0xff800000u && abs(a) != 0.5); }
  return select(r, -r, abs(a) % 2.0 == 1.0);
}`;

const UNARY_EXPRESSIONS: Record<UnaryOp, string> = {
  neg: '-v',
  exp: 'gs_exp(v)',
  // WGSL leaves log and sqrt of negative numbers (and log 0) undefined; SwiftShader
  // returns finite numbers (log 0 = -88). Give NaN and -Infinity as the CPU does.
  log: 'gs_log(v)',
  sqrt: 'select(sqrt(v), gs_nan(), v < 0.0 || gs_is_nan(v))',
  abs: 'abs(v)',
  // torch.sign(NaN) = 0: its kernel is (0 < x) − (x < 0).
  sign: 'select(sign(v), 0.0, gs_is_nan(v))',
  pow: 'gs_pow(v, u_a())',
  clamp: 'gs_clamp(v, u_a(), u_b())',
  affine: 'u_a() * v + u_b()',
};

export function unaryKernel(op: UnaryOp): KernelSource {
  const expression = UNARY_EXPRESSIONS[op];
  if (!expression) throw new Error(`webgpu backend: unknown unary op '${op as string}'`);
  const storage = [
    { name: 'x', access: 'read' as const },
    { name: 'out', access: 'read_write' as const },
  ];
  const uniforms: UniformField[] = [
    { name: 'size', type: 'u32' },
    { name: 'a', type: 'f32' },
    { name: 'b', type: 'f32' },
  ];
  const wgsl = `${bindingsWgsl(storage, uniforms)}
${FLOAT_HELPERS}
${op === 'pow' ? POW_HELPER : ''}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  let v = x[i];
  out[i] = ${expression};
}`;
  return { name: `unary_${op}`, wgsl, storage, uniforms };
}

const BINARY_EXPRESSIONS: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  // NaN propagates as torch.maximum/minimum do (checked on the bits: fast-math safe).
  maximum: 'select(max(a, b), gs_nan(), gs_is_nan(a) || gs_is_nan(b))',
  minimum: 'select(min(a, b), gs_nan(), gs_is_nan(a) || gs_is_nan(b))',
  eq: 'select(0.0, 1.0, a == b)',
  gt: 'select(0.0, 1.0, a > b)',
};

/**
 * How the inputs line up with the output: 'same' (both the output's size),
 * 'scalarB' (b is one value), or 'broadcast' (general strides, rank <= MAX_RANK).
 */
export type BinaryLayout = 'same' | 'scalarB' | 'broadcast';

export function binaryKernel(op: BinaryOp, layout: BinaryLayout): KernelSource {
  const expression = BINARY_EXPRESSIONS[op];
  if (!expression) throw new Error(`webgpu backend: unknown binary op '${op as string}'`);
  const storage = [
    { name: 'xa', access: 'read' as const },
    { name: 'xb', access: 'read' as const },
    { name: 'out', access: 'read_write' as const },
  ];
  const uniforms: UniformField[] = [{ name: 'size', type: 'u32' }];
  let load: string;
  if (layout === 'same') load = 'let a = xa[i]; let b = xb[i];';
  else if (layout === 'scalarB') load = 'let a = xa[i]; let b = xb[0];';
  else {
    uniforms.push(
      { name: 'rank', type: 'u32' },
      { name: 'shape', type: 'u32', count: MAX_RANK },
      { name: 'strideA', type: 'u32', count: MAX_RANK },
      { name: 'strideB', type: 'u32', count: MAX_RANK },
    );
    // Walk the output index from the last axis; a broadcast axis has stride 0.
    load = `var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(u_rank()) - 1; d >= 0; d--) {
    let dim = u_shape(u32(d));
    let coord = rest % dim;
    rest = rest / dim;
    ia += coord * u_strideA(u32(d));
    ib += coord * u_strideB(u32(d));
  }
  let a = xa[ia];
  let b = xb[ib];`;
  }
  const wgsl = `${bindingsWgsl(storage, uniforms)}
${FLOAT_HELPERS}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  ${load}
  out[i] = ${expression};
}`;
  return { name: `binary_${op}_${layout}`, wgsl, storage, uniforms };
}

export function fillKernel(): KernelSource {
  const storage = [{ name: 'out', access: 'read_write' as const }];
  const uniforms: UniformField[] = [
    { name: 'size', type: 'u32' },
    { name: 'value', type: 'f32' },
  ];
  const wgsl = `${bindingsWgsl(storage, uniforms)}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  out[i] = u_value();
}`;
  return { name: 'fill', wgsl, storage, uniforms };
}

export const PERMUTE_UNIFORMS: UniformField[] = [
  { name: 'size', type: 'u32' },
  { name: 'rank', type: 'u32' },
  { name: 'outShape', type: 'u32', count: MAX_RANK },
  { name: 'step', type: 'u32', count: MAX_RANK },
];

/** out[i...] = x[perm applied]: `step` is the input stride for one step along each output axis. */
export function permuteKernel(): KernelSource {
  const storage = [
    { name: 'x', access: 'read' as const },
    { name: 'out', access: 'read_write' as const },
  ];
  const uniforms = PERMUTE_UNIFORMS;
  const wgsl = `${bindingsWgsl(storage, uniforms)}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  var rest = i;
  var src = 0u;
  for (var d = i32(u_rank()) - 1; d >= 0; d--) {
    let dim = u_outShape(u32(d));
    src += (rest % dim) * u_step(u32(d));
    rest = rest / dim;
  }
  out[i] = x[src];
}`;
  return { name: 'permute', wgsl, storage, uniforms };
}
