// The activation spec: ONE declarative object per activation function. From it the
// engine builds every path: the CPU loops, the fused WGSL forward/backward kernels,
// the gradient check, the plots and the docs. Built-ins live in activations/builtin/,
// user activations arrive through gs.activations.register() with the same type.

import type { Random } from './random';

/** Parameter values handed to the CPU functions: one array per parameter, by name. */
export type ActivationParamValues = Record<string, ArrayLike<number>>;

/** Gradient accumulators handed to ActivationCpu.backward: one float64 array per trainable parameter, by name. */
export type ActivationGradients = Record<string, Float64Array>;

/**
 * An option that sizes or initialises an activation when its module is made, besides its
 * parameter values: a count (STAF's `terms`, rational's degrees, B-spline's control
 * points) or a word (STAF's `init: 'normal'`). gs.activation(name, { terms: 25 }).
 */
export interface ActivationOptionSpec {
  name: string;
  /** A number (a count when `integer`) or a word (one of `choices`). */
  default: number | string;
  /** The words a word option accepts. */
  choices?: readonly string[];
  /** A count: an integer at least `min`. */
  integer?: boolean;
  min?: number;
  /**
   * The vector parameters whose length this count sets: length = count + offset (a
   * rational numerator of degree d has d + 1 coefficients). A parameter array given at
   * construction sets the count in turn.
   */
  sizes?: readonly { param: string; offset?: number }[];
  description?: string;
}

/** The resolved construction options of one activation instance, by name. */
export type ActivationSettings = Readonly<Record<string, number | string>>;

export interface ActivationParamSpec {
  /** Identifier used in both languages: `p.alpha[i]` in TypeScript, `p_alpha(i)` in WGSL. */
  name: string;
  /** Default value: a number (a scalar parameter) or an array (a vector, e.g. STAF's Cᵢ). */
  default: number | readonly number[];
  /** Trainable parameters get a gradient and appear in module.parameters(). */
  trainable?: boolean;
  /**
   * One value per channel (the last axis), like PReLU(num_parameters=C). The length is
   * chosen when the module is made (`{ channels: C }`); without it one value is shared.
   * The derivative function is then evaluated with i = the element's channel.
   * With a single shared value the spec still reads it by channel: in TypeScript use
   * channelValue(p.NAME, ch); in WGSL `p_NAME(ch)` returns the one value for any ch
   * (the generated accessor maps every index into the parameter's length).
   */
  perChannel?: boolean;
  description?: string;
}

export interface ActivationCpu {
  /** f(x). `ch` is the element's channel (index along the last axis). */
  f(x: number, p: ActivationParamValues, ch: number): number;
  /** f'(x); `y` = f(x) is given too, for derivatives cheaper in terms of the output. */
  df(x: number, y: number, p: ActivationParamValues, ch: number): number;
  /** ∂f/∂param[i] for each trainable parameter, by name. */
  dparams?: Record<string, (x: number, y: number, p: ActivationParamValues, ch: number, i: number) => number>;
  // f, df and dparams are the reference: the float64 backend and every gradient check run
  // them as written. The optional forms below are for the float32 backend's loops
  // (engine/backends/cpu-activations.ts), where an element's result is stored as float32
  // anyway: each must agree with the reference within float32 rounding (tested for
  // every built-in, NaN and ±∞ included).
  /**
   * f in a faster form: STAF's float32-accurate polynomial sine instead of Math.sin.
   */
  fastF?(x: number, p: ActivationParamValues, ch: number): number;
  /**
   * One element's whole backward in one pass: returns f'(x) and adds dy·∂f/∂θ[j] to
   * grads.NAME[j] for every trainable parameter θ and index j the element reaches. For
   * specs whose partials share work: each STAF term's sine and cosine serve f', ∂f/∂C,
   * ∂f/∂Ω and ∂f/∂Φ; rational's P, Q and powers of |x| serve every coefficient.
   */
  backward?(x: number, y: number, dy: number, p: ActivationParamValues, ch: number, grads: ActivationGradients): number;
  /**
   * Whole-array forms, for a spec whose elements are heavy enough for SIMD to pay and that
   * has no per-channel parameter (STAF: WebAssembly SIMD, four elements per instruction).
   * Made once, on first use; null where the engine lacks what they need (no WebAssembly
   * SIMD): the per-element loops run then.
   */
  simd?: () => ActivationSimd | null;
}

