// Module: the base of layers and models, with PyTorch's parameter naming
// ('0.weight', '2.bias', ...) so state dicts move between gradscope and torch.

import { keep } from '../engine/memory';
import { formatShape, sameShape, sizeOf } from '../engine/shape';
import { Tensor } from '../engine/tensor';
import * as untracked from '../engine/untracked';
import type { NestedArray } from '../engine/creation';
import { entriesOf, nameMap } from './name-map';

/** A tensor's values with their shape: what gs.io.loadSafetensors gives per name. */
export interface ShapedValue {
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

export type StateValue = Tensor | ShapedValue | Float32Array | Float64Array | NestedArray;

/** name → value, as an object or a Map. */
export type StateDict = Record<string, StateValue> | ReadonlyMap<string, StateValue>;

export abstract class Module {
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Same as forward, for symmetry with PyTorch's module(x). */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    keep(t);
    this.ownParameters.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Direct sub-modules, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /**
   * [name, parameter] pairs with PyTorch names, in registration order: the live tensors.
   * A parameter reached twice (a module shared by several layers) is listed once, under
   * its first name, as torch's named_parameters(): an optimizer must update it once.
   */
  namedParameters(prefix = ''): [string, Tensor][] {
    const seen = new Set<Tensor>();
    return this.allNamedParameters(prefix).filter(([, t]) => !seen.has(t) && seen.add(t));
  }

  private allNamedParameters(prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.ownParameters) out.push([prefix + name, t]);
    for (const [name, child] of this.children) out.push(...child.allNamedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** name → parameter tensor (the live tensors, not copies), in an object without a prototype (see name-map.ts). */
  stateDict(): Record<string, Tensor> {
    return nameMap(this.namedParameters());
  }

  /**
   * Load values by PyTorch name: Tensors, what gs.io.loadSafetensors returns ({ shape,
   * data }), typed arrays or nested arrays. Every key, value and shape is checked first
   * (a shape whenever the value has one: a [6, 4] never goes into a [4, 6]); on any
   * problem nothing is changed and the error names the key. Values are copied into the
   * existing parameters, so optimizers keep working on them.
   */
  loadStateDict(state: StateDict): void {
    this.stageStateDict(state)();
  }

  /**
   * Every check of loadStateDict, changing nothing; returns the copy that loads the
   * values. A checkpoint checks the model, the optimizer and the loader before it
   * changes any of them.
   */
  stageStateDict(state: StateDict): () => void {
    if (!state || typeof state !== 'object') throw new Error(`loadStateDict: expected an object or a Map of name → value, got ${String(state)}`);
    const given = new Map(entriesOf(state));
    const params = new Map(this.namedParameters());
    const missing = [...params.keys()].filter((k) => !given.has(k));
    const extra = [...given.keys()].filter((k) => !params.has(k));
    if (missing.length) throw new Error(`loadStateDict: missing key${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')}`);
    if (extra.length) throw new Error(`loadStateDict: unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (expected: ${[...params.keys()].join(', ')})`);
    const staged: [Tensor, Tensor | ArrayLike<number>][] = [];
    for (const [key, param] of params) {
      const value = given.get(key)!;
      if (value instanceof Tensor) {
        if (!sameShape(value.shape, param.shape)) {
          throw new Error(`loadStateDict: '${key}' has shape ${formatShape(value.shape)}, expected ${formatShape(param.shape)}`);
        }
        if (value.backend !== param.backend) throw new Error(`loadStateDict: '${key}' lives on backend '${value.backend.name}', the model on '${param.backend.name}'`);
        staged.push([param, value]);
      } else {
        const { values, shape } = flattenValue(value, key);
        if (shape && !sameShape(shape, param.shape)) {
          throw new Error(`loadStateDict: '${key}' has shape ${formatShape(shape)}, expected ${formatShape(param.shape)}`);
        }
        if (!shape && values.length !== param.size) {
          throw new Error(`loadStateDict: '${key}' has ${values.length} values, expected ${formatShape(param.shape)} (${param.size} values)`);
        }
        staged.push([param, values]);
      }
    }
    return () => {
      for (const [param, value] of staged) {
        // Loading a model's own stateDict back is a no-op (WebGPU cannot copy a buffer onto itself).
        if (value instanceof Tensor && value.storage === param.storage) continue;
        untracked.assign(param, value);
      }
    };
  }

  /** Training mode (rrelu samples slopes, ...) for this module and its children. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drop every parameter's gradient (PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Release every parameter's storage. The module cannot be used afterwards. */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
  }
}

/** A value's numbers, row-major, and its shape when the value says it (a typed array does not). */
function flattenValue(value: Exclude<StateValue, Tensor>, key: string): { values: ArrayLike<number>; shape: readonly number[] | null } {
  if (value instanceof Float32Array || value instanceof Float64Array) return { values: value, shape: null };
  if (typeof value === 'number') return { values: [value], shape: [] };
  if (isShapedValue(value)) {
    const { shape, data } = value;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`loadStateDict: '${key}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new Error(`loadStateDict: '${key}'.data must be a Float32Array or a Float64Array`);
    if (data.length !== sizeOf(shape)) throw new Error(`loadStateDict: '${key}' holds ${data.length} values, but its shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
    return { values: data, shape };
  }
  if (!Array.isArray(value)) {
    const got = value === null ? 'null' : typeof value === 'object' ? 'an object without shape and data' : `a ${typeof value}`;
    throw new Error(`loadStateDict: '${key}' is ${got}: expected a Tensor, { shape, data }, a Float32Array or nested arrays of numbers`);
  }
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const values = (value as unknown[]).flat(Infinity) as unknown[];
  if (values.length !== sizeOf(shape) || values.some((v) => typeof v !== 'number')) {
    throw new Error(`loadStateDict: '${key}' is not a rectangular array of numbers`);
  }
  return { values: values as number[], shape };
}

function isShapedValue(value: unknown): value is ShapedValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'shape' in value && 'data' in value;
}
