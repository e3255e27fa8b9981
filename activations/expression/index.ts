// The formula door for new activations: gs.activations.fromExpression (activations/index.ts),
// also how the built-ins that are plainly a formula are written. Everything here depends
// on the engine's types and the shared math, never the other way round.

export { fromExpression, type ExpressionOptions, type ExpressionActivationSpec, type ExpressionForms } from './from-expression';
export { parse, ExpressionSyntaxError, type ParseOptions } from './parse';
export { print } from './print';
export { derive } from './derive';
export { simplify } from './simplify';
export { evaluate, type Bindings } from './evaluate';
export { emitJs, buildCpu, type JsSources } from './emit-js';
export { emitWgsl } from './emit-wgsl';
export { kinkExpressions, kinksAt } from './kinks';
export { FUNCTIONS, type FunctionName } from './functions';
export type { Expr, ArithmeticOp, CompareOp, Variable } from './ast';
