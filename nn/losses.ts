// Loss functions (the math and gradient rules are in engine/ops.ts).
export { crossEntropy, mse, bceWithLogits, type Reduction } from '../engine/ops';
