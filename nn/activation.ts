// Activation modules. An elementwise activation is its spec plus parameter tensors
// (trainable ones are module parameters); gs.activation(name, params) makes one.
// Softmax is not elementwise and is its own module; RReLU draws random slopes while
// training and is its own subclass.

import { rand, tensor } from '../engine/creation';
import { activation as activationOp, add, affine, mul, softmax, type ActivationInstance } from '../engine/ops';
import { noGrad } from '../engine/autograd';
import { fromExpression } from '../activations/expression/index';
import { rrelu as rreluSpec } from '../activations/builtin/rrelu';
import type { ActivationParamLayout, ActivationSpec } from '../engine/activation-spec';
import { lookupActivation } from '../engine/activation-registry';
import type { Tensor } from '../engine/tensor';
import { Module } from './module';
import { resolveActivationParams, type ActivationOptions } from './activation-params';

export type { ActivationOptions } from './activation-params';

export class Activation extends Module {
  readonly spec: ActivationSpec;
  readonly layout: readonly ActivationParamLayout[];
  /** The construction options as resolved (STAF: { terms: 25, init: 'normal' }); {} when the spec has none. */
  readonly settings: Readonly<Record<string, number | string>>;
  private readonly paramTensors: Tensor[];
  /** The parameter values the module was made with, by name. */
  protected readonly initialValues: Record<string, number[]> = {};

  constructor(spec: ActivationSpec, options: ActivationOptions = {}) {
    super();
    this.spec = spec;
    const { layout, values, settings } = resolveActivationParams(spec, options);
    this.layout = layout;
    this.settings = settings;
    this.paramTensors = (spec.params ?? []).map((p, i) => {
      this.initialValues[p.name] = values[i];
      const t = tensor(Float32Array.from(values[i]), { shape: [layout[i].length] });
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

  /** True while the activation is not a pure elementwise f, so Sequential must not fuse it into the Linear before it. */
  get unfusable(): boolean {
    return false;
  }

  forward(x: Tensor): Tensor {
    return activationOp(x, this.instance);
  }
}

/**
 * RReLU (Xu et al., 2015). Eval mode: its spec, leaky relu with the mean slope
 * (lower + upper)/2 (fusable). Training mode, as PyTorch's rrelu_with_noise: y = x ⊙ r
 * with r = a where x ≤ 0 and 1 elsewhere (NaN too), a drawn uniformly in [lower, upper]
 * per element, so dy/dx = r: the drawn slope at x = 0 as well (max(x, 0) + a·min(x, 0)
 * would split it at the tie, ½ + ½a). The k-th training forward draws with seed + k:
 * reproducible for a given seed, different from batch to batch.
 */
export class RReLU extends Activation {
  readonly lower: number;
  readonly upper: number;
  readonly seed: number;
  private draws = 0;

  constructor(options: ActivationOptions & { seed?: number } = {}) {
    const { seed, ...params } = options;
    super(rreluSpec, params);
    this.lower = this.paramNumber('lower');
    this.upper = this.paramNumber('upper');
    if (!(this.lower <= this.upper)) {
      throw new Error(`activation 'rrelu': lower (${this.lower}) must not exceed upper (${this.upper})`);
    }
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 31);
  }

  private paramNumber(name: string): number {
    const given = (this.spec.params ?? []).find((p) => p.name === name)!;
    const v = this.initialValues[name];
    return v !== undefined ? v[0] : (given.default as number);
  }

  /** Not while drawing slopes: Sequential fuses an activation into Linear only when it is a pure elementwise f. */
  override get unfusable(): boolean {
    return this.training;
  }

  /** Restart the slope sequence (the next training forward draws with `seed` again). */
  resetDraws(): void {
    this.draws = 0;
  }

  override forward(x: Tensor): Tensor {
    if (!this.training) return super.forward(x);
    const slopes = rand(x.shape, { seed: this.seed + this.draws++, low: this.lower, high: this.upper });
    // r = a + kept·(1 − a), kept = 1 where x is not ≤ 0; no gradient flows into r.
    const noise = noGrad(() => {
      const kept = activationOp(x, KEPT_BY_RRELU);
      const gap = affine(slopes, -1, 1);
      const lifted = mul(kept, gap);
      const r = add(lifted, slopes);
      for (const t of [kept, gap, lifted, slopes]) t.dispose();
      return r;
    });
    return mul(x, noise);
  }
}

/** 1 where RReLU keeps x (not x ≤ 0: NaN too), 0 where it draws a slope. Not registered: RReLU's own. */
const KEPT_BY_RRELU: ActivationInstance = {
  spec: fromExpression({ name: 'rrelu_kept', f: 'where(x <= 0, 0, 1)' }),
  layout: [],
  params: [],
};

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
 * An activation module by name (PyTorch or Keras spelling: 'ReLU', 'relu', 'LeakyReLU',
 * 'leaky_relu', 'GELU', 'SiLU', 'swish', ...), spec, or an existing module.
 * `params` sets parameter values, e.g. activation('leaky_relu', { negative_slope: 0.2 }),
 * and construction options, e.g. activation('staf', { terms: 25, init: 'normal', seed: 7 });
 * also { channels: C } for per-channel parameters (PReLU), { axis } for softmax and
 * { seed } for rrelu and drawn inits. An unknown key is refused with the valid ones.
 */
export function activation(nameOrSpec: string | ActivationSpec | Module, params: ActivationOptions & { axis?: number } = {}): Module {
  if (nameOrSpec instanceof Module) return nameOrSpec;
  const spec = typeof nameOrSpec === 'string' ? lookupActivation(nameOrSpec) : nameOrSpec;
  if (spec.kind === 'output') {
    const { axis, ...rest } = params;
    const unknown = Object.keys(rest).filter((k) => rest[k] !== undefined);
    if (unknown.length > 0) throw new Error(`activation '${spec.name}': unknown parameter '${unknown[0]}' (valid: axis)`);
    return new Softmax(typeof axis === 'number' ? axis : -1);
  }
  const { axis, ...rest } = params;
  if (axis !== undefined) return new Activation(spec, { ...rest, axis });
  if (spec === rreluSpec) return new RReLU(rest);
  return new Activation(spec, rest);
}
