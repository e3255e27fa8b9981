// The value of an expression in float64: the reference semantics of the formula
// language. The emitted JavaScript computes exactly this (same functions, same order);
// the simplifier folds constants with it, and kinks are located with it.

import { CONSTANTS, type ArithmeticOp, type CompareOp, type Expr } from './ast';
import { FUNCTIONS, powValue } from './functions';

export interface Bindings {
  x: number;
  /** One number per parameter the expression reads. */
  params?: Readonly<Record<string, number>>;
}

export function evaluate(e: Expr, at: Bindings): number {
  const value = (n: Expr): number => evaluate(n, at);
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'x':
      return at.x;
    case 'constant':
      return CONSTANTS[e.name];
    case 'param': {
      const v = at.params?.[e.name];
      if (v === undefined) throw new Error(`evaluate: no value for parameter '${e.name}'`);
      return v;
    }
    case 'neg':
      return -value(e.arg);
    case 'binary':
      return arithmeticValue(e.op, value(e.left), value(e.right));
    case 'compare':
      return compareValue(e.op, value(e.left), value(e.right)) ? 1 : 0;
    case 'where':
      return isTrue(value(e.cond)) ? value(e.ifTrue) : value(e.ifFalse);
    case 'call': {
      return FUNCTIONS[e.fn].evaluate(...e.args.map(value));
    }
  }
}

export function arithmeticValue(op: ArithmeticOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '^':
      return powValue(a, b);
  }
}

/** IEEE comparisons: false with a NaN, except != (true). */
export function compareValue(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    default:
      return a !== b;
  }
}

/** A where() condition holds when it is non-zero; NaN counts as true, as bool(NaN) in PyTorch. */
export const isTrue = (c: number): boolean => c !== 0;
