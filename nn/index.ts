// gs.nn: modules and training.
export { Module, type StateValue, type StateDict, type ShapedValue } from './module';
export { Linear, type LinearOptions } from './linear';
export { Sequential } from './sequential';
export { Activation, RReLU, Softmax, activation, type ActivationOptions } from './activation';
export { mlp, layerSeed, type MlpOptions } from './mlp';
export { fit, evaluate, type FitOptions, type FitProgress, type FitResult, type EpochRecord, type EvaluateResult, type LossFunction, type CheckpointTarget } from './train';
export { makeCheckpoint, saveCheckpoint, loadCheckpointInto } from './checkpoint';
