// Module: the base of layers and models, with PyTorch's parameter naming
// ('0.weight', '2.bias', ...) so state dicts move between gradscope and torch.

import { keep } from '../engine/memory';
import { formatShape, sameShape, sizeOf } from '../engine/shape';
import { Tensor } from '../engine/tensor';
import type { NestedArray } from '../engine/creation';

export type StateValue = Tensor | Float32Array | Float64Array | NestedArray;

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

  /** [name, parameter] pairs with PyTorch names, in registration order: the live tensors. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.ownParameters) out.push([prefix + name, t]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** name → parameter tensor (the live tensors, not copies). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Load values by PyTorch name. Every key, value and shape is checked first; on any
   * problem nothing is changed and the error names the key. Values are copied into
   * the existing parameters, so optimizers keep working on them.
   */
  loadStateDict(state: Record<string, StateValue>): void {
    const params = new Map(this.namedParameters());
    const missing = [...params.keys()].filter((k) => !(k in state));
    const extra = Object.keys(state).filter((k) => !params.has(k));
    if (missing.length) throw new Error(`loadStateDict: missing key${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')}`);
    if (extra.length) throw new Error(`loadStateDict: unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (expected: ${[...params.keys()].join(', ')})`);
    const staged: [Tensor, Tensor | ArrayLike<number>][] = [];
    for (const [key, param] of params) {
      const value = state[key];
      if (value instanceof Tensor) {
        if (!sameShape(value.shape, param.shape)) {
          throw new Error(`loadStateDict: '${key}' has shape ${formatShape(value.shape)}, expected ${formatShape(param.shape)}`);
        }
        if (value.backend !== param.backend) throw new Error(`loadStateDict: '${key}' lives on backend '${value.backend.name}', the model on '${param.backend.name}'`);
        staged.push([param, value]);
      } else {
        const { values, shape } = flattenValue(value, key);
        if (shape ? !sameShape(shape, param.shape) : values.length !== param.size) {
          throw new Error(
            `loadStateDict: '${key}' has ${shape ? `shape ${formatShape(shape)}` : `${values.length} values`}, expected ${formatShape(param.shape)} (${sizeOf(param.shape)} values)`,
          );
        }
        staged.push([param, values]);
      }
    }
    for (const [param, value] of staged) {
      // Loading a model's own stateDict back is a no-op (WebGPU cannot copy a buffer onto itself).
      if (value instanceof Tensor && value.storage === param.storage) continue;
      if (value instanceof Tensor) param.backend.assign(param.storage, value.storage, param.size);
      else {
        const upload = param.backend.upload(value);
        param.backend.assign(param.storage, upload, param.size);
        param.backend.release(upload);
      }
    }
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

function flattenValue(value: StateValue, key: string): { values: ArrayLike<number>; shape: number[] | null } {
  if (ArrayBuffer.isView(value)) return { values: value as Float32Array, shape: null };
  if (typeof value === 'number') return { values: [value], shape: [] };
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const values = (value as unknown[]).flat(Infinity) as unknown[];
  if (values.length !== sizeOf(shape) || values.some((v) => typeof v !== 'number' || Number.isNaN(v as number) && false)) {
    throw new Error(`loadStateDict: '${key}' is not a rectangular array of numbers`);
  }
  return { values: values as number[], shape };
}
