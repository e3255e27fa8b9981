// The formula compiler behind gs.activations.fromExpression (activations/expression/):
// the grammar and its printer (round trips, precedence), column-accurate errors, the
// symbolic derivatives against float64 central differences (each function on a grid,
// random formulas with fast-check, PyTorch's conventions at kinks), the simplifier, the
// emitted JavaScript against the reference evaluator, NaN and infinities, kinks, and
// squareplus against its analytic derivatives. Values only: no backend is involved here
// (tests/activations/expression-backends.test.ts runs the specs on CPU and WebGPU).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  derive,
  evaluate,
  fromExpression,
  FUNCTIONS,
  parse,
  print,
  simplify,
  type Expr,
  type FunctionName,
} from '../../activations/expression';
import { binary, call, compare, neg, num, param, paramsUsed, pow, some, where, X } from '../../activations/expression/ast';
import type { ActivationParamValues } from '../../engine/activation-spec';

const SEED = Number(process.env.GS_PROPERTY_SEED ?? 20261124);

// --- random formulas ------------------------------------------------------------------

const UNARY = Object.keys(FUNCTIONS).filter((n) => FUNCTIONS[n as FunctionName].arity === 1) as FunctionName[];
const COMPARISONS = ['<', '<=', '>', '>=', '==', '!='] as const;

/** Random trees over the whole grammar, reading x and one parameter b. */
const formula: fc.Memo<Expr> = fc.memo((depth) => {
  const leaf = fc.oneof(fc.constant(X), fc.constant(param('b')), fc.constantFrom(0.5, 2, 3, 1.5, 1e-3).map(num));
  if (depth <= 1) return leaf;
  const sub = formula(depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('+', '-', '*', '/') as fc.Arbitrary<'+'>, sub, sub).map(([op, a, b]) => binary(op, a, b)) },
    { weight: 1, arbitrary: fc.tuple(sub, fc.constantFrom(2, 3, -1, 0.5, -2)).map(([a, n]) => pow(a, num(n))) },
    { weight: 1, arbitrary: sub.map((a) => (a.kind === 'number' ? num(-a.value) : neg(a))) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...UNARY), sub).map(([fn, a]) => call(fn, a)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<FunctionName>('max', 'min'), sub, sub).map(([fn, a, b]) => call(fn, a, b)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...COMPARISONS), sub, sub, sub, sub).map(([op, l, r, a, b]) => where(compare(op, l, r), a, b)),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...COMPARISONS), sub, sub).map(([op, l, r]) => compare(op, l, r)) },
  );
});

const B = 1.3;
const at = (e: Expr, x: number, b = B) => evaluate(e, { x, params: { b } });
/** Inputs for value comparisons in float64: no subnormals, where a few ulps are the whole number. */
const inputs = fc.double({ min: -3, max: 3, noNaN: true }).filter((x) => x === 0 || Math.abs(x) > 1e-6);
const sameNumber = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/**
 * The float64 derivative of g at v by central differences with Richardson extrapolation,
 * or null where g is not smooth enough around v to tell (a kink or jump within h, a
 * non-finite or huge value): the two step sizes must agree first.
 */
function numericDerivative(g: (v: number) => number, v: number): number | null {
  const h = 1e-4 * Math.max(1, Math.abs(v));
  const [l2, l1, y, r1, r2] = [g(v - h), g(v - h / 2), g(v), g(v + h / 2), g(v + h)];
  if (![l2, l1, y, r1, r2].every((u) => Number.isFinite(u) && Math.abs(u) < 1e3)) return null;
  const wide = (r2 - l2) / (2 * h);
  const narrow = (r1 - l1) / h;
  const scale = Math.max(1, Math.abs(narrow));
  if (Math.abs(wide - narrow) > 1e-3 * scale) return null;
  // A kink at v itself: the one-sided slopes differ by the same amount at both steps
  // (at a smooth point the difference is h·g'' and halves with h).
  const sidesWide = (r2 - y) / h - (y - l2) / h;
  const sidesNarrow = (r1 - y) / (h / 2) - (y - l1) / (h / 2);
  if (Math.abs(sidesWide) > 1e-6 * scale && Math.abs(sidesNarrow) > 0.75 * Math.abs(sidesWide)) return null;
  return (4 * narrow - wide) / 3;
}

