// The activation spec: ONE declarative object per activation function. From it the
// engine builds every path: the CPU loops, the fused WGSL forward/backward kernels,
// the gradient check, the plots and the docs. Built-ins live in activations/builtin/,
// user activations arrive through gs.activations.register() with the same type.

/** Parameter values handed to the CPU functions: one array per parameter, by name. */
export type ActivationParamValues = Record<string, ArrayLike<number>>;

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
   * Points where f is not differentiable (kinks, jumps): gradient checks skip a small
   * neighbourhood around them. Values may depend on the parameters.
   */
  kinks?: (p: ActivationParamValues) => number[];
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
