// What a comparison produces: the shape of results.json, read by the table, the figures,
// the report and the browser page. Types only, apart from the helpers that read them.

import type { DeadLayer, LayerGradientStats } from '../nn/analysis/index';
import type { CompareOptions } from './options';

export interface Curves {
  /** 1, 2, ... N */
  epoch: number[];
  /** Mean training loss over each epoch's batches. */
  trainLoss: number[];
  /** Training accuracy over each epoch's batches (as they were seen, while learning). */
  trainAccuracy: number[];
  testLoss: number[];
  testAccuracy: number[];
  /** Loss of every training step, in order (steps count from 1 across epochs). */
  stepLoss: number[];
}

export interface RunResult {
  activation: string;
  testAccuracy: number;
  testLoss: number;
  finalTrainLoss: number;
  totalSeconds: number;
  secondsPerEpoch: number;
  samplesPerSecond: number;
  /**
   * Share of hidden units dead (exactly 0 on every test sample) after training; null
   * (not applicable) when the network has no hidden layer.
   */
  deadRatio: number | null;
  /** Per hidden activation layer (gs.analysis.deadNeurons); empty for the baseline and a network without hidden layers. */
  deadLayers: DeadLayer[];
  /** ‖∂L/∂W₁‖ / ‖∂L/∂W_out‖ on the fixed batch, after training (the table's figure) and before. */
  gradientRatio: number;
  gradientRatioStart: number;
  /** The training loss became NaN or infinite (no gradient statistics after training then). */
  diverged: boolean;
  /** gs.analysis.gradientStats per Linear layer, log-scaled histograms. */
  gradients: { start: LayerGradientStats[]; end: LayerGradientStats[] };
  curves: Curves;
}

/** f and f' of an activation (default parameters) on a grid. */
export interface ActivationCurve {
  x: number[];
  f: number[];
  df: number[];
}

export interface ActivationFigure {
  name: string;
  formula: string;
  curve: ActivationCurve;
  /** Z = f(x) + f(y) and |∇Z| on a points × points grid (row-major, one row per y). */
  surface: { x: number[]; y: number[]; z: number[]; gradMagnitude: number[] };
}

export interface ComparisonResult {
  tool: 'gradscope compare';
  createdAt: string;
  options: CompareOptions;
  backend: string;
  dataset: { name: string; description: string; features: number; classes: number; train: number; test: number };
  /** activationsCompared: the runs in the order they were trained (their labels). */
  network: { layers: number[]; activationsCompared: string[] };
  /** Sorted by test accuracy, best first. */
  runs: RunResult[];
  activations: ActivationFigure[];
  totalSeconds: number;
}

/**
 * The name a run goes by in tables, legends and colours. Today a run is its activation;
 * when runs differ by more (an activation's parameters, a seed), this is the one place
 * that says how they are told apart.
 */
export function runLabel(run: Pick<RunResult, 'activation'>): string {
  return run.activation;
}

/** The runs in the order they were trained (results.json keeps them sorted by accuracy). */
export function runsInTrainingOrder(result: Pick<ComparisonResult, 'runs' | 'network'>): RunResult[] {
  const order = result.network.activationsCompared;
  return result.runs.slice().sort((a, b) => order.indexOf(runLabel(a)) - order.indexOf(runLabel(b)));
}

/** Whether units can die: a network without hidden layers has no hidden unit (every deadRatio is null then). */
export function deadUnitsApply(result: Pick<ComparisonResult, 'runs'>): boolean {
  return !result.runs.some((run) => run.deadRatio === null);
}
