// gs.analysis: the tools people use to study activation functions and gradient flow.
// Every analysis runs on either backend, reduces on the device, and returns plain data
// (numbers, arrays, Float32Array) that the examples and the command line plot.
export { activationSurface, type Surface, type SurfaceOptions } from './surface';
export { gradientStats, type GradientStats, type GradientStatsOptions, type LayerGradientStats, type LossFn } from './gradient-stats';
export { layerOutputs, type LayerOutput } from './layer-outputs';
export { deadNeurons, type DeadNeurons, type DeadLayer } from './dead-neurons';
export { initializerStudy, type InitializerStudyOptions, type InitializerStudyResult } from './initializer-study';
export { hessianTopEigenvalue, type HessianOptions, type HessianResult } from './hessian';
export { lossLandscape, filterNormalizedDirection, type LossLandscape, type LossLandscapeOptions } from './loss-landscape';
export { tensorStats, RunningStats, type Stats, type Histogram, type HistogramOptions } from './stats';
export type { Batch, Loader } from './loader';
