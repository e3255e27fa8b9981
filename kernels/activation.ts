// The ONE generator of an activation's WGSL. From a spec it writes the functions every
// kernel that runs the activation shares, in one convention:
//   p_NAME(i: u32) -> f32                      one accessor per parameter, a read-only
//                                              storage buffer read at i modulo its length
//                                              (a shared scalar and a per-channel vector
//                                              read the same way)
//   p_len_NAME() -> u32                        its length, read from the buffer (arrayLength):
//                                              a loop over a vector parameter (STAF's terms)
//                                              runs to it, so one pipeline serves every size
//   act_f(x, ch), act_df(x, y, ch), act_dp_NAME(x, y, ch, i)
// and a map from each line of the spec's own text (helpers, f, df, dparams.NAME) to where
// it lands, so a compiler's line comes back as the spec field and line. The elementwise
// forward, the backward (dX = dY ⊙ f'), and the per-element parameter-gradient terms are
// built here; the fused linear kernel (matmul.ts) injects the same functions as its
// epilogue. Validation (activations/validate.ts), the WebGPU backend's compileActivation
// and gs.debug.wgsl all use these same kernels, and specSectionsIn finds the spec's text
// in any of them.

import type { ActivationParamLayout, ActivationSpec } from '../engine/activation-spec';
import { bindingsWgsl, FLAT_INDEX, FLOAT_HELPERS, MAIN_1D, type KernelSource, type StorageBinding, type UniformField } from './wgsl-common';

export interface ActivationShape {
  spec: ActivationSpec;
  layout: readonly ActivationParamLayout[];
}

/** Where a field of the spec's WGSL sits in generated text (0-based line). */
export interface SpecSection {
  /** 'helpers', 'f', 'df' or 'dparams.NAME'. */
  field: string;
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

/** A line of generated WGSL traced back to the spec: its field and the line (and column) there. */
export interface SpecLocation {
  /** The spec field, or null for a line the generator wrote. */
  field: string | null;
  /** 1-based, within the field; within the whole WGSL when field is null. */
  line: number;
  /** 1-based; 0 when the line is the closing brace the generator wrote after a body. */
  column: number;
}

/**
 * Where a compiler's line (1-based) and column of a kernel come from in the spec. A
 * message on the closing brace after a function body ("missing return") belongs to the
 * body's last line.
 */
export function locateSpecLine(sections: readonly SpecSection[], line: number, column = 0): SpecLocation {
  const at = line - 1;
  for (const s of sections) {
    if (at >= s.firstLine && at < s.firstLine + s.lineCount) return { field: s.field, line: at - s.firstLine + 1, column };
    if (at === s.firstLine + s.lineCount && s.field !== 'helpers') return { field: s.field, line: s.lineCount, column: 0 };
  }
  return { field: null, line, column };
}

/** Where the spec's fields sit in the WGSL of a kernel that runs the activation (any of them). */
export function specSectionsIn(wgsl: string, act: ActivationShape): SpecSection[] {
  const fns = activationFunctions(act);
  const at = wgsl.indexOf(fns.text);
  if (at < 0) throw new Error(`activation '${act.spec.name}': this WGSL does not hold the activation's functions`);
  const offset = wgsl.slice(0, at).split('\n').length - 1;
  return fns.sections.map((s) => ({ ...s, firstLine: s.firstLine + offset }));
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
  const addBody = (field: string, signature: string | null, body: string) => {
    if (signature) lines.push(`${signature} {`);
    const bodyLines = body.split('\n');
    sections.push({ field, firstLine: lines.length, lineCount: bodyLines.length });
    lines.push(...bodyLines);
    if (signature) lines.push('}');
  };
  for (const p of layout) {
    const binding = paramBindingName(p.name);
    lines.push(`fn p_${p.name}(i: u32) -> f32 { return ${binding}[i % arrayLength(&${binding})]; }`);
    lines.push(`fn p_len_${p.name}() -> u32 { return arrayLength(&${binding}); }`);
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

/**
 * y = f(x), channel = index % channels. Like every kernel here it declares all of the
 * spec's functions (f, f' and each ∂f/∂param), so parsing it checks all of its WGSL.
 */
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
