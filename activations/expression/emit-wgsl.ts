// The device form: WGSL bodies for f, df and each trainable parameter's derivative, as
// ActivationWgsl wants them, plus the helpers they call (wgsl-helpers.ts). Parameters
// read through the generated accessors: p_NAME(0u) for a shared value, p_NAME(ch) for a
// per-channel one. Literals are f32 (2.0, not 2, which WGSL would type as an integer).

import type { ActivationWgsl } from '../../engine/activation-spec';
import { CONSTANTS, type CompareOp, type Expr } from './ast';
import { atom, emitBody, square, type CompiledForms, type Target } from './emit-body';
import { FUNCTIONS } from './functions';
import { isWgslHelper, wgslHelpers } from './wgsl-helpers';

const COMPARE_HELPER: Record<CompareOp, string> = { '<': 'gsx_lt', '<=': 'gsx_le', '>': 'gsx_gt', '>=': 'gsx_ge', '==': 'gsx_eq', '!=': 'gsx_ne' };

/** An f32 literal: integers get a '.0'; String() already writes 0.5 and 1e-7 as WGSL reads them. */
export function wgslNumber(v: number): string {
  const text = Object.is(v, -0) ? '-0' : String(v);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function wgslTarget(perChannel: ReadonlySet<string>, used: Set<string>): Target {
  const helper = (name: string) => {
    if (isWgslHelper(name)) used.add(name);
    return name;
  };
  return {
    number: wgslNumber,
    constant: (name) => wgslNumber(CONSTANTS[name]),
    param: (name) => `p_${name}(${perChannel.has(name) ? 'ch' : '0u'})`,
    call: (fn, args) => `${helper(FUNCTIONS[fn].wgsl)}(${args.join(', ')})`,
    power: (base, exponent, rendered) => {
      if (exponent.kind === 'number' && Number.isInteger(exponent.value) && Math.abs(exponent.value) < 2 ** 31) {
        if (exponent.value === 2 && base.simple) return square(base);
        return atom(`${helper('gsx_powi')}(${base.text}, ${exponent.value})`);
      }
      return atom(`${helper('gsx_pow')}(${base.text}, ${rendered})`);
    },
    condition: (op, a, b) => `${helper(COMPARE_HELPER[op])}(${a}, ${b})`,
    indicator: (op, a, b) => `select(0.0, 1.0, ${helper(COMPARE_HELPER[op])}(${a}, ${b}))`,
    select: (c, a, b) => `select(${b}, ${a}, ${c})`,
    declare: (name, value) => `let ${name} = ${value};`,
    zero: '0.0',
  };
}

function wgslBody(e: Expr, target: Target, y?: Expr): string {
  const { statements, result } = emitBody(e, target, { y });
  return [...statements, `return ${result};`].join('\n');
}

export function emitWgsl(forms: CompiledForms): ActivationWgsl {
  const used = new Set<string>();
  const target = wgslTarget(forms.perChannel, used);
  const dparams: Record<string, string> = {};
  for (const [name, d] of Object.entries(forms.dparams)) dparams[name] = wgslBody(d, target, forms.f);
  const f = wgslBody(forms.f, target);
  const df = wgslBody(forms.df, target, forms.f);
  const helpers = wgslHelpers(used);
  return { ...(helpers ? { helpers } : {}), f, df, ...(Object.keys(dparams).length ? { dparams } : {}) };
}
