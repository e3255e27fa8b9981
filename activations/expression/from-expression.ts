// An activation written once, as a formula: fromExpression parses it, derives f' and
// every trainable parameter's derivative symbolically, and emits both languages, so the
// result is a complete ActivationSpec for gs.activations.register() (which validates
// it like any other: the WGSL compiles, derivatives match finite differences, the
// device agrees with the CPU).
//
//   fromExpression({ name: 'squareplus', f: '(x + sqrt(x*x + b)) / 2',
//                    params: [{ name: 'b', default: 4, trainable: true }], range: [-6, 6] })

import type { ActivationParamSpec, ActivationParamValues, ActivationSpec } from '../../engine/activation-spec';
import { CONSTANTS, paramsUsed, type Expr } from './ast';
import { derive } from './derive';
import { readsX, readsY, type CompiledForms } from './emit-body';
import { buildCpu, emitJs, type JsSources } from './emit-js';
import { emitWgsl } from './emit-wgsl';
import { FUNCTIONS } from './functions';
import { kinkExpressions, kinksAt } from './kinks';
import { ExpressionSyntaxError, parse } from './parse';
import { print } from './print';

export interface ExpressionOptions {
  /** Letters, digits, '_' or '-', starting with a letter (as gs.activations.register requires). */
  name: string;
  /** f in the formula language (see parse.ts): x, the parameters, + - * / ^, comparisons, where, functions. */
  f: string;
  /**
   * Parameters the formula reads by name. A formula reads one number per parameter, so
   * a default is a number, or, for a perChannel parameter, a number per channel.
   */
  params?: readonly ActivationParamSpec[];
  /** Plotting range, also the grid register() checks derivatives on. Default [-4, 4]. */
  range?: readonly [number, number];
  aliases?: readonly string[];
  reference?: string;
  /** Default: the derived f' and ∂f/∂param, and the conventions they follow. */
  convention?: string;
  /** Display formula. Default: f as written. */
  formula?: string;
}

/** The formula and what was derived from it, as text. */
export interface ExpressionForms {
  /** f, printed back from the parsed tree. */
  f: string;
  /** f', simplified. */
  df: string;
  /** ∂f/∂param for each trainable parameter, simplified. */
  dparams: Record<string, string>;
  /** The JavaScript source of the CPU functions. */
  js: JsSources;
}

export interface ExpressionActivationSpec extends ActivationSpec {
  expression: ExpressionForms;
}

const DEFAULT_RANGE = [-4, 4] as const;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESERVED = new Set(['x', 'where', ...Object.keys(CONSTANTS), ...Object.keys(FUNCTIONS)]);

export function fromExpression(options: ExpressionOptions): ExpressionActivationSpec {
  const fail = (message: string): never => {
    throw new Error(`fromExpression('${String(options?.name)}'): ${message}`);
  };
  if (!options || typeof options !== 'object') throw new Error(`fromExpression: expects an options object, got ${String(options)}`);
  const { name, range = DEFAULT_RANGE } = options;
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    fail(`name must be letters, digits, '_' or '-' starting with a letter, got ${JSON.stringify(name)}`);
  }
  if (typeof options.f !== 'string') fail(`f must be a formula string, got ${typeof options.f}`);
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
    fail(`range must be [low, high] with finite low < high, got ${JSON.stringify(range)}`);
  }
  const params = checkParams(options.params ?? [], fail);

  const f = parseFormula(options.f, params, fail);
  const used = new Set(paramsUsed(f));
  const unused = params.filter((p) => !used.has(p.name)).map((p) => p.name);
  if (unused.length > 0) fail(`parameter${unused.length > 1 ? 's' : ''} ${unused.map((n) => `'${n}'`).join(', ')} declared but not used in f`);

  const forms: CompiledForms = {
    f: f,
    df: derive(f, 'x'),
    dparams: Object.fromEntries(params.filter((p) => p.trainable).map((p) => [p.name, derive(f, p.name)])),
    perChannel: new Set(params.filter((p) => p.perChannel).map((p) => p.name)),
  };
  const js = emitJs(forms);
  const text: ExpressionForms = {
    f: print(forms.f),
    df: print(forms.df),
    dparams: Object.fromEntries(Object.entries(forms.dparams).map(([n, d]) => [n, print(d)])),
    js,
  };
  const kinks = kinkExpressions(forms.f);
  return {
    name,
    ...(options.aliases ? { aliases: [...options.aliases] } : {}),
    formula: options.formula ?? options.f.trim(),
    ...(options.reference ? { reference: options.reference } : {}),
    convention: options.convention ?? derivedConvention(text),
    range: [range[0], range[1]],
    params,
    // When no derivative reads x (f' = 1 − y² for tanh), the forward keeps only y, as a hand-written spec would.
    derivativeUses: [forms.df, ...Object.values(forms.dparams)].some((d) => readsX(d, forms.f)) ? 'input' : 'output',
    // And when none reads y either (leaky_relu's where(x > 0, 1, slope)), the CPU backward need not recompute f.
    derivativeReadsOutput: [forms.df, ...Object.values(forms.dparams)].some((d) => readsY(d, forms.f)),
    ...(kinks.length > 0 ? { kinks: (p: ActivationParamValues) => kinksAt(kinks, firstValues(p)) } : {}),
    cpu: buildCpu(js),
    wgsl: emitWgsl(forms),
    expression: text,
  };
}

function parseFormula(formula: string, params: readonly ActivationParamSpec[], fail: (message: string) => never): Expr {
  try {
    return parse(formula, { params: params.map((p) => p.name) });
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return fail(`f: ${e.message}`);
    throw e;
  }
}

/** The parameters as the spec lists them, after checking each. */
function checkParams(params: readonly ActivationParamSpec[], fail: (message: string) => never): ActivationParamSpec[] {
  if (!Array.isArray(params)) fail(`params must be an array, got ${JSON.stringify(params)}`);
  const seen = new Set<string>();
  return params.map((p) => {
    const label = `parameter ${JSON.stringify(p?.name)}`;
    if (typeof p?.name !== 'string' || !IDENTIFIER.test(p.name)) fail(`${label}: a name is letters, digits and '_', starting with a letter`);
    if (RESERVED.has(p.name)) fail(`${label}: '${p.name}' is reserved in formulas (x, pi, e, where and the functions)`);
    if (seen.has(p.name)) fail(`${label} is declared twice`);
    seen.add(p.name);
    const d = p.default;
    if (Array.isArray(d)) {
      if (!p.perChannel) fail(`${label}: a formula reads one number per parameter; an array default (${JSON.stringify(d)}) needs perChannel: true`);
      if (d.length === 0 || !d.every(Number.isFinite)) fail(`${label}: default must be finite numbers, got ${JSON.stringify(d)}`);
    } else if (typeof d !== 'number' || !Number.isFinite(d)) {
      fail(`${label}: default must be a finite number, got ${JSON.stringify(d)}`);
    }
    return { ...p, default: Array.isArray(d) ? [...d] : d };
  });
}

/** Channel 0's value of each parameter: where the gradient check evaluates f. */
function firstValues(p: ActivationParamValues): Record<string, number> {
  return Object.fromEntries(Object.entries(p).map(([n, v]) => [n, v[0]]));
}

function derivedConvention(text: ExpressionForms): string {
  const parts = [`f' = ${text.df}`, ...Object.entries(text.dparams).map(([n, d]) => `∂f/∂${n} = ${d}`)];
  return `${parts.join('; ')} (derived symbolically; abs'(0) = 0, max/min split the gradient evenly at a tie, comparisons have zero derivative, as PyTorch)`;
}
