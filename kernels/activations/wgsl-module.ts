// The WGSL text of one activation spec as standalone functions:
//   p_NAME(i: u32) -> f32           one accessor per parameter (index clamped to its length,
//                                   so a shared per-channel value reads the same for every ch)
//   act_f(x, ch), act_df(x, y, ch), act_dparam_NAME(x, y, ch, i)
// Used to validate user specs before they are accepted (parsing, and the WebGPU
// backend's compileActivation when it offers one) and to map a compiler's line
// numbers back to the spec field they came from.

import type { ActivationParamLayout, ActivationSpec } from '../../engine/activation-spec';
import { FLOAT_HELPERS } from '../wgsl-common';

export interface WgslSection {
  /** Which spec field: 'helpers', 'f', 'df' or 'dparams.NAME'. */
  field: string;
  /** 1-based line of the module where the field's first line sits. */
  firstLine: number;
  lineCount: number;
}

export interface ActivationWgslModule {
  code: string;
  sections: WgslSection[];
}

export function activationWgslModule(spec: ActivationSpec, layout: readonly ActivationParamLayout[]): ActivationWgslModule {
  const lines: string[] = [];
  const sections: WgslSection[] = [];
  const emit = (text: string) => lines.push(...text.split('\n'));
  const emitField = (field: string, text: string) => {
    const body = text.split('\n');
    sections.push({ field, firstLine: lines.length + 1, lineCount: body.length });
    lines.push(...body);
  };

  // Every kernel an activation runs in has the float helpers (gs_nan, gs_is_nan, gs_max, ...).
  emit(FLOAT_HELPERS);
  const total = Math.max(1, layout.reduce((n, p) => n + p.length, 0));
  emit(`@group(0) @binding(0) var<storage, read> act_params: array<f32, ${total}>;`);
  let offset = 0;
  for (const p of layout) {
    emit(`fn p_${p.name}(i: u32) -> f32 { return act_params[${offset}u + min(i, ${p.length - 1}u)]; }`);
    offset += p.length;
  }
  if (spec.wgsl.helpers) emitField('helpers', spec.wgsl.helpers);
  emit('fn act_f(x: f32, ch: u32) -> f32 {');
  emitField('f', spec.wgsl.f);
  emit('}');
  emit('fn act_df(x: f32, y: f32, ch: u32) -> f32 {');
  emitField('df', spec.wgsl.df);
  emit('}');
  for (const [name, body] of Object.entries(spec.wgsl.dparams ?? {})) {
    emit(`fn act_dparam_${name}(x: f32, y: f32, ch: u32, i: u32) -> f32 {`);
    emitField(`dparams.${name}`, body);
    emit('}');
  }
  // An entry point that calls every function, so a compiler checks them all.
  emit('@group(0) @binding(1) var<storage, read_write> act_out: array<f32>;');
  emit('@compute @workgroup_size(1) fn main() {');
  emit('  act_out[0] = act_f(act_out[0], 0u);');
  emit('  act_out[1] = act_df(act_out[0], act_out[1], 0u);');
  for (const name of Object.keys(spec.wgsl.dparams ?? {})) emit(`  act_out[2] = act_dparam_${name}(act_out[0], act_out[1], 0u, 0u);`);
  emit('}');
  return { code: lines.join('\n'), sections };
}

/** 'wgsl.df line 2' for a line of the module, or 'generated line N' outside the spec's text. */
export function locateWgslLine(module: ActivationWgslModule, line: number): { field: string | null; line: number } {
  for (const s of module.sections) {
    if (line >= s.firstLine && line < s.firstLine + s.lineCount) return { field: s.field, line: line - s.firstLine + 1 };
  }
  return { field: null, line };
}
