// An expression tree back to the formula language, with only the parentheses the grammar
// needs: print(e) parses back to the same tree, so the text also serves as the tree's
// identity (two subtrees are the same expression when they print the same).

import type { Expr } from './ast';

/** Binding strength, loosest first; each node prints at one of these. */
export const Precedence = { Compare: 1, Sum: 2, Product: 3, Unary: 4, Power: 5, Atom: 6 } as const;
export type Precedence = (typeof Precedence)[keyof typeof Precedence];

/** The precedence a node prints at (a negative number prints like a unary minus). */
export function precedenceOf(e: Expr): Precedence {
  switch (e.kind) {
    case 'number':
      return e.value < 0 || Object.is(e.value, -0) ? Precedence.Unary : Precedence.Atom;
    case 'neg':
      return Precedence.Unary;
    case 'compare':
      return Precedence.Compare;
    case 'binary':
      return e.op === '+' || e.op === '-' ? Precedence.Sum : e.op === '^' ? Precedence.Power : Precedence.Product;
    default:
      return Precedence.Atom;
  }
}

/**
 * The minimum precedence each operand of a binary node needs to print without
 * parentheses: left-associative + - * / parenthesize an equal right operand, right-
 * associative ^ an equal left one; the exponent may be a unary minus (2^-x).
 */
export function operandPrecedence(e: Expr & { kind: 'binary' | 'compare' }): [Precedence, Precedence] {
  if (e.kind === 'compare') return [Precedence.Sum, Precedence.Sum];
  switch (e.op) {
    case '+':
    case '-':
      return [Precedence.Sum, Precedence.Product];
    case '*':
    case '/':
      return [Precedence.Product, Precedence.Unary];
    case '^':
      return [Precedence.Atom, Precedence.Unary];
  }
}

export function print(e: Expr): string {
  const at = (sub: Expr, min: Precedence) => (precedenceOf(sub) < min ? `(${print(sub)})` : print(sub));
  switch (e.kind) {
    case 'number':
      return Object.is(e.value, -0) ? '-0' : String(e.value);
    case 'x':
      return 'x';
    case 'constant':
    case 'param':
      return e.name;
    case 'neg':
      return `-${at(e.arg, Precedence.Unary)}`;
    case 'binary':
    case 'compare': {
      const [left, right] = operandPrecedence(e);
      const spaced = e.kind === 'compare' || e.op === '+' || e.op === '-';
      const op = spaced ? ` ${e.op} ` : e.op;
      return `${at(e.left, left)}${op}${at(e.right, right)}`;
    }
    case 'where':
      return `where(${print(e.cond)}, ${print(e.ifTrue)}, ${print(e.ifFalse)})`;
    case 'call':
      return `${e.fn}(${e.args.map(print).join(', ')})`;
  }
}
