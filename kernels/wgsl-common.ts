// Pieces every generated WGSL program shares: the kernel description the WebGPU backend
// runs, the uniform block (shapes and scalars travel as uniforms so one pipeline serves
// every shape), and the dispatch-index arithmetic that lifts the 65,535-workgroup limit.

/** A storage binding as the shader declares it; bindings are numbered in this order. */
export interface StorageBinding {
  name: string;
  access: 'read' | 'read_write';
  /** WGSL element type; 'f32' unless said. */
  type?: string;
}

export type UniformType = 'u32' | 'f32' | 'i32';

export interface UniformField {
  name: string;
  type: UniformType;
  /** An array of this many values, read as `u_NAME(i)`; a scalar is `u_NAME()`. */
  count?: number;
}

/** One compute program: its WGSL text and how the host binds it. */
export interface KernelSource {
  /** Short name for wgslFor() and error messages, e.g. 'matmul'. */
  name: string;
  wgsl: string;
  storage: readonly StorageBinding[];
  uniforms: readonly UniformField[];
}

/** Threads per workgroup of the one-thread-per-element kernels. */
export const ELEMENTWISE_WORKGROUP = 256;
/** WebGPU's minimum guaranteed workgroups per dispatch dimension. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/** The storage declarations, then the uniform block at the next binding. */
export function bindingsWgsl(storage: readonly StorageBinding[], uniforms: readonly UniformField[]): string {
  const lines = storage.map(
    (b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type ?? 'f32'}>;`,
  );
  const words = uniformWords(uniforms);
  const vec4s = Math.max(1, Math.ceil(words / 4));
  lines.push(`struct Uniforms { w: array<vec4<u32>, ${vec4s}> }`);
  lines.push(`@group(0) @binding(${storage.length}) var<uniform> U: Uniforms;`);
  let offset = 0;
  for (const f of uniforms) {
    const read = (index: string) => {
      const word = `U.w[(${index}) / 4u][(${index}) % 4u]`;
      return f.type === 'u32' ? word : `bitcast<${f.type}>(${word})`;
    };
    if (f.count === undefined) lines.push(`fn u_${f.name}() -> ${f.type} { return ${read(`${offset}u`)}; }`);
    else lines.push(`fn u_${f.name}(i: u32) -> ${f.type} { return ${read(`${offset}u + i`)}; }`);
    offset += f.count ?? 1;
  }
  return lines.join('\n');
}

export function uniformWords(uniforms: readonly UniformField[]): number {
  return uniforms.reduce((n, f) => n + (f.count ?? 1), 0);
}

export type UniformValues = Record<string, number | readonly number[]>;

/** Pack values into the uniform block's bytes (16-byte multiple, as WebGPU wants). */
export function packUniforms(uniforms: readonly UniformField[], values: UniformValues): ArrayBuffer {
  const words = Math.max(4, Math.ceil(uniformWords(uniforms) / 4) * 4);
  const bytes = new ArrayBuffer(words * 4);
  const u32 = new Uint32Array(bytes);
  const f32 = new Float32Array(bytes);
  const i32 = new Int32Array(bytes);
  let offset = 0;
  for (const f of uniforms) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`uniform '${f.name}' has no value`);
    const list = typeof v === 'number' ? [v] : v;
    const count = f.count ?? 1;
    if (list.length > count) throw new Error(`uniform '${f.name}' holds ${count} values, got ${list.length}`);
    const target = f.type === 'u32' ? u32 : f.type === 'i32' ? i32 : f32;
    for (let i = 0; i < list.length; i++) target[offset + i] = list[i];
    offset += count;
  }
  return bytes;
}

/**
 * The flat thread index of a 1-D launch spread over x and y (dispatch1d on the host).
 * Use inside `fn main(@builtin(global_invocation_id) gid: vec3<u32>,
 * @builtin(num_workgroups) nwg: vec3<u32>)`.
 */
export const FLAT_INDEX = `gid.x + gid.y * nwg.x * ${ELEMENTWISE_WORKGROUP}u`;

export const MAIN_1D = `@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

/** Workgroup counts for `groups` workgroups: x up to the limit, the rest in y. */
export function spreadWorkgroups(groups: number): [number, number] {
  if (groups <= MAX_WORKGROUPS_PER_DIM) return [groups, 1];
  const y = Math.ceil(groups / MAX_WORKGROUPS_PER_DIM);
  return [Math.ceil(groups / y), y];
}

/**
 * Special float values, and NaN that propagates as in PyTorch. WGSL refuses NaN and
 * infinity as constant expressions, so they are made from a runtime bit pattern. NaN is
 * tested on the bits: compilers may assume there is none and fold `x != x` to false
 * (SwiftShader does). WGSL's max, min, clamp, exp and log promise nothing for NaN (on
 * SwiftShader max(NaN, 0) = 0, exp(NaN) = ∞, log(NaN) = 89): gs_max, gs_min, gs_clamp,
 * gs_exp and gs_log give NaN for a NaN input and the built-in's exact result otherwise.
 * WGSL leaves log of 0 and of negative numbers undefined too (SwiftShader: log 0 = −88):
 * gs_log gives −∞ and NaN there, as the CPU does.
 */
export const FLOAT_HELPERS = `
fn gs_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn gs_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn gs_is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn gs_is_finite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) < 0x7f800000u; }
fn gs_max(a: f32, b: f32) -> f32 { return select(max(a, b), gs_nan(), gs_is_nan(a) || gs_is_nan(b)); }
fn gs_min(a: f32, b: f32) -> f32 { return select(min(a, b), gs_nan(), gs_is_nan(a) || gs_is_nan(b)); }
fn gs_clamp(v: f32, lo: f32, hi: f32) -> f32 { return select(min(max(v, lo), hi), v, gs_is_nan(v)); }
fn gs_exp(v: f32) -> f32 { return select(exp(v), v, gs_is_nan(v)); }
fn gs_log(v: f32) -> f32 { return select(select(log(v), -gs_inf(), v == 0.0), gs_nan(), v < 0.0 || gs_is_nan(v)); }`;
