// The float32 CPU backend's activation loops, generated once per spec (and per variant:
// which inputs the backward has, which parameters are trainable and how they are laid
// out). Each loop is its own function, made with new Function, so every call site in it
// sees one spec's f, f' or ∂f/∂θ only: V8 inlines them into a tight loop, where one loop
// shared by every spec would make a generic call per element (and per parameter index).
//
// What a loop computes is the spec's (engine/activation-spec.ts): cpu.fastF instead of
// cpu.f where the spec has it, and cpu.backward (every parameter's partials for an element
// in one pass) instead of cpu.df and cpu.dparams. Parameter gradients add up in float64.
// A spec with whole-array SIMD forms (cpu.simd: STAF's WebAssembly kernels) runs those
// instead, where the engine has WebAssembly SIMD.
// The float64 backend keeps the reference loops in cpu.ts: the fast ones are tested
// against them for every built-in and user specs, NaN and ±∞ included.

import type { ActivationGradients, ActivationParamLayout, ActivationParamValues, ActivationSimd, ActivationSpec } from '../activation-spec';

type FloatArray = Float32Array | Float64Array;

export type ForwardLoop = (x: FloatArray, out: FloatArray, size: number, channels: number, p: ActivationParamValues) => void;

/** The fused linear epilogue: y = f(z + b) over z [m, n]; z keeps z + b when asked (y may be z itself). */
export type LinearEpilogueLoop = (z: FloatArray, b: FloatArray | null, y: FloatArray, m: number, n: number, p: ActivationParamValues) => void;

/**
 * dx = dy ⊙ f'(x, y), each trainable parameter's ∂L/∂θ added into grads (float64, by
 * name), and, when columnSums is given, Σ over rows of dx per channel (the fused linear
 * layer's bias gradient, summed in float64 in row order like reduce('sum')).
 */
export type BackwardLoop = (
  x: FloatArray | null,
  y: FloatArray | null,
  dy: FloatArray,
  dx: FloatArray,
  size: number,
  channels: number,
  p: ActivationParamValues,
  grads: ActivationGradients,
  columnSums: Float64Array | null,
) => void;

const cache = new WeakMap<ActivationSpec, Map<string, unknown>>();

function cached<T>(spec: ActivationSpec, key: string, make: () => T): T {
  let loops = cache.get(spec);
  if (!loops) cache.set(spec, (loops = new Map()));
  if (!loops.has(key)) loops.set(key, make());
  return loops.get(key) as T;
}

