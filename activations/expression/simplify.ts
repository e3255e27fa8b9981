// A small simplifier, enough to make derived formulas read like the ones people write:
// constants folded (when the result is a short number: 1/2 → 0.5 but 1/3 stays),
// 0 and 1 identities, like terms collected (x + x → 2*x, x - x → 0), products gathered
// into one fraction with one numeric coefficient (2*x/(2*s) → x/s), repeated factors
// into powers (a*a → a^2), and factors common to every term of a sum pulled out
// (s + x*s*(1 - s) → s*(1 + x*(1 - s))). It is not a computer algebra system: it never
// expands products, and it keeps a/a = 1 and 0*a = 0 (true wherever a is finite and,
// for the first, non-zero). Integer powers merge; fractional ones stay apart
// (x^0.5*x^0.5 is NaN below 0 while x is not).

import { binary, call, children, div, isLiteral, isNumber, mul, neg, num, pow, sub, add, withChildren, type Expr } from './ast';
import { arithmeticValue, compareValue, evaluate, isTrue } from './evaluate';
import { print } from './print';

/** Largest finite float32: a folded constant beyond it would not survive in WGSL. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A folded number must be finite in float32 and short to print (0.5, 1e-7; not 0.333…). */
function isShort(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= FLOAT32_MAX && String(v).length <= 12;
}

export function simplify(e: Expr): Expr {
  // A sum is simplified whole, from its terms: simplifying (a + b) on its own first could
  // pull out a factor that the whole sum (a + b + c) does not share, and a second pass
  // would then see a different grouping.
  if (isSum(e) || (e.kind === 'neg' && isSum(e.arg))) return simplifySum(mapTerms(e, simplify));
  return simplifyNode(withChildren(e, children(e).map(simplify)));
}

/** The sum e with each of its terms replaced, its + and - kept. */
function mapTerms(e: Expr, f: (term: Expr) => Expr): Expr {
  if (e.kind === 'binary' && (e.op === '+' || e.op === '-')) return binary(e.op, mapTerms(e.left, f), mapTerms(e.right, f));
  if (e.kind === 'neg' && isSum(e.arg)) return neg(mapTerms(e.arg, f));
  return f(e);
}

const isSum = (e: Expr): boolean => e.kind === 'binary' && (e.op === '+' || e.op === '-');

/** One node whose children are already simplified. */
function simplifyNode(e: Expr): Expr {
  switch (e.kind) {
    case 'neg':
      return isSum(e.arg) ? simplifySum(e) : simplifyProduct(e);
    case 'binary':
      if (e.op === '+' || e.op === '-') return simplifySum(e);
      if (e.op === '^') return simplifyPower(e.left, e.right);
      return simplifyProduct(e);
    case 'compare':
      return isNumber(e.left) && isNumber(e.right) ? num(compareValue(e.op, e.left.value, e.right.value) ? 1 : 0) : e;
    case 'where':
      if (isNumber(e.cond)) return isTrue(e.cond.value) ? e.ifTrue : e.ifFalse;
      return print(e.ifTrue) === print(e.ifFalse) ? e.ifTrue : e;
    case 'call': {
      if (e.args.every((a) => isNumber(a))) {
        const v = evaluate(e, { x: NaN });
        if (isShort(v)) return num(v);
      }
      const [a] = e.args;
      // abs(-a) = abs(abs(a)) = abs(a)
      if (e.fn === 'abs' && a.kind === 'neg') return simplifyNode(call('abs', a.arg));
      if (e.fn === 'abs' && a.kind === 'call' && a.fn === 'abs') return a;
      return e;
    }
    default:
      return e;
  }
}

function simplifyPower(base: Expr, exponent: Expr): Expr {
  if (isLiteral(exponent, 0) || isLiteral(base, 1)) return num(1);
  if (isLiteral(exponent, 1)) return base;
  if (isNumber(base) && isNumber(exponent)) {
    const v = arithmeticValue('^', base.value, exponent.value);
    if (isShort(v)) return num(v);
  }
  // A numeric power is a product of one factor: x^-1 → 1/x, (x^2)^3 → x^6, as inside products.
  return isNumber(exponent) && !isNumber(base) ? simplifyProduct(pow(base, exponent)) : pow(base, exponent);
}

