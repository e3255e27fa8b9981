// WGSL generated from an activation spec: the spec's own f, df and dparams bodies become
// functions, its parameters become read-only storage buffers with accessors
// `fn p_NAME(i: u32) -> f32` (index taken modulo the parameter's length, so a shared
// scalar and a per-channel vector read the same way). The elementwise forward, the
// backward (dX = dY ⊙ f'), and the per-element parameter-gradient terms are built here;
// the fused linear kernel (matmul.ts) injects the same functions as its epilogue.

import type { ActivationParamLayout, ActivationSpec } from '../engine/activation-spec';
import { bindingsWgsl, FLAT_INDEX, FLOAT_HELPERS, MAIN_1D, type KernelSource, type StorageBinding, type UniformField } from './wgsl-common';

export interface ActivationShape {
  spec: ActivationSpec;
  layout: readonly ActivationParamLayout[];
}

/** Where a part of the spec's text sits in the generated functions (0-based line). */
export interface SpecSection {
  /** 'helpers', 'f', 'df' or 'dparams.NAME'. */
  part: string;
  firstLine: number;
  lineCount: number;
}

export interface ActivationFunctions {
  /** The parameter bindings, to append to a kernel's storage list. */
  storage: StorageBinding[];
  /** WGSL: accessors, helpers, act_f, act_df, act_dp_NAME. */
  text: string;
  sections: SpecSection[];
}

export function paramBindingName(name: string): string {
  return `param_${name}`;
}

/** A key that changes whenever the generated text would. */
export function activationKey(act: ActivationShape | null): string {
  if (!act) return 'identity';
  const w = act.spec.wgsl;
  const dp = Object.entries(w.dparams ?? {}).map(([k, v]) => `${k}=${v}`).join('|');
  const params = act.layout.map((p) => `${p.name}:${p.trainable ? 't' : 'f'}`).join(',');
  return `${act.spec.name}#${params}#${w.helpers ?? ''}#${w.f}#${w.df}#${dp}`;
}

export function activationFunctions(act: ActivationShape): ActivationFunctions {
  const { spec, layout } = act;
  const lines: string[] = [];
  const sections: SpecSection[] = [];
  const addBody = (part: string, signature: string | null, body: string) => {
    if (signature) lines.push(`${signature} {`);
    const bodyLines = body.split('\n');
    sections.push({ part, firstLine: lines.length, lineCount: bodyLines.length });
    lines.push(...bodyLines);
    if (signature) lines.push('}');
  };
  for (const p of layout) {
    const binding = paramBindingName(p.name);
    lines.push(`fn p_${p.name}(i: u32) -> f32 { return ${binding}[i % arrayLength(&${binding})]; }`);
  }
  if (spec.wgsl.helpers) addBody('helpers', null, spec.wgsl.helpers);
  addBody('f', 'fn act_f(x: f32, ch: u32) -> f32', spec.wgsl.f);
  addBody('df', 'fn act_df(x: f32, y: f32, ch: u32) -> f32', spec.wgsl.df);
  for (const p of layout) {
    if (!p.trainable) continue;
    const body = spec.wgsl.dparams?.[p.name];
    if (body === undefined) {
      throw new Error(`activation '${spec.name}': trainable parameter '${p.name}' has no wgsl.dparams body`);
    }
    addBody(`dparams.${p.name}`, `fn act_dp_${p.name}(x: f32, y: f32, ch: u32, i: u32) -> f32`, body);
  }
  const storage = layout.map((p) => ({ name: paramBindingName(p.name), access: 'read' as const }));
  return { storage, text: lines.join('\n'), sections };
}

const ELEMENT_UNIFORMS: UniformField[] = [
  { name: 'size', type: 'u32' },
  { name: 'channels', type: 'u32' },
];

/** y = f(x), channel = index % channels. */
export function activationForwardKernel(act: ActivationShape): KernelSource {
  const fns = activationFunctions(act);
  const storage: StorageBinding[] = [
    { name: 'gs_x', access: 'read' },
    { name: 'gs_y', access: 'read_write' },
    ...fns.storage,
  ];
  const wgsl = `${bindingsWgsl(storage, ELEMENT_UNIFORMS)}
${FLOAT_HELPERS}
${fns.text}
${MAIN_1D} {
  let gs_i = ${FLAT_INDEX};
  if (gs_i >= u_size()) { return; }
  gs_y[gs_i] = act_f(gs_x[gs_i], gs_i % u_channels());
}`;
  return { name: `activation_${act.spec.name}`, wgsl, storage, uniforms: ELEMENT_UNIFORMS };
}

