// Making tensors: from nested arrays or typed arrays, constants, ranges and seeded
// random draws. New tensors go to the current backend (setBackend); random values
// are drawn on the host so a seed gives the same tensor on every backend.

import { getBackend } from './backend-registry';
import { Random, nextAutoSeed } from './random';
import { checkShape, formatShape, sizeOf, type Shape } from './shape';
import { Tensor } from './tensor';

export type NestedArray = number | readonly NestedArray[];

export interface TensorOptions {
  shape?: Shape;
  requiresGrad?: boolean;
  name?: string;
}

function flatten(data: NestedArray, op: string): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = (level as readonly NestedArray[])[0];
  }
  const values: number[] = [];
  const walk = (node: NestedArray, depth: number, path: number[]) => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new Error(`${op}: expected a number at [${path.join('][')}], got ${JSON.stringify(node)}`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new Error(
        `${op}: ragged nested array: at [${path.join('][')}] expected ${shape[depth]} items like the first row, got ${
          Array.isArray(node) ? node.length : typeof node
        }`,
      );
    }
    (node as readonly NestedArray[]).forEach((child, i) => walk(child, depth + 1, [...path, i]));
  };
  walk(data, 0, []);
  return { values, shape };
}

/** A tensor from nested arrays, or from a flat typed/plain array with `{ shape }`. */
export function tensor(data: NestedArray | Float32Array | Float64Array | Int32Array | Uint8Array, options: TensorOptions = {}): Tensor {
  let values: ArrayLike<number>;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    values = data as ArrayLike<number>;
    shape = options.shape ? checkShape(options.shape, 'tensor') : [values.length];
  } else if (options.shape && Array.isArray(data) && data.every((v) => typeof v === 'number')) {
    values = data as number[];
    shape = checkShape(options.shape, 'tensor');
  } else {
    const flat = flatten(data as NestedArray, 'tensor');
    values = flat.values;
    shape = options.shape ? checkShape(options.shape, 'tensor') : flat.shape;
  }
  if (sizeOf(shape) !== values.length) {
    throw new Error(`tensor: ${values.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} needed)`);
  }
  const backend = getBackend();
  const t = Tensor.fromStorage(backend, backend.upload(values), shape, !!options.requiresGrad);
  t.name = options.name;
  return t;
}

export function full(shape: Shape, value: number, options: { requiresGrad?: boolean } = {}): Tensor {
  const s = checkShape(shape, 'full');
  const backend = getBackend();
  return Tensor.fromStorage(backend, backend.fill(sizeOf(s), value), s, !!options.requiresGrad);
}

export function zeros(shape: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor): Tensor {
  return Tensor.fromStorage(t.backend, t.backend.fill(t.size, 0), t.shape);
}

export function onesLike(t: Tensor): Tensor {
  return Tensor.fromStorage(t.backend, t.backend.fill(t.size, 1), t.shape);
}

/** [start, start + step, ...) below end; arange(n) is 0..n-1. */
export function arange(startOrEnd: number, end?: number, step = 1): Tensor {
  const start = end === undefined ? 0 : startOrEnd;
  const stop = end === undefined ? startOrEnd : end;
  if (step === 0) throw new Error('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  return tensor(Float32Array.from({ length: n }, (_, i) => start + i * step), { shape: [n] });
}

export interface RandomOptions {
  seed?: number;
  requiresGrad?: boolean;
}

/** Uniform in [low, high) (default [0, 1)), seeded. */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const s = checkShape(shape, 'rand');
  const rng = new Random(options.seed ?? nextAutoSeed());
  const { low = 0, high = 1 } = options;
  const values = new Float32Array(sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * rng.uniform();
  return tensor(values, { shape: s, requiresGrad: options.requiresGrad });
}

/** Normal with mean and std (default 0 and 1), seeded. */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const s = checkShape(shape, 'randn');
  const rng = new Random(options.seed ?? nextAutoSeed());
  const { mean = 0, std = 1 } = options;
  const values = new Float32Array(sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = mean + std * rng.normal();
  return tensor(values, { shape: s, requiresGrad: options.requiresGrad });
}
