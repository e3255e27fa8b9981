// Activation modules. An elementwise activation is its spec plus parameter tensors
// (trainable ones are module parameters); gs.activation(name, params) makes one.
// Softmax is not elementwise and is its own module.

import { tensor } from '../engine/creation';
import { activation as activationOp, softmax, type ActivationInstance } from '../engine/ops';
import { defaultParamValues, paramLayout, type ActivationParamLayout, type ActivationSpec } from '../engine/activation-spec';
import { lookupActivation, normalizeActivationName } from '../engine/activation-registry';
import type { Tensor } from '../engine/tensor';
import { Module } from './module';

export interface ActivationOptions {
  /** Parameter values by name: a number, or an array for vector/per-channel parameters. */
  [param: string]: number | readonly number[] | undefined;
  /** Number of channels for per-channel parameters (PReLU(num_parameters=C)). */
  channels?: number;
}

export class Activation extends Module {
  readonly spec: ActivationSpec;
  readonly layout: readonly ActivationParamLayout[];
  private readonly paramTensors: Tensor[];

  constructor(spec: ActivationSpec, options: ActivationOptions = {}) {
    super();
    this.spec = spec;
    const { channels, ...values } = options;
    const known = new Set((spec.params ?? []).map((p) => p.name));
    for (const key of Object.keys(values)) {
      if (!known.has(key)) {
        throw new Error(`activation '${spec.name}': unknown parameter '${key}' (valid: ${[...known].join(', ') || 'none'})`);
      }
    }
    this.layout = paramLayout(spec, channels);
    this.paramTensors = (spec.params ?? []).map((p, i) => {
      const length = this.layout[i].length;
      const given = values[p.name];
      const v = given === undefined ? defaultParamValues(p, length) : typeof given === 'number' ? new Array(length).fill(given) : [...given];
      if (v.length !== length) {
        throw new Error(`activation '${spec.name}': parameter '${p.name}' needs ${length} values, got ${v.length}`);
      }
      if (v.some((x) => typeof x !== 'number' || Number.isNaN(x))) {
        throw new Error(`activation '${spec.name}': parameter '${p.name}' must be numbers, got ${JSON.stringify(given)}`);
      }
      const t = tensor(Float32Array.from(v), { shape: [length] });
      t.name = p.name;
      return p.trainable ? this.registerParameter(p.name, t) : t;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  /** What ops.activation and the fused linear kernel need. */
  get instance(): ActivationInstance {
    return { spec: this.spec, layout: this.layout, params: this.paramTensors };
  }

  /** Every parameter tensor (trainable or fixed), in spec order. */
  get paramValues(): readonly Tensor[] {
    return this.paramTensors;
  }

  forward(x: Tensor): Tensor {
    return activationOp(x, this.instance);
  }
}

/** Softmax over an axis as a module (an output activation). */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }

  get name(): string {
    return 'softmax';
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}

/**
 * An activation module by name (PyTorch or Keras spelling), spec, or an existing module.
 * `params` sets parameter values, e.g. activation('leaky_relu', { negative_slope: 0.2 }).
 */
export function activation(nameOrSpec: string | ActivationSpec | Module, params: ActivationOptions = {}): Module {
  if (nameOrSpec instanceof Module) return nameOrSpec;
  if (typeof nameOrSpec === 'string' && normalizeActivationName(nameOrSpec) === 'softmax') {
    const axis = typeof params.axis === 'number' ? params.axis : -1;
    return new Softmax(axis);
  }
  const spec = typeof nameOrSpec === 'string' ? lookupActivation(nameOrSpec) : nameOrSpec;
  return new Activation(spec, params);
}