/**
 * The inputs the backward kernels read: x (the pre-activation, NaN when not kept) and
 * y (recomputed from x when not kept).
 */
function backwardInputs(hasX: boolean, hasY: boolean): { storage: StorageBinding[]; load: string } {
  const storage: StorageBinding[] = [];
  if (hasX) storage.push({ name: 'gs_x', access: 'read' });
  if (hasY) storage.push({ name: 'gs_y', access: 'read' });
  const x = hasX ? 'gs_x[gs_e]' : 'gs_nan()';
  const y = hasY ? 'gs_y[gs_e]' : 'act_f(gs_xv, gs_ch)';
  return { storage, load: `let gs_xv = ${x};\n  let gs_yv = ${y};` };
}

/** dX = dY ⊙ f'(x, y). */
export function activationBackwardKernel(act: ActivationShape, hasX: boolean, hasY: boolean): KernelSource {
  const fns = activationFunctions(act);
  const inputs = backwardInputs(hasX, hasY);
  const storage: StorageBinding[] = [
    ...inputs.storage,
    { name: 'gs_dy', access: 'read' },
    { name: 'gs_dx', access: 'read_write' },
    ...fns.storage,
  ];
  const wgsl = `${bindingsWgsl(storage, ELEMENT_UNIFORMS)}
${FLOAT_HELPERS}
${fns.text}
${MAIN_1D} {
  let gs_e = ${FLAT_INDEX};
  if (gs_e >= u_size()) { return; }
  let gs_ch = gs_e % u_channels();
  ${inputs.load}
  gs_dx[gs_e] = gs_dy[gs_e] * act_df(gs_xv, gs_yv, gs_ch);
}`;
  return { name: `activation_backward_${act.spec.name}`, wgsl, storage, uniforms: ELEMENT_UNIFORMS };
}

const DPARAM_UNIFORMS: UniformField[] = [
  { name: 'size', type: 'u32' },
  { name: 'channels', type: 'u32' },
  { name: 'length', type: 'u32' },
];

/**
 * The per-element terms of ∂L/∂θ for one trainable parameter, summed afterwards by the
 * reduction kernel. A per-channel vector: term[e] = dY[e]·∂f/∂θ[ch] (sum over rows).
 * Otherwise: term[j·size + e] = dY[e]·∂f/∂θ[j] (sum over elements, for each j).
 */
export function activationParamTermsKernel(
  act: ActivationShape,
  paramName: string,
  perChannelVector: boolean,
  hasX: boolean,
  hasY: boolean,
): KernelSource {
  const fns = activationFunctions(act);
  const inputs = backwardInputs(hasX, hasY);
  const storage: StorageBinding[] = [
    ...inputs.storage,
    { name: 'gs_dy', access: 'read' },
    { name: 'gs_terms', access: 'read_write' },
    ...fns.storage,
  ];
  const index = perChannelVector
    ? `let gs_e = gs_t;\n  let gs_j = gs_e % u_channels();`
    : `let gs_e = gs_t % u_size();\n  let gs_j = gs_t / u_size();`;
  const total = perChannelVector ? 'u_size()' : 'u_size() * u_length()';
  const wgsl = `${bindingsWgsl(storage, DPARAM_UNIFORMS)}
${FLOAT_HELPERS}
${fns.text}
${MAIN_1D} {
  let gs_t = ${FLAT_INDEX};
  if (gs_t >= ${total}) { return; }
  ${index}
  let gs_ch = gs_e % u_channels();
  ${inputs.load}
  gs_terms[gs_t] = gs_dy[gs_e] * act_dp_${paramName}(gs_xv, gs_yv, gs_ch, gs_j);
}`;
  return { name: `activation_dparam_${act.spec.name}_${paramName}`, wgsl, storage, uniforms: DPARAM_UNIFORMS };
}