// --- products: coefficient · Π baseᵉ ------------------------------------------------------

interface Factor {
  base: Expr;
  /** Negative: the factor divides. */
  exponent: number;
  key: string;
}

/** A product c/d · Π baseᵉ: numerator and denominator coefficients kept apart so 1/3 stays exact. */
interface Product {
  coef: number;
  den: number;
  factors: Factor[];
}

function addFactor(factors: Factor[], base: Expr, exponent: number): void {
  const key = print(base);
  const same = factors.find((f) => f.key === key && Number.isInteger(f.exponent) && Number.isInteger(exponent));
  if (same) same.exponent += exponent;
  else factors.push({ base, exponent, key });
}

/** The product e stands for, or null when it divides by a literal 0 (kept as written). */
function flattenProduct(e: Expr): Product | null {
  const p: Product = { coef: 1, den: 1, factors: [] };
  let safe = true;
  // Visit n^k: k is 1, -1 inside a denominator, or an integer power distributed over a
  // product ((a*b)^2 = a^2*b^2, (u^2)^3 = u^6: exact for integer powers only).
  const visit = (n: Expr, k: number): void => {
    if (n.kind === 'number') {
      if (k < 0 && n.value === 0) safe = false;
      if (k > 0) p.coef *= n.value ** k;
      else p.den *= n.value ** -k;
    } else if (n.kind === 'neg') {
      p.coef *= (-1) ** k;
      visit(n.arg, k);
    } else if (n.kind === 'binary' && (n.op === '*' || n.op === '/')) {
      visit(n.left, k);
      visit(n.right, n.op === '/' ? -k : k);
    } else if (n.kind === 'binary' && n.op === '^' && isNumber(n.right) && Number.isInteger(n.right.value)) {
      visit(n.left, k * n.right.value);
    } else if (n.kind === 'binary' && n.op === '^' && isNumber(n.right) && Math.abs(k) === 1) {
      addFactor(p.factors, n.left, k * n.right.value);
    } else {
      addFactor(p.factors, n, k);
    }
  };
  visit(e, 1);
  if (!safe) return null;
  p.factors = p.factors.filter((f) => f.exponent !== 0).sort((f, g) => factorRank(f.base) - factorRank(g.base));
  [p.coef, p.den] = reduceCoefficients(p.coef, p.den);
  return p;
}

