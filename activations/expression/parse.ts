// The formula language, read into an expression tree. Grammar, loosest first:
//
//   comparison := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?     no chains
//   sum        := product (('+' | '-') product)*
//   product    := unary (('*' | '/') unary)*
//   unary      := '-' unary | power                 so -x^2 = -(x^2)
//   power      := atom ('^' unary)?                 right-associative: 2^3^2 = 2^9
//   atom       := number | x | parameter | pi | e | name '(' comparison, ... ')' | '(' comparison ')'
//
// Numbers: 2, 2.5, .5, 1e-3. A minus sign directly on a number makes a negative number.
// Every error names what was wrong and the column, with the formula and a caret under it.

import * as ast from './ast';
import { CONSTANTS, type CompareOp, type Expr } from './ast';
import { FUNCTIONS, isFunctionName, type FunctionName } from './functions';

/** The largest finite float32: a literal beyond it would be +inf on the device. */
const FLOAT32_MAX = 3.4028234663852886e38;

export class ExpressionSyntaxError extends Error {
  constructor(
    /** What was wrong, without the location: "unknown name 'y'". */
    readonly reason: string,
    /** 1-based column of the formula where it was found. */
    readonly column: number,
    readonly formula: string,
  ) {
    super(`${reason} at column ${column}\n  ${formula}\n  ${' '.repeat(column - 1)}^`);
    this.name = 'ExpressionSyntaxError';
  }
}

export interface ParseOptions {
  /** Parameter names the formula may read (besides x). */
  params?: readonly string[];
}

interface Token {
  type: 'number' | 'name' | 'op' | 'end';
  text: string;
  /** 1-based. */
  column: number;
}

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>', '+', '-', '*', '/', '^', '(', ')', ','];
const NUMBER = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(formula: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < formula.length) {
    const rest = formula.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    const name = number ? null : NAME.exec(rest);
    const op = number || name ? undefined : OPERATORS.find((o) => rest.startsWith(o));
    const text = number?.[0] ?? name?.[0] ?? op;
    if (text === undefined) throw new ExpressionSyntaxError(`unexpected character '${rest[0]}'`, i + 1, formula);
    tokens.push({ type: number ? 'number' : name ? 'name' : 'op', text, column: i + 1 });
    i += text.length;
  }
  tokens.push({ type: 'end', text: '', column: formula.length + 1 });
  return tokens;
}

const COMPARISONS: readonly string[] = ['<', '<=', '>', '>=', '==', '!='];

/** Read a formula. Throws ExpressionSyntaxError naming the column of the first problem. */
export function parse(formula: string, options: ParseOptions = {}): Expr {
  const params = new Set(options.params ?? []);
  const tokens = tokenize(formula);
  let at = 0;
  const peek = () => tokens[at];
  const fail = (reason: string, token: Token = peek()): never => {
    throw new ExpressionSyntaxError(reason, token.column, formula);
  };
  const describe = (t: Token) => (t.type === 'end' ? 'end of formula' : `'${t.text}'`);
  const isOp = (text: string) => peek().type === 'op' && peek().text === text;
  const expect = (text: string, context: string) => {
    if (!isOp(text)) fail(`expected '${text}' ${context}, found ${describe(peek())}`);
    at++;
  };

  const comparison = (): Expr => {
    const left = sum();
    if (peek().type !== 'op' || !COMPARISONS.includes(peek().text)) return left;
    const op = tokens[at++].text as CompareOp;
    const right = sum();
    if (peek().type === 'op' && COMPARISONS.includes(peek().text)) {
      fail(`comparisons do not chain: write (a ${op} b)*(b ${peek().text} c) for both`);
    }
    return ast.compare(op, left, right);
  };

  const sum = (): Expr => {
    let left = product();
    while (isOp('+') || isOp('-')) {
      const op = tokens[at++].text as '+' | '-';
      left = ast.binary(op, left, product());
    }
    return left;
  };

  const product = (): Expr => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = tokens[at++].text as '*' | '/';
      left = ast.binary(op, left, unary());
    }
    return left;
  };

  const unary = (): Expr => {
    if (!isOp('-')) return power();
    at++;
    const arg = unary();
    return arg.kind === 'number' ? ast.num(-arg.value) : ast.neg(arg);
  };

  const power = (): Expr => {
    const base = atom();
    if (!isOp('^')) return base;
    at++;
    return ast.pow(base, unary());
  };

  const atom = (): Expr => {
    const token = peek();
    if (token.type === 'number') {
      at++;
      const value = Number(token.text);
      if (!(Math.abs(value) <= FLOAT32_MAX)) fail(`the number ${token.text} is beyond float32's range (±3.4e38)`, token);
      return ast.num(value);
    }
    if (isOp('(')) {
      at++;
      const inner = comparison();
      expect(')', 'to close the parenthesis');
      return inner;
    }
    if (token.type !== 'name') return fail(`expected a number, a name or '(', found ${describe(token)}`);
    at++;
    const name = token.text;
    const called = isOp('(');
    if (called) return callOf(name, token);
    if (name === 'x') return ast.X;
    if (params.has(name)) return ast.param(name);
    if (Object.prototype.hasOwnProperty.call(CONSTANTS, name)) return ast.constant(name as keyof typeof CONSTANTS);
    if (name === 'where' || isFunctionName(name)) return fail(`'${name}' is a function: write ${name}(...)`, token);
    return fail(`unknown name '${name}' (valid: ${['x', ...params, ...Object.keys(CONSTANTS)].join(', ')})`, token);
  };

  const callOf = (name: string, token: Token): Expr => {
    if (name !== 'where' && !isFunctionName(name)) {
      const what = name === 'x' || params.has(name) ? `'${name}' is ${name === 'x' ? 'the input' : 'a parameter'}, not a function` : `unknown function '${name}'`;
      fail(`${what} (functions: ${['where', ...Object.keys(FUNCTIONS)].join(', ')})`, token);
    }
    at++; // '('
    const args: Expr[] = [];
    if (!isOp(')')) {
      args.push(comparison());
      while (isOp(',')) {
        at++;
        args.push(comparison());
      }
    }
    expect(')', `to close ${name}(`);
    const arity = name === 'where' ? 3 : FUNCTIONS[name as FunctionName].arity;
    if (args.length !== arity) {
      fail(`${name}() takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`, token);
    }
    return name === 'where' ? ast.where(args[0], args[1], args[2]) : ast.call(name as FunctionName, ...args);
  };

  if (peek().type === 'end') fail('the formula is empty');
  const tree = comparison();
  if (peek().type !== 'end') {
    const t = peek();
    const hint = t.type === 'op' ? '' : ' (write * between factors: 2*x, not 2x)';
    fail(`unexpected ${describe(t)}${hint}`);
  }
  return tree;
}
