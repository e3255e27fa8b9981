// The CPU form: JavaScript source for f(x, p, ch), df(x, y, p, ch) and each
// dparam(x, y, p, ch, i), built into functions once with new Function. Parameters arrive
// as arrays (engine/activation-spec.ts): a shared one reads p.NAME[0], a per-channel one
// lib.channelValue(p.NAME, ch). The arithmetic is float64, the same as evaluate().

import type { ActivationCpu } from '../../engine/activation-spec';
import type { CompareOp, Expr } from './ast';
import { atom, emitBody, square, type CompiledForms, type Target } from './emit-body';
import { FUNCTIONS, runtimeLibrary } from './functions';

export interface JsSources {
  f: string;
  df: string;
  dparams: Record<string, string>;
}

const JS_COMPARE: Record<CompareOp, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' };

function jsTarget(perChannel: ReadonlySet<string>): Target {
  return {
    number: (v) => (Object.is(v, -0) ? '-0' : String(v)),
    constant: (name) => (name === 'pi' ? 'Math.PI' : 'Math.E'),
    param: (name) => (perChannel.has(name) ? `lib.channelValue(p.${name}, ch)` : `p.${name}[0]`),
    call: (fn, args) => `${FUNCTIONS[fn].js}(${args.join(', ')})`,
    power: (base, exponent, rendered) => {
      // Math.pow agrees with torch.pow for integer exponents; lib.pow covers 1^NaN and (−1)^±inf.
      if (exponent.kind !== 'number' || !Number.isInteger(exponent.value)) return atom(`lib.pow(${base.text}, ${rendered})`);
      if (exponent.value === 2 && base.simple) return square(base);
      return atom(`Math.pow(${base.text}, ${rendered})`);
    },
    condition: (op, a, b) => `${a} ${JS_COMPARE[op]} ${b}`,
    // +(a < b) is the same 0 or 1 without a branch (V8 would branch on the ternary, and a
    // branch that data decide at random costs more than the arithmetic around it).
    indicator: (op, a, b) => `(+(${a} ${JS_COMPARE[op]} ${b}))`,
    select: (c, a, b) => `(${c} ? ${a} : ${b})`,
    declare: (name, value) => `const ${name} = ${value};`,
    zero: '0',
  };
}

function jsFunction(name: string, signature: string, e: Expr, target: Target, y?: Expr): string {
  const { statements, result } = emitBody(e, target, { y });
  return [`function ${name}(${signature}) {`, ...statements.map((s) => `  ${s}`), `  return ${result};`, '}'].join('\n');
}

/** The source text of the three kinds of CPU function. */
export function emitJs(forms: CompiledForms): JsSources {
  const target = jsTarget(forms.perChannel);
  const dparams: Record<string, string> = {};
  for (const [name, d] of Object.entries(forms.dparams)) dparams[name] = jsFunction(`d_${name}`, 'x, y, p, ch, i', d, target, forms.f);
  return {
    f: jsFunction('f', 'x, p, ch', forms.f, target),
    df: jsFunction('df', 'x, y, p, ch', forms.df, target, forms.f),
    dparams,
  };
}

/** The sources made into functions, each closed over `lib` (runtimeLibrary). */
export function buildCpu(sources: JsSources): Required<Pick<ActivationCpu, 'f' | 'df' | 'dparams'>> {
  // The source is generated from a parsed tree (names checked, numbers printed), never pasted from input.
  const make = <T>(source: string): T => new Function('lib', `"use strict";\nreturn ${source};`)(runtimeLibrary) as T;
  const dparams: NonNullable<ActivationCpu['dparams']> = {};
  for (const [name, source] of Object.entries(sources.dparams)) dparams[name] = make(source);
  return { f: make(sources.f), df: make(sources.df), dparams };
}
