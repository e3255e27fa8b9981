// What the JavaScript and WGSL emitters share: an expression as a function body in a
// C-like language. Subexpressions used more than once are computed once into a local
// (`t0`, `t1`, ...), in dependency order; a subexpression equal to f itself reads `y`
// (the derivative functions receive y = f(x)). Infix + - * / and unary minus print
// with the language's precedence; everything else is a call the target spells.

import { children, type CompareOp, type ConstantName, type Expr } from './ast';
import type { FunctionName } from './functions';
import { operandPrecedence, precedenceOf, Precedence, print } from './print';

/** What both emitters turn into functions: f and its derived derivatives. */
export interface CompiledForms {
  f: Expr;
  df: Expr;
  /** ∂f/∂param for each trainable parameter. */
  dparams: Record<string, Expr>;
  /** Parameters read per channel (the rest are one shared value). */
  perChannel: ReadonlySet<string>;
}

/** How one language spells what is not plain infix arithmetic. */
export interface Target {
  /** A numeric literal (may be negative). */
  number(value: number): string;
  constant(name: ConstantName): string;
  param(name: string): string;
  call(fn: FunctionName, args: string[]): string;
  /** base^exponent; `exponent` is the tree, for literal-exponent forms (x*x for x^2). */
  power(base: Rendered, exponent: Expr, renderedExponent: string): Rendered;
  /** A comparison as a boolean expression. */
  condition(op: CompareOp, left: string, right: string): string;
  /** A comparison as the number 1 or 0, as an atom. */
  indicator(op: CompareOp, left: string, right: string): string;
  /** cond ? ifTrue : ifFalse, as an atom. */
  select(condition: string, ifTrue: string, ifFalse: string): string;
  /** A local's declaration statement. */
  declare(name: string, value: string): string;
  /** The literal 0, for a where() condition that is not a comparison (true when non-zero). */
  zero: string;
}

/** A call or other atom, as rendered text. */
export const atom = (text: string): Rendered => ({ text, precedence: Precedence.Atom, simple: false });

/** base * base, for a simple base squared. */
export const square = (base: Rendered): Rendered => ({ text: `${base.text} * ${base.text}`, precedence: Precedence.Product, simple: false });

export interface Rendered {
  text: string;
  precedence: Precedence;
  /** A name or literal: cheap to repeat (x*x rather than a call). */
  simple: boolean;
}

export interface EmitOptions {
  /** A tree whose occurrences read as `y` (f itself, in the derivative functions). */
  y?: Expr;
}

/** Nodes never worth a local: leaves, and comparisons (they render as conditions in place). */
function isCheap(e: Expr): boolean {
  return e.kind === 'number' || e.kind === 'x' || e.kind === 'param' || e.kind === 'constant' || e.kind === 'compare';
}

/**
 * Whether the body emitted for e reads x, once every copy of `y` in it (f itself, in the
 * derivative functions) reads y instead: the rule emitBody follows below.
 */
export function readsX(e: Expr, y: Expr): boolean {
  const yText = print(y);
  const reads = (n: Expr): boolean => n.kind === 'x' || (!(!isCheap(n) && print(n) === yText) && children(n).some(reads));
  return reads(e);
}

/** Whether the body emitted for e reads `y`: some costly subtree of it is f itself (the rule emitBody follows). */
export function readsY(e: Expr, y: Expr): boolean {
  const yText = print(y);
  const reads = (n: Expr): boolean => (!isCheap(n) && print(n) === yText) || children(n).some(reads);
  return reads(e);
}

/** The statements (locals) and the returned expression of a body computing e. */
export function emitBody(e: Expr, target: Target, options: EmitOptions = {}): { statements: string[]; result: string } {
  const names = new Map<string, string>();
  if (options.y) names.set(print(options.y), 'y');

  // How often each distinct subtree occurs, counting the inside of a repeated one once.
  const uses = new Map<string, number>();
  const count = (n: Expr): void => {
    if (isCheap(n)) return;
    const key = print(n);
    const seen = uses.get(key) ?? 0;
    uses.set(key, seen + 1);
    if (seen === 0 && !names.has(key)) children(n).forEach(count);
  };
  count(e);

  const statements: string[] = [];
  const bind = (n: Expr): void => {
    if (isCheap(n)) return;
    const key = print(n);
    if (names.has(key)) return;
    children(n).forEach(bind);
    if ((uses.get(key) ?? 0) >= 2 && n !== e) {
      const name = `t${statements.length}`;
      statements.push(target.declare(name, render(n).text));
      names.set(key, name);
    }
  };

  const render = (n: Expr): Rendered => {
    const local = isCheap(n) ? undefined : names.get(print(n));
    if (local) return { text: local, precedence: Precedence.Atom, simple: true };
    const at = (sub: Expr, min: Precedence): string => {
      const r = render(sub);
      return r.precedence < min ? `(${r.text})` : r.text;
    };
    switch (n.kind) {
      case 'number':
        return { text: target.number(n.value), precedence: precedenceOf(n), simple: true };
      case 'x':
        return { text: 'x', precedence: Precedence.Atom, simple: true };
      case 'constant':
        return { text: target.constant(n.name), precedence: Precedence.Atom, simple: true };
      case 'param':
        return { text: target.param(n.name), precedence: Precedence.Atom, simple: true };
      case 'neg': {
        const arg = at(n.arg, Precedence.Unary);
        // `--a` would read as a decrement in both languages.
        return { text: arg.startsWith('-') ? `-(${arg})` : `-${arg}`, precedence: Precedence.Unary, simple: false };
      }
      case 'binary': {
        if (n.op === '^') {
          return target.power(render(n.left), n.right, render(n.right).text);
        }
        const [left, right] = operandPrecedence(n);
        return { text: `${at(n.left, left)} ${n.op} ${at(n.right, right)}`, precedence: precedenceOf(n), simple: false };
      }
      case 'compare':
        return { text: target.indicator(n.op, render(n.left).text, render(n.right).text), precedence: Precedence.Atom, simple: false };
      case 'where':
        return { text: target.select(condition(n.cond), render(n.ifTrue).text, render(n.ifFalse).text), precedence: Precedence.Atom, simple: false };
      case 'call':
        return { text: target.call(n.fn, n.args.map((a) => render(a).text)), precedence: Precedence.Atom, simple: false };
    }
  };

  const condition = (c: Expr): string =>
    c.kind === 'compare' ? target.condition(c.op, render(c.left).text, render(c.right).text) : target.condition('!=', render(c).text, target.zero);

  bind(e);
  return { statements, result: render(e).text };
}