/** The spec's name as part of a JavaScript identifier (the loops' names show in profiles). */
function identifier(spec: ActivationSpec): string {
  return spec.name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Builds a loop from source generated here (never from user text): the spec's functions
 * come in as arguments, so each generated function has its own call sites.
 */
function build<T>(argumentNames: string[], source: string, args: unknown[]): T {
  return new Function(...argumentNames, `"use strict";\n${source}`)(...args) as T;
}

/** The spec's SIMD forms, made once (null: it has none, or this engine has no WebAssembly SIMD). */
function simdOf(spec: ActivationSpec): ActivationSimd | null {
  return cached(spec, 'simd', () => spec.cpu.simd?.() ?? null);
}

// The loops run on float32 storage only (the float64 backend keeps the reference loops).
const f32 = (a: FloatArray, size: number) => (a as Float32Array).subarray(0, size);

export function forwardLoop(spec: ActivationSpec): ForwardLoop {
  const simd = simdOf(spec);
  if (simd) return cached(spec, 'forward', (): ForwardLoop => (x, out, size, _channels, p) => simd.forward(f32(x, size), f32(out, size), p));
  return cached(spec, 'forward', () =>
    build<ForwardLoop>(['f'], `return function ${identifier(spec)}_forward(x, out, size, channels, p) {
  for (let i = 0, ch = 0; i < size; i++) {
    out[i] = f(x[i], p, ch);
    if (++ch === channels) ch = 0;
  }
};`, [spec.cpu.fastF ?? spec.cpu.f]),
  );
}

export function linearEpilogueLoop(spec: ActivationSpec, hasBias: boolean, keepZ: boolean): LinearEpilogueLoop {
  const simd = simdOf(spec);
  if (simd) {
    // z + b rounded to float32 (kept in z when asked, else in y), then f over the whole array.
    return cached(spec, `linear:${hasBias}:${keepZ}`, (): LinearEpilogueLoop => (z, b, y, m, n, p) => {
      // The bias add fused into the kernel where the rows are whole SIMD groups.
      if (b && simd.linear && n % 4 === 0) return simd.linear(f32(z, m * n), b as Float32Array, f32(y, m * n), m, n, keepZ, p);
      const size = m * n;
      const zb = keepZ ? z : y;
      if (b) for (let row = 0; row < size; row += n) for (let j = 0; j < n; j++) zb[row + j] = z[row + j] + b[j];
      simd.forward(f32(zb, size), f32(y, size), p);
    });
  }
  // z + b is taken in float64 and f sees it unrounded; z keeps it rounded, as the reference.
  const zv = hasBias ? 'z[row + j] + b[j]' : 'z[row + j]';
  return cached(spec, `linear:${hasBias}:${keepZ}`, () =>
    build<LinearEpilogueLoop>(['f'], `return function ${identifier(spec)}_linear(z, b, y, m, n, p) {
  const size = m * n;
  for (let row = 0; row < size; row += n) {
    for (let j = 0; j < n; j++) {
      const zv = ${zv};
      ${keepZ ? 'z[row + j] = zv;' : ''}
      y[row + j] = f(zv, p, j);
    }
  }
};`, [spec.cpu.fastF ?? spec.cpu.f]),
  );
}

/** How a trainable parameter's gradient gathers: one value, one per channel, or a vector every element reaches. */
function gradientKind(p: ActivationParamLayout): 'scalar' | 'channel' | 'vector' {
  if (p.length === 1) return 'scalar';
  return p.perChannel ? 'channel' : 'vector';
}

export function backwardLoop(
  spec: ActivationSpec,
  layout: readonly ActivationParamLayout[],
  hasX: boolean,
  hasY: boolean,
  withColumnSums: boolean,
): BackwardLoop {
  const trainable = layout.filter((p) => p.trainable);
  const simd = simdOf(spec);
  // What f′ reads, when the forward kept it.
  const input = spec.derivativeUses === 'output' ? (hasY ? 'y' : null) : hasX ? 'x' : null;
  if (simd?.backwardWithSums && withColumnSums && input && trainable.length === 0) {
    // The fused layer's backward and its bias gradient in one kernel, where the rows are
    // whole SIMD groups (the loops below otherwise).
    const otherwise = backwardLoopWithout(spec, layout, hasX, hasY, simd, true);
    return cached(spec, `backward:simd-sums:${hasX}:${hasY}`, (): BackwardLoop => (x, y, dy, dx, size, channels, p, grads, columnSums) => {
      if (channels % 4 !== 0 || size % channels !== 0) return otherwise(x, y, dy, dx, size, channels, p, grads, columnSums);
      const kept = input === 'y' ? y! : x!;
      simd.backwardWithSums!(f32(kept, size), f32(dy, size), f32(dx, size), size / channels, channels, p, columnSums!);
    });
  }
  return backwardLoopWithout(spec, layout, hasX, hasY, simd, withColumnSums);
}

/** The backward loop without the fused-sums kernel: the spec's whole-array form, or one generated per spec. */
function backwardLoopWithout(
  spec: ActivationSpec,
  layout: readonly ActivationParamLayout[],
  hasX: boolean,
  hasY: boolean,
  simd: ActivationSimd | null,
  withColumnSums: boolean,
): BackwardLoop {
  const trainable = layout.filter((p) => p.trainable);
  if (simd && hasX && !layout.some((p) => p.perChannel)) {
    return cached(spec, `backward:simd:${withColumnSums}`, (): BackwardLoop => (x, _y, dy, dx, size, channels, p, grads, columnSums) => {
      simd.backward(f32(x!, size), f32(dy, size), f32(dx, size), p, grads);
      if (columnSums) {
        for (let i = 0, ch = 0; i < size; i++) {
          columnSums[ch] += dx[i];
          if (++ch === channels) ch = 0;
        }
      }
    });
  }
  const hook = spec.cpu.backward;
  const kinds = trainable.map((p) => `${p.name}:${hook ? 'hook' : gradientKind(p)}`).join(',');
  return cached(spec, `backward:${hasX}:${hasY}:${withColumnSums}:${kinds}`, () => {
    for (const p of trainable) {
      if (!hook && !spec.cpu.dparams?.[p.name]) {
        throw new Error(`activation '${spec.name}': trainable parameter '${p.name}' has no cpu.dparams rule`);
      }
    }
    // y recomputed from x only when the forward did not keep it and a derivative reads it.
    const readsY = spec.derivativeReadsOutput !== false;
    const y = hasY ? 'y[i]' : readsY ? 'f(xv, p, ch)' : 'NaN';
    const lines: string[] = [];
    const before: string[] = [];
    const after: string[] = [];
    if (hook) {
      lines.push('const v = d * hook(xv, yv, d, p, ch, grads);');
    } else {
      lines.push('const v = d * df(xv, yv, p, ch);');
      trainable.forEach((param, k) => {
        const rule = `dp[${k}]`;
        before.push(`const rule${k} = ${rule};`);
        const kind = gradientKind(param);
        if (kind === 'scalar') {
          before.push(`let sum${k} = 0;`);
          lines.push(`sum${k} += d * rule${k}(xv, yv, p, ch, 0);`);
          after.push(`grads[${JSON.stringify(param.name)}][0] += sum${k};`);
        } else if (kind === 'channel') {
          before.push(`const g${k} = grads[${JSON.stringify(param.name)}];`);
          lines.push(`g${k}[ch] += d * rule${k}(xv, yv, p, ch, ch);`);
        } else {
          before.push(`const g${k} = grads[${JSON.stringify(param.name)}];`);
          lines.push(`for (let j = 0; j < g${k}.length; j++) g${k}[j] += d * rule${k}(xv, yv, p, ch, j);`);
        }
      });
    }
    lines.push('dx[i] = v;');
    if (withColumnSums) lines.push('columnSums[ch] += dx[i];');
    const source = `return function ${identifier(spec)}_backward(x, y, dy, dx, size, channels, p, grads, columnSums) {
  ${before.join('\n  ')}
  for (let i = 0, ch = 0; i < size; i++) {
    const xv = ${hasX ? 'x[i]' : 'NaN'};
    const yv = ${y};
    const d = dy[i];
    ${lines.join('\n    ')}
    if (++ch === channels) ch = 0;
  }
  ${after.join('\n  ')}
};`;
    const dp = trainable.map((p) => spec.cpu.dparams?.[p.name]);
    return build<BackwardLoop>(['f', 'df', 'dp', 'hook'], source, [spec.cpu.f, spec.cpu.df, dp, hook]);
  });
}
