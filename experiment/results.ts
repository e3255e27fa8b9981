// What a comparison produces: the shape of results.json, read by the table, the figures,
// the report and the browser page. Types only, apart from the helpers that read them.

import type { DeadLayer, LayerGradientStats, LayerOutput } from '../nn/analysis/index';
import type { ActivationParams } from './activation-choices';
import type { GridCell } from './grid';
import type { InitializerDescription } from './initializer-table';
import type { CompareOptions } from './options';
import { seedsOf } from './seeds';
import type { SummaryEntry } from './statistics';

export interface Curves {
  /** 1, 2, ... N (with a step budget the last epoch may be partial). */
  epoch: number[];
  /** Mean training loss over each epoch's batches. */
  trainLoss: number[];
  /** Training accuracy over each epoch's batches (as they were seen, while learning). */
  trainAccuracy: number[];
  /** The optimizer steps taken when each test evaluation was made: every epoch's end, or every evalEvery steps and the last. */
  evalStep: number[];
  /** Test loss and accuracy at each evaluation (evalStep). */
  testLoss: number[];
  testAccuracy: number[];
  /** Loss of every training step, in order (steps count from 1 across epochs). */
  stepLoss: number[];
}

export interface RunResult {
  /** The activation's canonical name ('none': the baseline). */
  activation: string;
  /** The parameter values the run was given ({}: the activation's defaults). */
  params: ActivationParams;
  /** The name the run goes by: unique within the comparison's runs of one seed. */
  label: string;
  /** The seed it trained with: its initial weights and order of batches, shared by every activation of that seed. */
  seed: number;
  testAccuracy: number;
  testLoss: number;
  finalTrainLoss: number;
  totalSeconds: number;
  secondsPerEpoch: number;
  samplesPerSecond: number;
  /**
   * Share of hidden units dead (exactly 0 on every sample of the set options.deadOn names)
   * after training; null (not applicable) when the network has no hidden layer.
   */
  deadRatio: number | null;
  /** Per hidden activation layer (gs.analysis.deadNeurons); empty for the baseline and a network without hidden layers. */
  deadLayers: DeadLayer[];
  /**
   * The same count at initialisation, before the first step, over the same set. Absent in
   * results files of earlier versions (as every field marked optional here).
   */
  deadLayersStart?: DeadLayer[];
  /**
   * The distribution of each layer's output of the trained network over the test set
   * (gs.analysis.layerOutputs, linear bins): each hidden layer after its activation, then
   * the output layer's logits.
   */
  layerOutputs?: LayerOutput[];
  /** ‖∂L/∂W₁‖ / ‖∂L/∂W_out‖ on the fixed batch, after training (the table's figure) and before. */
  gradientRatio: number;
  gradientRatioStart: number;
  /** The training loss became NaN or infinite (no gradient statistics after training then). */
  diverged: boolean;
  /**
   * gs.analysis.gradientStats per Linear layer, log-scaled histograms, on the fixed batch:
   * before training, after it, and (--grad-every-epoch) at the end of every epoch.
   */
  gradients: { start: LayerGradientStats[]; end: LayerGradientStats[]; epochs?: LayerGradientStats[][] };
  curves: Curves;
}

/** f and f' of an activation (default parameters) on a grid. */
export interface ActivationCurve {
  x: number[];
  f: number[];
  df: number[];
}

export interface ActivationFigure {
  /** The run's label. */
  name: string;
  activation: string;
  params: ActivationParams;
  formula: string;
  curve: ActivationCurve;
  /** Z = f(x) + f(y) and |∇Z| on a points × points grid (row-major, one row per y). */
  surface: { x: number[]; y: number[]; z: number[]; gradMagnitude: number[] };
}

export interface DeadAtInitResult {
  /** 'relu [2048, 1024, 1024, 512, 512, 256, 128]': the network, as the figure names it. */
  label: string;
  activation: string;
  /** Input, hidden..., classes. */
  layers: number[];
  /** Samples the units were counted over (the set options.deadOn names). */
  samples: number;
  deadLayers: DeadLayer[];
}

