// gs.nn: modules and training.
export { Module, type StateValue, type StateDict, type ShapedValue } from './module';
export { Linear, type LinearOptions } from './linear';
export { Sequential } from './sequential';
export { Activation, RReLU, Softmax, activation, type ActivationOptions } from './activation';
export { mlp, layerSeed, type MlpOptions } from './mlp';
export { fit, evaluate, type FitOptions, type FitProgress, type FitResult, type EvaluateResult, type LossFunction } from './train';
export type { EpochRecord } from './epoch';
export { makeCheckpoint, saveCheckpoint, loadCheckpointInto, type CheckpointTarget } from './checkpoint';
