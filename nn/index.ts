// gs.nn: modules and training.
export { Module, type StateValue } from './module';
export { Linear, type LinearOptions } from './linear';
export { Sequential } from './sequential';
export { Activation, Softmax, activation, type ActivationOptions } from './activation';
