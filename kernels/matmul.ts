// Matrix multiply C[m, n] = op(A)·op(B) with op = transpose when asked, read in place
// (no transpose is materialised), plus the fused linear epilogue: + bias[col], then the
// activation's f, writing Y and (only when asked) Z.
//
// Two kernels, the same results, chosen per adapter (see chooseMatmulVariant):
//  - 'blocked4x4': each thread keeps a 4×4 block of C in four vec4 registers and reads
//    A and B straight from storage. No shared memory, no barriers: what SwiftShader
//    (shaders run on the CPU) rewards, ~6× faster there than the tiled kernel.
//  - 'tiled': a 16×16 workgroup stages 64×16 tiles of A and B in shared memory and each
//    thread computes a 4×4 block from them: what real GPUs reward.
// Both are correct for any m, k, n: loads outside the matrices read 0 (tiled) or a
// clamped in-bounds element (blocked), and outputs outside are never written.

import { activationFunctions, activationKey, type ActivationShape } from './activation';
import { bindingsWgsl, FLOAT_HELPERS, type KernelSource, type StorageBinding, type UniformField } from './wgsl-common';

export type MatmulVariant = 'blocked4x4' | 'tiled';

export interface MatmulOptions {
  variant: MatmulVariant;
  transA: boolean;
  transB: boolean;
  /** Add bias[col] (fused linear). */
  bias: boolean;
  /** Apply f after the bias (fused linear); null: identity. */
  act: ActivationShape | null;
  /** Also write Z = A·B + bias (needed when the backward uses the pre-activation). */
  keepZ: boolean;
  /** Read A / B with vec4 loads (blocked kernel; see vec4Operands). */
  vecA?: boolean;
  vecB?: boolean;
}

/** Outputs per thread along each axis, and threads per workgroup along each axis. */
export const MATMUL_BLOCK = 4;
export const MATMUL_THREADS = { blocked4x4: 8, tiled: 16 } as const;
const TILE_K = 16;

const UNIFORMS: UniformField[] = [
  { name: 'm', type: 'u32' },
  { name: 'k', type: 'u32' },
  { name: 'n', type: 'u32' },
];

export function matmulKey(o: MatmulOptions): string {
  return `${o.variant}|${o.transA}|${o.transB}|${!!o.vecA}|${!!o.vecB}|${o.bias}|${o.keepZ}|${activationKey(o.act)}`;
}

/** Workgroups for an m×n output. */
export function matmulWorkgroups(variant: MatmulVariant, m: number, n: number): [number, number] {
  const span = MATMUL_BLOCK * MATMUL_THREADS[variant];
  return [Math.ceil(n / span), Math.ceil(m / span)];
}

/**
 * The adapter decides: a software fallback adapter (SwiftShader) gets the register-blocked
 * kernel, hardware adapters the shared-memory tiled one.
 */
export function chooseMatmulVariant(adapter: { isFallback: boolean; vendor: string }): MatmulVariant {
  if (adapter.isFallback || /swiftshader|llvmpipe|lavapipe/i.test(adapter.vendor)) return 'blocked4x4';
  return 'tiled';
}

/**
 * Whether an operand can be read as vec4: its contiguous axis (p for A, columns for B
 * when not transposed; rows for Aᵀ, p for Bᵀ) has a length divisible by 4, so every
 * row of the buffer starts on a vec4 boundary.
 */
export function vec4Operands(transA: boolean, transB: boolean, m: number, k: number, n: number): { vecA: boolean; vecB: boolean } {
  return { vecA: (transA ? m : k) % 4 === 0, vecB: (transB ? k : n) % 4 === 0 };
}

