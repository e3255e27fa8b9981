// The expression tree of an activation formula, and the small constructors the parser,
// the derivative rules and the simplifier build it with. A tree is plain data: two trees
// are the same expression exactly when their printed texts are equal (see print.ts).

import type { FunctionName } from './functions';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '^';
export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Expr =
  | { kind: 'number'; value: number }
  /** The activation's input. */
  | { kind: 'x' }
  | { kind: 'constant'; name: ConstantName }
  | { kind: 'param'; name: string }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'binary'; op: ArithmeticOp; left: Expr; right: Expr }
  /** 1 where the comparison holds, else 0 (NaN compares false, except with !=). */
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr }
  /** ifTrue where cond is non-zero (a comparison, usually), else ifFalse. */
  | { kind: 'where'; cond: Expr; ifTrue: Expr; ifFalse: Expr }
  | { kind: 'call'; fn: FunctionName; args: Expr[] };

/** Named constants of the formula language, with their float64 values. */
export const CONSTANTS = { pi: Math.PI, e: Math.E } as const;
export type ConstantName = keyof typeof CONSTANTS;

export const num = (value: number): Expr => ({ kind: 'number', value });
export const X: Expr = { kind: 'x' };
export const constant = (name: ConstantName): Expr => ({ kind: 'constant', name });
export const param = (name: string): Expr => ({ kind: 'param', name });
export const neg = (arg: Expr): Expr => ({ kind: 'neg', arg });
export const binary = (op: ArithmeticOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
export const add = (a: Expr, b: Expr) => binary('+', a, b);
export const sub = (a: Expr, b: Expr) => binary('-', a, b);
export const mul = (a: Expr, b: Expr) => binary('*', a, b);
export const div = (a: Expr, b: Expr) => binary('/', a, b);
export const pow = (a: Expr, b: Expr) => binary('^', a, b);
export const compare = (op: CompareOp, left: Expr, right: Expr): Expr => ({ kind: 'compare', op, left, right });
export const where = (cond: Expr, ifTrue: Expr, ifFalse: Expr): Expr => ({ kind: 'where', cond, ifTrue, ifFalse });
export const call = (fn: FunctionName, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });

export const isNumber = (e: Expr): e is { kind: 'number'; value: number } => e.kind === 'number';

/** Whether e is the literal `value` (not a type guard: e may be another number). */
export const isLiteral = (e: Expr, value: number): boolean => e.kind === 'number' && e.value === value;

/** The direct sub-expressions of a node, in reading order. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'neg':
      return [e.arg];
    case 'binary':
    case 'compare':
      return [e.left, e.right];
    case 'where':
      return [e.cond, e.ifTrue, e.ifFalse];
    case 'call':
      return e.args;
    default:
      return [];
  }
}

/** The same node with its sub-expressions replaced (in the order children() lists them). */
export function withChildren(e: Expr, c: Expr[]): Expr {
  switch (e.kind) {
    case 'neg':
      return neg(c[0]);
    case 'binary':
      return binary(e.op, c[0], c[1]);
    case 'compare':
      return compare(e.op, c[0], c[1]);
    case 'where':
      return where(c[0], c[1], c[2]);
    case 'call':
      return call(e.fn, ...c);
    default:
      return e;
  }
}

/** Whether any node of e satisfies the test. */
export function some(e: Expr, test: (node: Expr) => boolean): boolean {
  return test(e) || children(e).some((c) => some(c, test));
}

export const dependsOn = (e: Expr, variable: Variable): boolean =>
  some(e, (n) => (variable === 'x' ? n.kind === 'x' : n.kind === 'param' && n.name === variable));

/** What a derivative is taken with respect to: the input 'x' or a parameter's name. */
export type Variable = 'x' | string;

/** Every parameter name e reads, in first-use order. */
export function paramsUsed(e: Expr): string[] {
  const names: string[] = [];
  some(e, (n) => {
    if (n.kind === 'param' && !names.includes(n.name)) names.push(n.name);
    return false;
  });
  return names;
}

/** e with every x replaced by `by`. */
export function substituteX(e: Expr, by: Expr): Expr {
  return e.kind === 'x' ? by : withChildren(e, children(e).map((c) => substituteX(c, by)));
}