/** An activation's whole-array CPU forms on float32 arrays (ActivationCpu.simd). */
export interface ActivationSimd {
  /** out = f(x), element by element; out may be x itself. */
  forward(x: Float32Array, out: Float32Array, p: ActivationParamValues): void;
  /** dx = dy ⊙ f'(x), and dy·∂f/∂θ summed over the elements added into grads.NAME for each trainable θ. */
  backward(x: Float32Array, dy: Float32Array, dx: Float32Array, p: ActivationParamValues, grads: ActivationGradients): void;
  /**
   * The fused linear layer's epilogue in one pass, over z [rows, n] with n a multiple of
   * 4: y = f(z + b); z keeps z + b (rounded to float32) when keepZ. y may be z. Within
   * float32 rounding of f(z + b) like every fast form.
   */
  linear?(z: Float32Array, b: Float32Array, y: Float32Array, rows: number, n: number, keepZ: boolean, p: ActivationParamValues): void;
  /**
   * For a spec without trainable parameters: dx = dy ⊙ f′ over [rows, n] (n a multiple
   * of 4) read from `input` — x, or y where derivativeUses is 'output' — and Σ over rows
   * of dx added into columnSums (float64, row by row: the fused layer's bias gradient).
   */
  backwardWithSums?(input: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, n: number, p: ActivationParamValues, columnSums: Float64Array): void;
}

export interface ActivationWgsl {
  /** Extra WGSL functions the bodies below may call (names must be unique to this spec). */
  helpers?: string;
  /** Body of `fn(x: f32, ch: u32) -> f32`. Parameters are read as `p_NAME(i)`. */
  f: string;
  /** Body of `fn(x: f32, y: f32, ch: u32) -> f32`. */
  df: string;
  /** Body of `fn(x: f32, y: f32, ch: u32, i: u32) -> f32` for each trainable parameter. */
  dparams?: Record<string, string>;
}

export interface ActivationSpec {
  name: string;
  /**
   * 'elementwise' (default): y = f(x) per element, run by ops.activation and fused into
   * Linear. 'output': not elementwise (softmax); listed by gs.activations.names() for
   * discovery, made by gs.activation(name) as its own module; its cpu/wgsl functions
   * only explain that. Analysis and plots should skip kind 'output'.
   */
  kind?: 'elementwise' | 'output';
  aliases?: readonly string[];
  /** Display formula, e.g. 'max(0, x)'. */
  formula: string;
  /** Paper or origin, for the docs. */
  reference?: string;
  /** The choice made at kinks and other subtle points, e.g. "relu'(0) = 0 as PyTorch". */
  convention?: string;
  /**
   * Why f′ and ∂f/∂param are written by hand in both languages instead of derived from a
   * formula (gs.activations.fromExpression): numerical stability, speed (f′ from the
   * output, so the forward keeps nothing extra), a convention at a kink or at NaN that a
   * derivative rule would not give, or vector parameters. The built-ins all say.
   */
  handWritten?: string;
  /** Plotting range, also the gradient-check grid for user activations. */
  range: readonly [number, number];
  params?: readonly ActivationParamSpec[];
  /**
   * Which value f' needs: 'input' (Z, the pre-activation: the forward keeps it) or
   * 'output' (Y: nothing extra is kept). Default 'input'.
   */
  derivativeUses?: 'input' | 'output';
  /**
   * With derivativeUses 'input': false when f', ∂f/∂θ and cpu.backward never read y, so
   * the CPU backward need not recompute y = f(x) (STAF: τ sines per element). Default true.
   */
  derivativeReadsOutput?: boolean;
  /**
   * Points where f is not differentiable (kinks, jumps): gradient checks skip a small
   * neighbourhood around them. Values may depend on the parameters.
   */
  kinks?: (p: ActivationParamValues) => number[];
  /** Options that size or initialise the parameters at construction (see ActivationOptionSpec). */
  options?: readonly ActivationOptionSpec[];
  /**
   * Initial parameter values for the given settings: every option resolved (given,
   * inferred from a given array, or its default) and every scalar parameter's value
   * (given or default), by name. Parameters it leaves out take their defaults. `random()`
   * is the generator seeded by the module's seed (gs.activation(name, { seed })), made on
   * the first call: an init that draws nothing consumes no automatic seed.
   */
  initialValues?(settings: ActivationSettings, random: () => Random): Record<string, readonly number[]>;
  cpu: ActivationCpu;
  wgsl: ActivationWgsl;
}

/** The resolved parameter layout of one activation instance. */
export interface ActivationParamLayout {
  name: string;
  length: number;
  trainable: boolean;
  perChannel: boolean;
}

export function paramLayout(spec: ActivationSpec, channels?: number): ActivationParamLayout[] {
  return (spec.params ?? []).map((p) => {
    const base = typeof p.default === 'number' ? 1 : p.default.length;
    const length = p.perChannel && channels !== undefined ? channels : base;
    return { name: p.name, length, trainable: !!p.trainable, perChannel: !!p.perChannel };
  });
}

/** Default values of a parameter as an array of `length` values. */
export function defaultParamValues(p: ActivationParamSpec, length: number): number[] {
  if (typeof p.default === 'number') return new Array<number>(length).fill(p.default);
  if (p.default.length === length) return [...p.default];
  if (p.default.length === 1) return new Array<number>(length).fill(p.default[0]);
  throw new Error(`activation parameter '${p.name}': default has ${p.default.length} values, ${length} needed`);
}

/** A per-channel parameter's value for channel ch (its one value when it is shared). */
export function channelValue(values: ArrayLike<number>, ch: number): number {
  return values.length === 1 ? values[0] : values[ch];
}