/** Every subexpression of e is finite at x. */
const allFinite = (e: Expr, x: number): boolean => !some(e, (n) => !Number.isFinite(at(n, x)));

/** Some abs or sign of f has argument 0 at x, or a max, min or comparison a tie. */
const atSwitchingPoint = (e: Expr, x: number): boolean =>
  some(e, (n) => {
    if (n.kind === 'call' && (n.fn === 'abs' || n.fn === 'sign')) return at(n.args[0], x) === 0;
    if (n.kind === 'call' && (n.fn === 'max' || n.fn === 'min')) return at(n.args[0], x) === at(n.args[1], x);
    if (n.kind === 'compare') return at(n.left, x) === at(n.right, x);
    return n.kind === 'where' && at(n.cond, x) === 0;
  });

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

// --- the grammar ----------------------------------------------------------------------

describe('parse and print', () => {
  it('follows the precedence and associativity of the grammar (values as written by hand)', () => {
    const cases: [string, number, number][] = [
      // [formula, x, value]
      ['1 - 2 - 3', 0, -4],
      ['8/4/2', 0, 1],
      ['2*3^2', 0, 18],
      ['2^3^2', 0, 512],
      ['-2^2', 0, -4],
      ['(-2)^2', 0, 4],
      ['-x^2', 3, -9],
      ['2^-1', 0, 0.5],
      ['x^-2', 2, 0.25],
      ['1e-3 + .5 + 2.', 0, 2.501],
      ['1E2*x', 2, 200],
      ['x > 1', 2, 1],
      ['x > 1', 1, 0],
      ['x >= 1', 1, 1],
      ['x != 1', 1, 0],
      ['1 + x < 2*x', 2, 1],
      ['where(x >= 0, x, -x)', -3, 3],
      ['where(x - 1, 5, 7)', 1, 7],
      ['where(x - 1, 5, 7)', 0, 5],
      ['max(x, 0) + min(x, 0)', -2, -2],
      ['2*pi + e', 0, 2 * Math.PI + Math.E],
      ['--x', 3, 3],
      ['x*-2', 3, -6],
    ];
    for (const [text, x, value] of cases) expect(evaluate(parse(text), { x }), text).toBeCloseTo(value, 12);
  });

  it('prints with only the parentheses the grammar needs, and the text parses back to the same tree', () => {
    const cases: [string, string][] = [
      ['(x + sqrt(x*x + b)) / 2', '(x + sqrt(x*x + b))/2'],
      ['a - (b - x)', 'a - (b - x)'],
      ['(a - b) - x', 'a - b - x'],
      ['a / (b * x)', 'a/(b*x)'],
      ['a * (b / x)', 'a*(b/x)'],
      ['(a^b)^x', '(a^b)^x'],
      ['a^(b^x)', 'a^b^x'],
      ['(-a)^2', '(-a)^2'],
      ['-(a^2)', '-a^2'],
      ['-(a*b)', '-(a*b)'],
      ['(-a)*b', '-a*b'],
      ['2^(-x)', '2^-x'],
      ['(x < 1) * (x > -1)', '(x < 1)*(x > -1)'],
      ['(x < 1) < b', '(x < 1) < b'],
      ['where((x > 0), (x), (a*x))', 'where(x > 0, x, a*x)'],
      ['x - -3', 'x - -3'],
      ['(-3)^x', '(-3)^x'],
    ];
    for (const [text, printed] of cases) {
      const tree = parse(text, { params: ['a', 'b'] });
      expect(print(tree), text).toBe(printed);
      expect(parse(printed, { params: ['a', 'b'] }), text).toEqual(tree);
    }
  });

  it('round trip on random formulas: print(tree) parses back to a tree that prints the same and has the same values', () => {
    fc.assert(
      fc.property(formula(5), fc.double({ min: -3, max: 3, noNaN: true }), (tree, x) => {
        const text = print(tree);
        const back = parse(text, { params: ['b'] });
        expect(print(back)).toBe(text);
        const [want, got] = [at(tree, x), at(back, x)];
        expect(sameNumber(got, want), `${text} at x = ${x}: ${got} != ${want}`).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('errors point at the column of the formula', () => {
  const error = (f: string, params: { name: string; default: number }[] = []) => {
    try {
      fromExpression({ name: 'sq', f, params });
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error(`fromExpression accepted ${f}`);
  };

  it('an unknown name: the message, the formula and a caret under the name', () => {
    expect(error('x + 2*y', [{ name: 'b', default: 1 }])).toBe(
      "fromExpression('sq'): f: unknown name 'y' (valid: x, b, pi, e) at column 7\n  x + 2*y\n        ^",
    );
  });

  it('every kind of syntax error, at its column', () => {
    const cases: [string, RegExp, number][] = [
      ['x +', /expected a number, a name or '\(', found end of formula/, 4],
      ['(x + 1', /expected '\)' to close the parenthesis, found end of formula/, 7],
      ['exp(x, 1)', /exp\(\) takes 1 argument, got 2/, 1],
      ['1 + max(x)', /max\(\) takes 2 arguments, got 1/, 5],
      ['where(x > 0, x)', /where\(\) takes 3 arguments, got 2/, 1],
      ['x * foo(x)', /unknown function 'foo' \(functions: where, exp, log, log1p, expm1, sqrt, abs, sign, sin, cos, tanh, sigmoid, softplus, erf, min, max\)/, 5],
      ['2 + b(x)', /'b' is a parameter, not a function/, 5],
      ['x(2)', /'x' is the input, not a function/, 1],
      ['1 + exp', /'exp' is a function: write exp\(\.\.\.\)/, 5],
      ['2x', /unexpected 'x' \(write \* between factors: 2\*x, not 2x\)/, 2],
      ['x + 1)', /unexpected '\)'/, 6],
      ['x $ 1', /unexpected character '\$'/, 3],
      ['0 < x < 1', /comparisons do not chain: write \(a < b\)\*\(b < c\) for both/, 7],
      ['x * 1e39', /the number 1e39 is beyond float32's range/, 5],
      ['  ', /the formula is empty/, 3],
    ];
    for (const [f, reason, column] of cases) {
      const message = error(f, [{ name: 'b', default: 1 }]);
      expect(message, f).toMatch(/^fromExpression\('sq'\): f: /);
      expect(message, f).toMatch(reason);
      const [first, shown, caret] = message.split('\n');
      expect(first, f).toMatch(new RegExp(` at column ${column}$`));
      expect(shown, f).toBe(`  ${f}`);
      expect(caret, f).toBe(`  ${' '.repeat(column - 1)}^`);
    }
  });

  it('bad options name the value involved', () => {
    const make = (options: object) => () => fromExpression({ name: 'sq', f: 'x*a', ...options } as never);
    expect(make({ params: [{ name: 'e', default: 1 }] })).toThrow(/fromExpression\('sq'\): parameter "e": 'e' is reserved in formulas/);
    expect(make({ params: [{ name: 'exp', default: 1 }] })).toThrow(/'exp' is reserved/);
    expect(make({ params: [{ name: 'a', default: 1 }, { name: 'a', default: 2 }] })).toThrow(/parameter "a" is declared twice/);
    expect(make({ params: [{ name: 'a', default: [1, 2] }] })).toThrow(/an array default \(\[1,2\]\) needs perChannel: true/);
    expect(make({ params: [{ name: 'a', default: NaN }] })).toThrow(/parameter "a": default must be a finite number, got null/);
    expect(make({ params: [{ name: '2a', default: 1 }] })).toThrow(/parameter "2a": a name is letters/);
    expect(make({ params: [{ name: 'a', default: 1 }, { name: 'c', default: 1 }] })).toThrow(/parameter 'c' declared but not used in f/);
    expect(make({ params: [{ name: 'a', default: 1 }], range: [2, 1] })).toThrow(/range must be \[low, high\] with finite low < high, got \[2,1\]/);
    expect(make({ params: [{ name: 'a', default: 1 }], name: 'no spaces' })).toThrow(/fromExpression\('no spaces'\): name must be letters/);
    expect(make({ params: [{ name: 'a', default: 1 }], f: 42 })).toThrow(/f must be a formula string, got number/);
  });
});

// --- derivatives ----------------------------------------------------------------------

/** A grid of n points over [lo, hi]. */
const grid = (lo: number, hi: number, n = 101) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

/** Each function as a formula, over a range inside its domain; a and c are trainable. */
const FUNCTION_CASES: Record<FunctionName, { f: string; range: [number, number] }> = {
  exp: { f: 'exp(a*x + c)', range: [-5, 5] },
  log: { f: 'log(a*x + c)', range: [0.05, 6] },
  log1p: { f: 'log1p(a*x + c)', range: [-0.6, 6] },
  expm1: { f: 'expm1(a*x + c)', range: [-5, 5] },
  sqrt: { f: 'sqrt(a*x + c)', range: [0.05, 9] },
  abs: { f: 'abs(a*x + c)', range: [-4, 4] },
  sign: { f: 'sign(a*x + c)*x', range: [-4, 4] },
  sin: { f: 'sin(a*x + c)', range: [-7, 7] },
  cos: { f: 'cos(a*x + c)', range: [-7, 7] },
  tanh: { f: 'tanh(a*x + c)', range: [-5, 5] },
  sigmoid: { f: 'sigmoid(a*x + c)', range: [-8, 8] },
  softplus: { f: 'softplus(a*x + c)', range: [-8, 8] },
  erf: { f: 'erf(a*x + c)', range: [-3, 3] },
  min: { f: 'min(a*x, c)', range: [-3, 3] },
  max: { f: 'max(a*x, c)', range: [-3, 3] },
};

describe('derivatives', () => {
  it("f' and ∂f/∂param of every function agree with float64 central differences on a grid (away from kinks)", () => {
    for (const [fn, { f, range }] of Object.entries(FUNCTION_CASES)) {
      const spec = fromExpression({
        name: `d_${fn}`,
        f,
        range,
        params: [
          { name: 'a', default: 0.8, trainable: true },
          { name: 'c', default: 0.3, trainable: true },
        ],
      });
      const p: ActivationParamValues = { a: [0.8], c: [0.3] };
      const kinks = spec.kinks?.(p) ?? [];
      let checked = 0;
      for (const x of grid(range[0], range[1])) {
        if (kinks.some((k) => Math.abs(x - k) < 1e-2)) continue;
        const y = spec.cpu.f(x, p, 0);
        const numeric = numericDerivative((v) => spec.cpu.f(v, p, 0), x);
        expect(numeric, `${fn}: ${f} is not smooth at x = ${x}`).not.toBeNull();
        expect(relative(spec.cpu.df(x, y, p, 0), numeric!), `${fn}: f' = ${spec.expression.df} at x = ${x}`).toBeLessThan(1e-6);
        for (const name of ['a', 'c']) {
          const numericParam = numericDerivative((v) => spec.cpu.f(x, { ...p, [name]: [v] }, 0), p[name][0]);
          const analytic = spec.cpu.dparams![name](x, y, p, 0, 0);
          expect(relative(analytic, numericParam!), `${fn}: ∂f/∂${name} = ${spec.expression.dparams[name]} at x = ${x}`).toBeLessThan(1e-6);
        }
        checked++;
      }
      expect(checked, fn).toBeGreaterThan(90);
    }
  });

  it('random formulas: d/dx and d/db agree with central differences wherever f is smooth', () => {
    let checked = 0;
    let total = 0;
    fc.assert(
      fc.property(formula(5), inputs, (tree, x) => {
        total++;
        const dx = derive(tree, 'x');
        const db = derive(tree, 'b');
        // Where a part of f or of a derivative is infinite (sqrt'(0)), the derivative meets
        // 0·inf (NaN, as in PyTorch) while f may be finite and smooth. At a switching point
        // (abs(0), a tie in min(abs(x), x)) PyTorch's conventions apply, which need not be
        // the derivative of the whole f there: those are tested on their own above.
        if (![tree, dx, db].every((e) => allFinite(e, x)) || atSwitchingPoint(tree, x)) return;
        const numericX = numericDerivative((v) => at(tree, v), x);
        const numericB = numericDerivative((v) => at(tree, x, v), B);
        if (numericX === null || numericB === null) return;
        checked++;
        const text = print(tree);
        expect(relative(at(dx, x), numericX), `d/dx ${text} = ${print(dx)} at x = ${x}`).toBeLessThan(1e-5);
        expect(relative(at(db, x), numericB), `d/db ${text} = ${print(db)} at x = ${x}`).toBeLessThan(1e-5);
      }),
      { seed: SEED, numRuns: 600 },
    );
    // Most random formulas are smooth at most points: the check must have run on them.
    console.log(`random formulas: derivatives checked at ${checked} of ${total} points (the rest: not smooth, not finite, or a switching point there)`);
    expect(checked / total).toBeGreaterThan(0.5);
  });

  it("PyTorch's conventions: abs'(0) = 0, max/min split a tie evenly, where() differentiates the branch its condition picks, comparisons have derivative 0", () => {
    const dAt = (f: string, x: number) => evaluate(derive(parse(f), 'x'), { x });
    expect(dAt('abs(x)', 0)).toBe(0);
    expect(dAt('abs(x)', -2)).toBe(-1);
    expect(dAt('max(x, 0)', 0)).toBe(0.5);
    expect(dAt('min(x, 0)', 0)).toBe(0.5);
    expect(dAt('max(x, 0)', 1)).toBe(1);
    expect(dAt('max(x, 0)', -1)).toBe(0);
    expect(dAt('max(2*x, x)', 0)).toBe(1.5); // torch.maximum: (2 + 1)/2 at the tie
    expect(dAt('max(x, x)', 3)).toBe(1);
    // where(c, a, b)' = where(c, a', b'): the same condition picks the branch of the derivative.
    expect(print(derive(parse('where(x > 0, x^2, 3*x)'), 'x'))).toBe('where(x > 0, 2*x, 3)');
    expect(dAt('where(x > 0, x^2, 3*x)', 0)).toBe(3);
    expect(dAt('where(x > 0, x^2, 3*x)', 1)).toBe(2);
    expect(print(derive(parse('(x > 0)*x'), 'x'))).toBe('x > 0');
    expect(print(derive(parse('x > 0'), 'x'))).toBe('0');
    expect(dAt('sqrt(x)', 0)).toBe(Infinity); // as torch.sqrt's gradient at 0
  });

  it('squareplus with a trainable b: derived exactly as the analytic forms, and equal to them for several b', () => {
    const spec = fromExpression({
      name: 'squareplus',
      f: '(x + sqrt(x*x + b)) / 2',
      params: [{ name: 'b', default: 4, trainable: true }],
      range: [-6, 6],
    });
    expect(spec.expression.f).toBe('(x + sqrt(x*x + b))/2');
    expect(spec.expression.df).toBe('(1 + x/sqrt(x^2 + b))/2');
    expect(spec.expression.dparams).toEqual({ b: '1/(4*sqrt(x^2 + b))' });
    for (const b of [4, 0.5, 9]) {
      const p = { b: [b] };
      for (const x of grid(-6, 6, 49)) {
        const y = spec.cpu.f(x, p, 0);
        expect(y).toBeCloseTo((x + Math.sqrt(x * x + b)) / 2, 14);
        expect(spec.cpu.df(x, y, p, 0)).toBeCloseTo((1 + x / Math.sqrt(x * x + b)) / 2, 14);
        expect(spec.cpu.dparams!.b(x, y, p, 0, 0)).toBeCloseTo(1 / (4 * Math.sqrt(x * x + b)), 14);
      }
    }
  });
});

// --- the simplifier -------------------------------------------------------------------

describe('simplify', () => {
  it('folds constants, drops 0 and 1, collects like terms and factors, pulls out common factors', () => {
    const cases: [string, string][] = [
      ['x - x', '0'],
      ['0*sin(x) + 1*x', 'x'],
      ['x + x + x', '3*x'],
      ['2*x/(2*sqrt(x))', 'x/sqrt(x)'],
      ['(1/(2*sqrt(b)))/2', '1/(4*sqrt(b))'],
      ['x*x*x/x', 'x^2'],
      ['(1 + 0)/2', '0.5'],
      ['1/3', '1/3'],
      ['0.1 + 0.2', '0.1 + 0.2'],
      ['sqrt(16) + exp(0) + log(1)', '5'],
      ['-(-x)', 'x'],
      ['x - -2', 'x + 2'],
      ['x^1 + b^0', 'x + 1'],
      ['sigmoid(x) + x*sigmoid(x)*(1 - sigmoid(x))', 'sigmoid(x)*(1 + x*(1 - sigmoid(x)))'],
      ['x/b + 2/b', '(x + 2)/b'],
      ['sin(x)*b*x', 'b*x*sin(x)'],
      ['where(x > 0, 2*x/2, x)', 'x'],
      ['where(2 > 1, x, b)', 'x'],
      ['abs(-abs(x))', 'abs(x)'],
      ['x^0.5*x^0.5', 'x^0.5*x^0.5'],
      ['x/0', 'x/0'],
    ];
    for (const [text, simplified] of cases) expect(print(simplify(parse(text, { params: ['b'] }))), text).toBe(simplified);
  });

  it('keeps the value of random formulas (where finite) and is idempotent', () => {
    fc.assert(
      fc.property(formula(5), inputs, (tree, x) => {
        const s = simplify(tree);
        expect(print(simplify(s))).toBe(print(s));
        // The simplifier takes 0·a = 0 and a/a = 1: where a part of f is not finite, values may differ.
        if (!allFinite(tree, x) || Math.abs(at(tree, x)) > 1e6) return;
        const [want, got] = [at(tree, x), at(s, x)];
        expect(relative(got, want), `${print(tree)} → ${print(s)} at x = ${x}`).toBeLessThan(1e-9);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

// --- the emitted JavaScript -----------------------------------------------------------

describe('the CPU form', () => {
  it('the emitted JavaScript computes exactly what the reference evaluator computes, NaN and infinities included', () => {
    const xs = fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e4, -1e4));
    fc.assert(
      fc.property(formula(5), xs, (tree, x) => {
        const trainable = paramsUsed(tree).includes('b');
        const spec = fromExpression({ name: 'js', f: print(tree), params: trainable ? [{ name: 'b', default: B, trainable: true }] : [] });
        const p = { b: [B] };
        const y = spec.cpu.f(x, p, 0);
        const same = (got: number, want: number, what: string) =>
          expect(sameNumber(got, want), `${what} of ${print(tree)} at x = ${x}: ${got} != ${want}\n${spec.expression.js.df}`).toBe(true);
        same(y, at(tree, x), 'f');
        same(spec.cpu.df(x, y, p, 0), at(derive(tree, 'x'), x), "f'");
        if (trainable) same(spec.cpu.dparams!.b(x, y, p, 0, 0), at(derive(tree, 'b'), x), '∂f/∂b');
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('NaN and infinities as PyTorch: NaN in gives NaN out, log(0) = -inf, max/min propagate NaN, 1^NaN = 1', () => {
    const f = (text: string, x: number) => fromExpression({ name: 'nan', f: text }).cpu.f(x, {}, 0);
    for (const fn of UNARY) expect(f(`${fn}(x)`, NaN), fn).toBeNaN();
    expect(f('max(x, 1)', NaN)).toBeNaN();
    expect(f('min(1, x)', NaN)).toBeNaN();
    expect(f('log(x)', 0)).toBe(-Infinity);
    expect(f('log(x)', -1)).toBeNaN();
    expect(f('log1p(x)', -1)).toBe(-Infinity);
    expect(f('sqrt(x)', -1)).toBeNaN();
    expect(f('exp(x)', Infinity)).toBe(Infinity);
    expect(f('sigmoid(x)', -Infinity)).toBe(0);
    expect(f('softplus(x)', Infinity)).toBe(Infinity);
    expect(f('tanh(x)', -Infinity)).toBe(-1);
    expect(f('erf(x)', Infinity)).toBe(1);
    expect(f('1^x', NaN)).toBe(1);
    expect(f('x^0', NaN)).toBe(1);
    expect(f('(-1)^x', Infinity)).toBe(1);
    expect(f('x^0.5', -4)).toBeNaN();
    expect(f('x^3', -2)).toBe(-8);
    expect(f('x > 0', NaN)).toBe(0);
    expect(f('x != 0', NaN)).toBe(1);
    expect(f('where(x > 0, 1, 2)', NaN)).toBe(2);
  });

  it('reads a shared parameter as p.NAME[0] and a per-channel one by channel; y stands for f in the derivatives', () => {
    const spec = fromExpression({
      name: 'swish_pc',
      f: 'x*sigmoid(beta*x)',
      params: [{ name: 'beta', default: [1, 2, 3], trainable: true, perChannel: true }],
    });
    const p = { beta: [1, 2, 3] };
    for (const ch of [0, 1, 2]) expect(spec.cpu.f(1.5, p, ch)).toBeCloseTo(1.5 / (1 + Math.exp(-(ch + 1) * 1.5)), 14);
    expect(spec.cpu.f(1.5, { beta: [2] }, 2)).toBeCloseTo(1.5 / (1 + Math.exp(-3)), 14);
    expect(spec.wgsl.f).toBe('return x * gsx_sigmoid(p_beta(ch) * x);');
    expect(spec.expression.df).toBe('sigmoid(beta*x)*(1 + beta*x*sigmoid(-beta*x))');
    expect(spec.expression.dparams.beta).toBe('x^2*sigmoid(beta*x)*sigmoid(-beta*x)');

    const sigmoid = fromExpression({ name: 'sig', f: 'sigmoid(x)' });
    // σ' = σ(x)·σ(−x), stable in float32 where 1 − σ(x) cancels; σ(x) itself is y.
    expect(sigmoid.expression.df).toBe('sigmoid(x)*sigmoid(-x)');
    expect(sigmoid.wgsl.df).toBe('return y * gsx_sigmoid(-x);');
    expect(sigmoid.expression.js.df).toBe('function df(x, y, p, ch) {\n  return y * lib.sigmoid(-x);\n}');
  });
});

// --- the spec -------------------------------------------------------------------------

describe('fromExpression', () => {
  it('makes a complete spec: the formula, parameters, range, derivativeUses, WGSL with its helpers', () => {
    const spec = fromExpression({
      name: 'squareplus',
      f: '(x + sqrt(x*x + b)) / 2',
      params: [{ name: 'b', default: 4, trainable: true }],
      range: [-6, 6],
      aliases: ['SquarePlus'],
      reference: 'So, "Squareplus: A Softplus-Like Algebraic Rectifier", 2021',
    });
    expect(spec).toMatchObject({
      name: 'squareplus',
      aliases: ['SquarePlus'],
      formula: '(x + sqrt(x*x + b)) / 2',
      range: [-6, 6],
      params: [{ name: 'b', default: 4, trainable: true }],
      derivativeUses: 'input',
    });
    expect(spec.convention).toMatch(/^f' = \(1 \+ x\/sqrt\(x\^2 \+ b\)\)\/2; ∂f\/∂b = 1\/\(4\*sqrt\(x\^2 \+ b\)\) \(derived symbolically/);
    expect(spec.kinks).toBeUndefined();
    expect(spec.wgsl.f).toBe('return (x + gsx_sqrt(x * x + p_b(0u))) / 2.0;');
    expect(spec.wgsl.df).toBe('return (1.0 + x / gsx_sqrt(x * x + p_b(0u))) / 2.0;');
    expect(spec.wgsl.dparams).toEqual({ b: 'return 1.0 / (4.0 * gsx_sqrt(x * x + p_b(0u)));' });
    expect(spec.wgsl.helpers).toMatch(/^fn gsx_is_nan[^]*fn gsx_nan[^]*fn gsx_sqrt/);
  });

  it("derivativeUses: 'output' when no derivative reads x once f reads y, so the forward keeps nothing extra", () => {
    const uses = (f: string, params: { name: string; default: number; trainable?: boolean }[] = []) => fromExpression({ name: 'u', f, params }).derivativeUses;
    expect(uses('tanh(x)')).toBe('output'); // f' = 1 - y^2
    expect(fromExpression({ name: 'u', f: 'tanh(x)' }).wgsl.df).toBe('return 1.0 - y * y;');
    expect(uses('x')).toBe('output');
    expect(uses('x > 0')).toBe('output'); // f' = 0
    expect(uses('2*x + c', [{ name: 'c', default: 1, trainable: true }])).toBe('output'); // f' = 2, ∂f/∂c = 1
    expect(uses('sigmoid(x)')).toBe('input'); // σ(x)σ(−x): σ(−x) reads x
    expect(uses('where(x > 0, x, 0)')).toBe('input');
    expect(uses('x*(x > 0)')).toBe('input'); // f' = (x > 0)
    // f' = a(1 − y²) reads only y, but ∂f/∂a = x(1 − y²) reads x.
    expect(uses('tanh(a*x)', [{ name: 'a', default: 1 }])).toBe('output');
    expect(uses('tanh(a*x)', [{ name: 'a', default: 1, trainable: true }])).toBe('input');
  });

  it('repeated subexpressions are computed once, into locals, in both languages', () => {
    const spec = fromExpression({ name: 'mish', f: 'x*tanh(softplus(x))' });
    expect(spec.expression.df).toBe('tanh(softplus(x)) + x*(1 - tanh(softplus(x))^2)*sigmoid(x)');
    expect(spec.wgsl.df).toBe('let t0 = gsx_tanh(gsx_softplus(x));\nreturn t0 + x * (1.0 - t0 * t0) * gsx_sigmoid(x);');
    expect(spec.expression.js.df).toBe(
      'function df(x, y, p, ch) {\n  const t0 = Math.tanh(lib.softplus(x));\n  return t0 + x * (1 - t0 * t0) * lib.sigmoid(x);\n}',
    );
  });

  it('kinks: the zeros of abs, sign, max/min differences, comparisons and where conditions that are linear in x', () => {
    const kinks = (f: string, params: { name: string; default: number }[] = [], values: ActivationParamValues = {}) =>
      fromExpression({ name: 'k', f, params }).kinks?.(values) ?? [];
    expect(kinks('abs(x - t)', [{ name: 't', default: 2 }], { t: [2] })).toEqual([2]);
    expect(kinks('abs(x - t)', [{ name: 't', default: 2 }], { t: [-0.5] })).toEqual([-0.5]);
    expect(kinks('max(x, a*x)', [{ name: 'a', default: 0.1 }], { a: [0.1] })).toEqual([0]);
    expect(kinks('where(2*x > 1, x, 0) + (x < -3)*x')).toEqual([0.5, -3]);
    expect(kinks('where(x - 1, x, 0)')).toEqual([1]);
    expect(kinks('sign(3 - x)*x + min(x, 1)')).toEqual([3, 1]);
    expect(kinks('abs(x^2 - 1)')).toEqual([]);
    expect(kinks('max(x, x)')).toEqual([]);
  });
});