/** Factors read in this order: constants, parameters, x, then the rest as they came (b*x*sigmoid(b*x)). */
function factorRank(base: Expr): number {
  return base.kind === 'constant' ? 0 : base.kind === 'param' ? 1 : base.kind === 'x' ? 2 : 3;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** c/d in lowest terms, denominator positive; folded into one number when that reads well. */
function reduceCoefficients(coef: number, den: number): [number, number] {
  if (den < 0) [coef, den] = [-coef, -den];
  if (den === 1 || coef === 0) return [coef, 1];
  const ratio = coef / den;
  if (Number.isInteger(ratio)) return [ratio, 1];
  if (Number.isInteger(den / coef)) return [Math.sign(coef), Math.abs(den / coef)];
  if (Number.isInteger(coef) && Number.isInteger(den)) {
    const g = gcd(Math.abs(coef), den);
    return [coef / g, den / g];
  }
  return isShort(ratio) ? [ratio, 1] : [coef, den];
}

const productOf = (list: Expr[]): Expr => list.reduce((a, b) => mul(a, b));

function powerOf(f: Factor, exponent: number): Expr {
  return exponent === 1 ? f.base : pow(f.base, num(exponent));
}

/** coef/den · factors as a tree: numeric coefficient first, one division at the top. */
function buildProduct(coef: number, den: number, factors: readonly Factor[]): Expr {
  if (coef === 0) return num(0);
  if (factors.length === 0) {
    if (den === 1) return num(coef);
    return isShort(coef / den) ? num(coef / den) : div(num(coef), num(den));
  }
  const top = factors.filter((f) => f.exponent > 0).map((f) => powerOf(f, f.exponent));
  const bottom = factors.filter((f) => f.exponent < 0).map((f) => powerOf(f, -f.exponent));
  const magnitude = Math.abs(coef);
  if (magnitude !== 1 || top.length === 0) top.unshift(num(coef));
  else if (coef < 0) top[0] = isSum(top[0]) ? simplifySum(neg(top[0])) : neg(top[0]); // -(a + b) reads a - b, as simplify makes it
  if (den !== 1) bottom.unshift(num(den));
  return bottom.length > 0 ? div(productOf(top), productOf(bottom)) : productOf(top);
}

function simplifyProduct(e: Expr): Expr {
  const p = flattenProduct(e);
  if (!p) return e;
  return buildProduct(p.coef, p.den, p.factors);
}

// --- sums: Σ coefficient · term -----------------------------------------------------------

interface Term extends Product {
  /** The term without its coefficient, printed: like terms share it. */
  key: string;
}

function flattenSum(e: Expr): Term[] {
  const terms: Term[] = [];
  const visit = (n: Expr, sign: number): void => {
    if (n.kind === 'binary' && (n.op === '+' || n.op === '-')) {
      visit(n.left, sign);
      visit(n.right, n.op === '-' ? -sign : sign);
      return;
    }
    if (n.kind === 'neg' && isSum(n.arg)) {
      visit(n.arg, -sign);
      return;
    }
    const p = flattenProduct(n) ?? { coef: 1, den: 1, factors: [{ base: n, exponent: 1, key: print(n) }] };
    const key = print(buildProduct(1, 1, p.factors));
    const like = terms.find((t) => t.key === key);
    const combined = like && reduceCoefficients(like.coef * p.den + sign * p.coef * like.den, like.den * p.den);
    // Like terms merge when the sum reads well: 0.1 + 0.2 stays (0.30000000000000004 would not).
    if (like && combined!.every(isShort)) [like.coef, like.den] = combined!;
    else terms.push({ coef: sign * p.coef, den: p.den, factors: p.factors, key });
  };
  visit(e, 1);
  return terms.filter((t) => t.coef !== 0);
}

/** Σ terms as a tree, in first-appearance order; a negative term after the first is subtracted. */
function buildSum(terms: readonly Term[]): Expr {
  if (terms.length === 0) return num(0);
  return terms
    .slice(1)
    .reduce(
      (sum, t) => (t.coef < 0 ? sub(sum, buildProduct(-t.coef, t.den, t.factors)) : add(sum, buildProduct(t.coef, t.den, t.factors))),
      buildProduct(terms[0].coef, terms[0].den, terms[0].factors),
    );
}

/** The factors every term shares (integer powers, the smallest of each), or none. */
function commonFactors(terms: readonly Term[]): Factor[] {
  if (terms.length < 2) return [];
  const common: Factor[] = [];
  for (const f of terms[0].factors) {
    if (!Number.isInteger(f.exponent)) continue;
    let exponent = f.exponent;
    for (const t of terms.slice(1)) {
      const g = t.factors.find((h) => h.key === f.key && Number.isInteger(h.exponent) && Math.sign(h.exponent) === Math.sign(f.exponent));
      exponent = g ? Math.sign(exponent) * Math.min(Math.abs(exponent), Math.abs(g.exponent)) : 0;
      if (exponent === 0) break;
    }
    if (exponent !== 0) common.push({ ...f, exponent });
  }
  return common;
}

function simplifySum(e: Expr): Expr {
  const terms = flattenSum(e);
  const common = commonFactors(terms);
  if (common.length === 0) return buildSum(terms);
  const rest = terms.map((t) => {
    const factors: Factor[] = [];
    for (const f of t.factors) {
      const c = common.find((g) => g.key === f.key && Number.isInteger(f.exponent));
      const exponent = c ? f.exponent - c.exponent : f.exponent;
      if (exponent !== 0) factors.push({ ...f, exponent });
    }
    return { ...t, factors, key: print(buildProduct(1, 1, factors)) };
  });
  // What is left may itself simplify: b*(-x) + b*(b + x) → b*(-x + b + x) → b*b.
  return simplifyProduct(mul(buildProduct(1, 1, common), simplifySum(buildSum(rest))));
}
