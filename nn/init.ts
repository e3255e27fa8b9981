// Weight initializers by name, seeded and drawn on the host (the same seed gives the
// same weights on every backend). 'pytorch_default' is what torch.nn.Linear does.

import { Random } from '../engine/random';

export interface InitContext {
  fanIn: number;
  fanOut: number;
  /** 'weight' or 'bias': pytorch_default treats them differently. */
  kind: 'weight' | 'bias';
}

export type Initializer = (values: Float32Array, shape: readonly number[], ctx: InitContext, rng: Random) => void;

const initializers = new Map<string, Initializer>();

export function registerInitializer(name: string, init: Initializer): void {
  initializers.set(name, init);
}

export function initializerNames(): string[] {
  return [...initializers.keys()];
}

export function getInitializer(name: string): Initializer {
  const init = initializers.get(name);
  if (!init) throw new Error(`unknown initializer '${name}' (valid: ${initializerNames().join(', ')})`);
  return init;
}

/** Draw `shape` values with the named initializer. */
export function initValues(name: string, shape: readonly number[], ctx: InitContext, seed: number): Float32Array {
  const init = getInitializer(name);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  init(values, shape, ctx, new Random(seed));
  return values;
}

function uniform(values: Float32Array, bound: number, rng: Random): void {
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.uniform() - 1) * bound;
}

// torch.nn.Linear.reset_parameters: kaiming_uniform_(a=√5) gives bound = 1/√fan_in
// for the weight (gain √(2/(1+5)) · √(3/fan_in)); the bias is U(±1/√fan_in).
registerInitializer('pytorch_default', (values, _shape, ctx, rng) => {
  uniform(values, ctx.fanIn > 0 ? 1 / Math.sqrt(ctx.fanIn) : 0, rng);
});

registerInitializer('zeros', (values) => values.fill(0));
registerInitializer('ones', (values) => values.fill(1));
