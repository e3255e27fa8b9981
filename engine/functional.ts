// The ops as gs.* functions (the same functions Tensor methods call).
export {
  add, sub, mul, div, neg, exp, log, sqrt, abs, pow, clamp, maximum, minimum,
  matmul, transpose, reshape, sum, mean, max, min, argmax, softmax, logSoftmax,
  activation as applyActivation, linear, detach, clone, affine,
  type ActivationInstance, type Reduction,
} from './ops';
