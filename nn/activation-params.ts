// What an activation module is made with: from the keys given to gs.activation(name, {...})
// and its spec, the resolved construction options (STAF's terms and init, rational's
// degrees, B-spline's control points), each parameter's length and initial values. A
// count option sizes its vector parameters, and a parameter array given instead sets the
// count: { terms: 25 } and { C: <25 values> } both make a 25-term STAF.

import { defaultParamValues, type ActivationOptionSpec, type ActivationParamLayout, type ActivationSpec } from '../engine/activation-spec';
import { nextAutoSeed, Random } from '../engine/random';

/** What gs.activation takes besides the name: parameter values and construction options, by name. */
export interface ActivationOptions {
  /**
   * Parameter values by name: a number, or an array for vector/per-channel parameters.
   * Words (init: 'normal') are for options that size or initialise an activation; a
   * spec's numeric parameter refuses them.
   */
  [param: string]: number | string | readonly number[] | undefined;
  /** Number of channels for per-channel parameters (PReLU(num_parameters=C)). */
  channels?: number;
  /** Seed of a drawn initialisation (STAF's init: 'normal'); an automatic one when not given. */
  seed?: number;
}

export interface ResolvedActivationParams {
  layout: ActivationParamLayout[];
  /** Initial values, one array per parameter in spec order. */
  values: number[][];
  /** Every construction option, given, inferred from a parameter array, or its default. */
  settings: Record<string, number | string>;
}

export function resolveActivationParams(spec: ActivationSpec, given: ActivationOptions): ResolvedActivationParams {
  const fail = (message: string): never => {
    throw new Error(`activation '${spec.name}': ${message}`);
  };
  const { channels, seed, ...rest } = given;
  const params = spec.params ?? [];
  const options = spec.options ?? [];
  const validKeys = [
    ...params.map((p) => p.name),
    ...options.map((o) => o.name),
    ...(params.some((p) => p.perChannel) ? ['channels'] : []),
    ...(spec.initialValues ? ['seed'] : []),
  ];
  const refuse = (key: string) => fail(`unknown parameter '${key}' (valid: ${validKeys.join(', ') || 'none'})`);
  for (const key of Object.keys(rest)) {
    if (rest[key] !== undefined && !params.some((p) => p.name === key) && !options.some((o) => o.name === key)) refuse(key);
  }
  if (seed !== undefined) {
    if (!spec.initialValues) refuse('seed');
    if (!Number.isFinite(seed)) fail(`seed must be a finite number, got ${String(seed)}`);
  }

  const settings: Record<string, number | string> = {};
  const sizedBy = new Map<string, { option: ActivationOptionSpec; offset: number }>();
  for (const option of options) {
    for (const s of option.sizes ?? []) sizedBy.set(s.param, { option, offset: s.offset ?? 0 });
    settings[option.name] = resolveOption(option, rest, fail);
  }
  for (const p of params) {
    const v = rest[p.name];
    if (typeof v === 'string') fail(`parameter '${p.name}' must be numbers, got ${JSON.stringify(v)}`);
    const scalar = !p.perChannel && (typeof p.default === 'number' || p.default.length === 1) && !sizedBy.has(p.name);
    if (scalar) settings[p.name] = typeof v === 'number' ? v : Array.isArray(v) && v.length === 1 ? v[0] : firstDefault(p.default);
  }

  // The spec's init for these settings, drawn from the module's seed only if it draws.
  let random: Random | undefined;
  const initial = spec.initialValues?.(settings, () => (random ??= new Random(seed ?? nextAutoSeed()))) ?? {};

  const layout: ActivationParamLayout[] = [];
  const values = params.map((p) => {
    const sized = sizedBy.get(p.name);
    const length = p.perChannel && channels !== undefined ? channels : sized ? (settings[sized.option.name] as number) + sized.offset : defaultLength(p.default);
    const v = rest[p.name] as number | readonly number[] | undefined;
    const init = initial[p.name];
    const chosen = v === undefined ? (init ? [...init] : defaultParamValues(p, length)) : typeof v === 'number' ? new Array<number>(length).fill(v) : [...v];
    if (chosen.length !== length) {
      const why = v === undefined ? ' from its init (a bug in the spec)' : '';
      fail(`parameter '${p.name}' needs ${length} values, got ${chosen.length}${why}`);
    }
    if (chosen.some((x) => typeof x !== 'number' || Number.isNaN(x))) fail(`parameter '${p.name}' must be numbers, got ${JSON.stringify(v)}`);
    layout.push({ name: p.name, length, trainable: !!p.trainable, perChannel: !!p.perChannel });
    return chosen;
  });
  return { layout, values, settings };
}

/** An option's value: given (checked), set by a parameter array it sizes, or its default. */
function resolveOption(option: ActivationOptionSpec, given: Record<string, unknown>, fail: (message: string) => never): number | string {
  const v = given[option.name];
  if (v !== undefined) checkOption(option, v, fail);
  let value = v as number | string | undefined;
  for (const s of option.sizes ?? []) {
    const array = given[s.param];
    if (!Array.isArray(array)) continue;
    const count = array.length - (s.offset ?? 0);
    if (value === undefined) {
      value = count;
      if (!(count >= (option.min ?? 0))) {
        fail(`parameter '${s.param}' has ${array.length} values: ${option.name} = ${count} is below its minimum ${option.min}`);
      }
    } else if (value !== count) {
      fail(`parameter '${s.param}' has ${array.length} values, but ${option.name} = ${value} needs ${(value as number) + (s.offset ?? 0)}`);
    }
  }
  return value ?? option.default;
}

function checkOption(option: ActivationOptionSpec, v: unknown, fail: (message: string) => never): void {
  if (option.choices) {
    if (typeof v !== 'string' || !option.choices.includes(v)) {
      fail(`option '${option.name}' must be one of ${option.choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(v)}`);
    }
    return;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`option '${option.name}' must be a number, got ${JSON.stringify(v)}`);
  const n = v as number;
  if (option.integer && !Number.isInteger(n)) fail(`option '${option.name}' must be an integer, got ${n}`);
  if (option.min !== undefined && n < option.min) fail(`option '${option.name}' must be at least ${option.min}, got ${n}`);
}

function defaultLength(d: number | readonly number[]): number {
  return typeof d === 'number' ? 1 : d.length;
}

function firstDefault(d: number | readonly number[]): number {
  return typeof d === 'number' ? d : d[0];
}