export function matmulKernel(o: MatmulOptions): KernelSource {
  const vecA = o.variant === 'blocked4x4' && !!o.vecA;
  const vecB = o.variant === 'blocked4x4' && !!o.vecB;
  const fns = o.act ? activationFunctions(o.act) : null;
  const storage: StorageBinding[] = [
    { name: 'gs_a', access: 'read', type: vecA ? 'vec4<f32>' : 'f32' },
    { name: 'gs_b', access: 'read', type: vecB ? 'vec4<f32>' : 'f32' },
  ];
  if (o.bias) storage.push({ name: 'gs_bias', access: 'read' });
  storage.push({ name: 'gs_c', access: 'read_write' });
  if (o.keepZ) storage.push({ name: 'gs_z', access: 'read_write' });
  if (fns) storage.push(...fns.storage);

  // Flat index of element (row, p) of op(A) and (p, col) of op(B); a vec4 binding is
  // read one float at a time through [i / 4][i % 4] where a scalar is needed.
  const indexA = o.transA ? 'p * u_m() + row' : 'row * u_k() + p';
  const indexB = o.transB ? 'col * u_k() + p' : 'p * u_n() + col';
  const scalar = (name: string, vec: boolean) => (vec ? `${name}[i / 4u][i % 4u]` : `${name}[i]`);
  // The kernel's own functions and workgroup arrays are named gs_*, so a spec's helpers
  // (in the same module) cannot clash with them.
  const head = `${bindingsWgsl(storage, UNIFORMS)}
${FLOAT_HELPERS}
${fns ? fns.text : ''}
fn gs_load_a(row: u32, p: u32) -> f32 { let i = ${indexA}; return ${scalar('gs_a', vecA)}; }
fn gs_load_b(p: u32, col: u32) -> f32 { let i = ${indexB}; return ${scalar('gs_b', vecB)}; }
fn gs_store(row: u32, col: u32, acc: f32) {
  if (row >= u_m() || col >= u_n()) { return; }
  let z = acc${o.bias ? ' + gs_bias[col]' : ''};
  ${o.keepZ ? 'gs_z[row * u_n() + col] = z;' : ''}
  gs_c[row * u_n() + col] = ${fns ? 'act_f(z, col)' : 'z'};
}`;
  const wgsl = o.variant === 'blocked4x4' ? blockedMain(head, o.transA, o.transB, vecA, vecB) : tiledMain(head);
  return { name: o.act || o.bias ? 'linear' : 'matmul', wgsl, storage, uniforms: UNIFORMS };
}

/**
 * The 4×4 register-blocked kernel. Each step of the k loop takes a 4×4 piece of op(A)
 * as four vec4 columns (over the block's rows) and a 4×4 piece of op(B) as four vec4
 * rows (over its columns), read with vec4 loads along whichever axis is contiguous.
 */
function blockedMain(head: string, transA: boolean, transB: boolean, vecA: boolean, vecB: boolean): string {
  const t = MATMUL_THREADS.blocked4x4;
  const Q = [0, 1, 2, 3];
  const xyzw = ['x', 'y', 'z', 'w'];
  // Everything is unrolled into named registers: a private array indexed by a loop
  // variable is kept in memory by SwiftShader, which costs more than the arithmetic.
  // a{q} = op(A)[r0..r3, p + q] (a column of the 4×4 piece of A)
  let loadA: string;
  if (vecA && !transA) {
    loadA = Q.map((r) => `let ar${r} = gs_a[(r${r} * u_k() + p) / 4u];`).join('\n    ');
    loadA += '\n    ' + Q.map((q) => `let a${q} = vec4<f32>(ar0.${xyzw[q]}, ar1.${xyzw[q]}, ar2.${xyzw[q]}, ar3.${xyzw[q]});`).join('\n    ');
  } else if (vecA && transA) {
    // row0 is a multiple of 4 and m too: the four rows are one aligned vec4.
    loadA = Q.map((q) => `let a${q} = gs_a[((p + ${q}u) * u_m() + row0) / 4u];`).join('\n    ');
  } else {
    loadA = Q.map((q) => `let a${q} = vec4<f32>(${Q.map((r) => `gs_load_a(r${r}, p + ${q}u)`).join(', ')});`).join('\n    ');
  }
  // b{q} = op(B)[p + q, c0..c3] (a row of the 4×4 piece of B)
  let loadB: string;
  if (vecB && !transB) {
    loadB = Q.map((q) => `let b${q} = gs_b[((p + ${q}u) * u_n() + col0) / 4u];`).join('\n    ');
  } else if (vecB && transB) {
    loadB = Q.map((c) => `let bc${c} = gs_b[(c${c} * u_k() + p) / 4u];`).join('\n    ');
    loadB += '\n    ' + Q.map((q) => `let b${q} = vec4<f32>(bc0.${xyzw[q]}, bc1.${xyzw[q]}, bc2.${xyzw[q]}, bc3.${xyzw[q]});`).join('\n    ');
  } else {
    loadB = Q.map((q) => `let b${q} = vec4<f32>(${Q.map((c) => `gs_load_b(p + ${q}u, c${c})`).join(', ')});`).join('\n    ');
  }
  const update = Q.map((r) => `acc${r} += ${Q.map((q) => `a${q}.${xyzw[r]} * b${q}`).join(' + ')};`).join('\n    ');
  const stores = Q.map((r) => Q.map((c) => `gs_store(row0 + ${r}u, col0 + ${c}u, acc${r}.${xyzw[c]});`).join(' ')).join('\n  ');
  return `${head}
@compute @workgroup_size(${t}, ${t})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  let m = u_m();
  let n = u_n();
  let k = u_k();
  if (row0 >= m || col0 >= n) { return; }
  // Clamped indices keep every load in bounds; their results are never stored.
  let r0 = row0;
  let r1 = min(row0 + 1u, m - 1u);
  let r2 = min(row0 + 2u, m - 1u);
  let r3 = min(row0 + 3u, m - 1u);
  let c0 = col0;
  let c1 = min(col0 + 1u, n - 1u);
  let c2 = min(col0 + 2u, n - 1u);
  let c3 = min(col0 + 3u, n - 1u);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let k4 = k & ~3u;
  var p = 0u;
  for (; p < k4; p += 4u) {
    ${loadA}
    ${loadB}
    ${update}
  }
  // The last k % 4 steps, one at a time.
  for (; p < k; p++) {
    let b = vec4<f32>(gs_load_b(p, c0), gs_load_b(p, c1), gs_load_b(p, c2), gs_load_b(p, c3));
    acc0 += gs_load_a(r0, p) * b;
    acc1 += gs_load_a(r1, p) * b;
    acc2 += gs_load_a(r2, p) * b;
    acc3 += gs_load_a(r3, p) * b;
  }
  ${stores}
}`;
}

