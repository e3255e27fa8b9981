// Where f is evidently not differentiable: the zero of every abs, sign, max/min
// difference, comparison and where() condition whose argument is linear in x (a·x + b,
// a ≠ 0, a and b free of x). The zero −b/a is kept as an expression of the parameters,
// so kinks follow parameter values (where(x > t, ...) kinks at t). Anything nonlinear
// (abs(x^2 - 1)) is left out: a gradient check's grid then has to avoid it by itself.

import { dependsOn, div, isLiteral, neg, num, some, sub, substituteX, type Expr } from './ast';
import { derive } from './derive';
import { evaluate } from './evaluate';
import { print } from './print';
import { simplify } from './simplify';

/** The arguments whose zeros are kinks or jumps. */
function switchingArguments(f: Expr): Expr[] {
  const found: Expr[] = [];
  some(f, (n) => {
    if (n.kind === 'call' && (n.fn === 'abs' || n.fn === 'sign')) found.push(n.args[0]);
    if (n.kind === 'call' && (n.fn === 'max' || n.fn === 'min')) found.push(sub(n.args[0], n.args[1]));
    if (n.kind === 'compare') found.push(sub(n.left, n.right));
    if (n.kind === 'where' && n.cond.kind !== 'compare') found.push(n.cond);
    return false;
  });
  return found;
}

/** The kink locations as expressions of the parameters, each once. */
export function kinkExpressions(f: Expr): Expr[] {
  const kinks = new Map<string, Expr>();
  for (const g of switchingArguments(f)) {
    const slope = derive(g, 'x');
    if (isLiteral(slope, 0) || dependsOn(slope, 'x')) continue;
    const kink = simplify(neg(div(substituteX(g, num(0)), slope)));
    kinks.set(print(kink), kink);
  }
  return [...kinks.values()];
}

/** The kinks at given parameter values (one number each), finite ones only, each once. */
export function kinksAt(kinks: readonly Expr[], params: Readonly<Record<string, number>>): number[] {
  const values = kinks.map((k) => evaluate(k, { x: NaN, params })).filter(Number.isFinite);
  return [...new Set(values)];
}
