// The functions a formula may call: for each, its float64 value (what the CPU path and
// the simplifier compute), its derivative rule next to it, and the callee that the
// JavaScript and WGSL emitters write. The WGSL callees are helpers (wgsl-helpers.ts)
// because the raw built-ins are not trustworthy at the extremes: on SwiftShader log(0)
// is -88, exp(NaN) is +inf, tanh(100) is NaN and max() drops NaN.

import { channelValue } from '../../engine/activation-spec';
import { erf, sigmoid, softplus } from '../builtin/math';
import { add, call, compare, constant, div, mul, neg, num, pow, sub, where, type Expr } from './ast';

export interface FunctionRule {
  arity: number;
  /** The float64 value: the reference semantics, NaN and infinities as PyTorch. */
  evaluate: (...args: number[]) => number;
  /**
   * The derivative of the call, from its arguments and their derivatives (with respect
   * to the same variable). Unary rules are f'(a)·a' (see chain()).
   */
  derivative: (args: Expr[], d: Expr[]) => Expr;
  /** The callee in the emitted JavaScript (`Math.exp`, or `lib.NAME` from runtimeLibrary). */
  js: string;
  /** The callee in the emitted WGSL: a helper from wgsl-helpers.ts, or a safe built-in. */
  wgsl: string;
}

/** A unary rule f'(a)·a'. */
const chain = (slope: (a: Expr) => Expr) => (args: Expr[], d: Expr[]) => mul(slope(args[0]), d[0]);

/** d max(a, b) as torch.maximum: a' where a wins, b' where b wins, the mean at a tie. */
const pick = (aWins: '>' | '<') => (args: Expr[], d: Expr[]) => {
  const [a, b] = args;
  const bWins = aWins === '>' ? '<' : '>';
  return where(compare(aWins, a, b), d[0], where(compare(bWins, a, b), d[1], div(add(d[0], d[1]), num(2))));
};

export type FunctionName =
  | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'abs' | 'sign' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'softplus' | 'erf' | 'min' | 'max';

export const FUNCTIONS: Readonly<Record<FunctionName, FunctionRule>> = {
  exp: { arity: 1, evaluate: Math.exp, derivative: chain((a) => call('exp', a)), js: 'Math.exp', wgsl: 'gsx_exp' },
  log: { arity: 1, evaluate: Math.log, derivative: chain((a) => div(num(1), a)), js: 'Math.log', wgsl: 'gsx_log' },
  log1p: { arity: 1, evaluate: Math.log1p, derivative: chain((a) => div(num(1), add(num(1), a))), js: 'Math.log1p', wgsl: 'gsx_log1p' },
  expm1: { arity: 1, evaluate: Math.expm1, derivative: chain((a) => call('exp', a)), js: 'Math.expm1', wgsl: 'gsx_expm1' },
  // sqrt'(0) = +inf, as PyTorch.
  sqrt: { arity: 1, evaluate: Math.sqrt, derivative: chain((a) => div(num(1), mul(num(2), call('sqrt', a)))), js: 'Math.sqrt', wgsl: 'gsx_sqrt' },
  // abs'(0) = sign(0) = 0, as PyTorch.
  abs: { arity: 1, evaluate: Math.abs, derivative: chain((a) => call('sign', a)), js: 'Math.abs', wgsl: 'abs' },
  // Not in the issue's list: abs' needs it, and every printed derivative must parse back.
  sign: { arity: 1, evaluate: Math.sign, derivative: () => num(0), js: 'Math.sign', wgsl: 'gsx_sign' },
  sin: { arity: 1, evaluate: Math.sin, derivative: chain((a) => call('cos', a)), js: 'Math.sin', wgsl: 'gsx_sin' },
  cos: { arity: 1, evaluate: Math.cos, derivative: chain((a) => neg(call('sin', a))), js: 'Math.cos', wgsl: 'gsx_cos' },
  tanh: { arity: 1, evaluate: Math.tanh, derivative: chain((a) => sub(num(1), pow(call('tanh', a), num(2)))), js: 'Math.tanh', wgsl: 'gsx_tanh' },
  sigmoid: {
    arity: 1,
    evaluate: sigmoid,
    // σ(a)·σ(−a) rather than σ(a)·(1 − σ(a)): in float32 1 − σ(20) is 0, σ(−20) is 2.1e-9.
    derivative: chain((a) => mul(call('sigmoid', a), call('sigmoid', neg(a)))),
    js: 'lib.sigmoid',
    wgsl: 'gsx_sigmoid',
  },
  softplus: { arity: 1, evaluate: softplus, derivative: chain((a) => call('sigmoid', a)), js: 'lib.softplus', wgsl: 'gsx_softplus' },
  erf: {
    arity: 1,
    evaluate: erf,
    derivative: chain((a) => mul(div(num(2), call('sqrt', constant('pi'))), call('exp', neg(pow(a, num(2)))))),
    js: 'lib.erf',
    wgsl: 'gsx_erf',
  },
  min: { arity: 2, evaluate: Math.min, derivative: pick('<'), js: 'Math.min', wgsl: 'gsx_min' },
  max: { arity: 2, evaluate: Math.max, derivative: pick('>'), js: 'Math.max', wgsl: 'gsx_max' },
};

export function isFunctionName(name: string): name is FunctionName {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

/**
 * a^b as torch.pow (C's pow): anything^0 = 1 and 1^anything = 1, even NaN, and
 * (-1)^±inf = 1, where JavaScript's Math.pow gives NaN for the last two.
 */
export function powValue(a: number, b: number): number {
  if (b === 0 || a === 1) return 1;
  if (a === -1 && Math.abs(b) === Infinity) return 1;
  return Math.pow(a, b);
}

/** What the emitted JavaScript reaches as `lib`: the functions Math lacks, and channelValue. */
export const runtimeLibrary = { sigmoid, softplus, erf, pow: powValue, channelValue } as const;