function tiledMain(head: string): string {
  const t = MATMUL_THREADS.tiled;
  const span = t * MATMUL_BLOCK; // 64 rows (cols) of C per workgroup
  const loadsPerThread = (span * TILE_K) / (t * t);
  return `${head}
var<workgroup> gs_tile_a: array<f32, ${span * TILE_K}>; // [p][row]
var<workgroup> gs_tile_b: array<f32, ${span * TILE_K}>; // [p][col]
@compute @workgroup_size(${t}, ${t})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) flat: u32) {
  let tileRow0 = wid.y * ${span}u;
  let tileCol0 = wid.x * ${span}u;
  var acc: array<vec4<f32>, 4>;
  let tiles = (u_k() + ${TILE_K - 1}u) / ${TILE_K}u;
  for (var t = 0u; t < tiles; t++) {
    for (var l = 0u; l < ${loadsPerThread}u; l++) {
      let e = flat + l * ${t * t}u;
      let p = e / ${span}u;
      let off = e % ${span}u;
      let gp = t * ${TILE_K}u + p;
      let row = tileRow0 + off;
      let col = tileCol0 + off;
      var av = 0.0;
      if (row < u_m() && gp < u_k()) { av = gs_load_a(row, gp); }
      gs_tile_a[e] = av;
      var bv = 0.0;
      if (col < u_n() && gp < u_k()) { bv = gs_load_b(gp, col); }
      gs_tile_b[e] = bv;
    }
    workgroupBarrier();
    for (var p = 0u; p < ${TILE_K}u; p++) {
      let ab = p * ${span}u + lid.y * 4u;
      let bb = p * ${span}u + lid.x * 4u;
      let a = vec4<f32>(gs_tile_a[ab], gs_tile_a[ab + 1u], gs_tile_a[ab + 2u], gs_tile_a[ab + 3u]);
      let b = vec4<f32>(gs_tile_b[bb], gs_tile_b[bb + 1u], gs_tile_b[bb + 2u], gs_tile_b[bb + 3u]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  let row0 = tileRow0 + lid.y * 4u;
  let col0 = tileCol0 + lid.x * 4u;
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) { gs_store(row0 + r, col0 + c, acc[r][c]); }
  }
}`;
}