export interface ComparisonResult {
  tool: 'gradscope compare';
  createdAt: string;
  options: CompareOptions;
  backend: string;
  dataset: { name: string; description: string; split: string; normalization: string; features: number; classes: number; train: number; test: number };
  /** activationsCompared: the runs in the order they were trained (their labels). */
  network: { layers: number[]; activationsCompared: string[] };
  /** Sorted by test accuracy, best first (sortRuns). */
  runs: RunResult[];
  activations: ActivationFigure[];
  /** The initializer table, for a protocol of kind 'initializers' (keras-initializers). */
  initializers?: InitializerDescription[];
  /** Dead units of options.deadAtInitNetwork at initialisation (the chapter's 7-layer ReLU model), when the protocol asks for it. */
  deadAtInit?: DeadAtInitResult;
  totalSeconds: number;
  /** The gradscope version that made it (package.json): shards merge only with their own version. */
  version?: string;
  /**
   * One entry per run label across its seeds (experiment/statistics.ts summarize), best
   * first: n, mean, std and 95% interval of test accuracy, final training loss and time per
   * epoch, the paired comparison with the best, tied for first. Absent from a shard.
   */
  summary?: SummaryEntry[];
  /** Present on a shard's partial results (--shard i/n): which share of which grid it trained. */
  shard?: ShardRecord;
  /** Present on merged results (gradscope merge): the shards they came from. */
  mergedFrom?: MergedShard[];
}

/** What a shard's results.json says of itself: gradscope merge checks the shards against it. */
export interface ShardRecord {
  /** This shard, from 1, of `count`. */
  index: number;
  count: number;
  /** The whole grid (every run with every seed) the shards share between them, in grid order. */
  grid: GridCell[];
  /** The cells this shard trained, in the order it trained them. */
  cells: GridCell[];
}

/** One shard of merged results: where it came from and how it ran (its times are its own). */
export interface MergedShard {
  /** The folder given to gradscope merge. */
  folder: string;
  index: number;
  count: number;
  createdAt: string;
  backend: string;
  jobs: number;
  totalSeconds: number;
}

/**
 * The name a run goes by in tables, legends and colours: the protocol's label (the
 * chapter's 'TeLU'), else the activation with its parameters ('elu(alpha=1.5)'), else its
 * name. The one place that says how runs are told apart.
 */
export function runLabel(run: Pick<RunResult, 'activation'> & Partial<Pick<RunResult, 'label'>>): string {
  return run.label ?? run.activation;
}

/** The runs in the order they were trained (results.json keeps them sorted by accuracy): by run, then by seed. */
export function runsInTrainingOrder(result: Pick<ComparisonResult, 'runs' | 'network'>): RunResult[] {
  const order = result.network.activationsCompared;
  return result.runs.slice().sort((a, b) => order.indexOf(runLabel(a)) - order.indexOf(runLabel(b)) || a.seed - b.seed);
}

/**
 * results.json's order of the runs: best test accuracy first, then lowest training loss;
 * ties in run order, then by seed, so that every way of training the grid (one process,
 * --jobs, shards merged) writes the same list.
 */
export function sortRuns(runs: readonly RunResult[], activationsCompared: readonly string[]): RunResult[] {
  const accuracy = (run: RunResult) => (Number.isNaN(run.testAccuracy) ? -Infinity : run.testAccuracy);
  const loss = (run: RunResult) => (Number.isNaN(run.finalTrainLoss) ? Infinity : run.finalTrainLoss);
  return runs
    .slice()
    .sort(
      (a, b) =>
        accuracy(b) - accuracy(a) ||
        loss(a) - loss(b) ||
        activationsCompared.indexOf(runLabel(a)) - activationsCompared.indexOf(runLabel(b)) ||
        a.seed - b.seed,
    );
}

/** Whether the comparison trained each run with more than one seed (then it has a spread to show). */
export function severalSeeds(result: Pick<ComparisonResult, 'options'>): boolean {
  return seedsOf(result.options).length > 1;
}

/** Whether units can die: a network without hidden layers has no hidden unit (every deadRatio is null then). */
export function deadUnitsApply(result: Pick<ComparisonResult, 'runs'>): boolean {
  return !result.runs.some((run) => run.deadRatio === null);
}
