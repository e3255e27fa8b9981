// Symbolic derivatives: d/dx, or d/dparam for a parameter, simplified at every step so
// that a rule can see when a part does not depend on the variable (the quotient and
// power rules then take their short forms). The conventions are PyTorch's: abs'(0) = 0,
// max and min split the gradient evenly at a tie, where(c, a, b) differentiates both
// branches under the same condition, and comparisons have zero derivative. The rules for
// the named functions sit next to them in functions.ts.

import { add, call, dependsOn, div, isLiteral, mul, neg, num, pow, sub, where, type Expr, type Variable } from './ast';
import { FUNCTIONS } from './functions';
import { simplify } from './simplify';

/** d e / d variable ('x' or a parameter name), simplified. */
export function derive(e: Expr, variable: Variable): Expr {
  if (!dependsOn(e, variable)) return num(0);
  const d = (n: Expr) => derive(n, variable);
  switch (e.kind) {
    case 'x':
    case 'param':
      return num(1); // it is the variable: anything else does not depend on it
    case 'neg':
      return simplify(neg(d(e.arg)));
    case 'compare':
      return num(0);
    case 'where':
      return simplify(where(e.cond, d(e.ifTrue), d(e.ifFalse)));
    case 'call': {
      return simplify(FUNCTIONS[e.fn].derivative(e.args, e.args.map(d)));
    }
    case 'binary': {
      const { left: a, right: b } = e;
      const da = d(a);
      const db = d(b);
      switch (e.op) {
        case '+':
          return simplify(add(da, db));
        case '-':
          return simplify(sub(da, db));
        case '*':
          return simplify(add(mul(da, b), mul(a, db)));
        case '/':
          if (isLiteral(db, 0)) return simplify(div(da, b));
          if (isLiteral(da, 0)) return simplify(neg(div(mul(a, db), pow(b, num(2)))));
          return simplify(div(sub(mul(da, b), mul(a, db)), pow(b, num(2))));
        case '^':
          // (a^b)' = b·a^(b−1)·a' for a constant exponent; a^b·ln(a)·b' for a constant base.
          if (isLiteral(db, 0)) return simplify(mul(mul(b, pow(a, sub(b, num(1)))), da));
          if (isLiteral(da, 0)) return simplify(mul(mul(e, call('log', a)), db));
          return simplify(mul(e, add(mul(db, call('log', a)), div(mul(b, da), a))));
      }
    }
    // falls through: every binary op returned
    default:
      return num(0); // number, constant: dependsOn was false
  }
}
