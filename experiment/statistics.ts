// The statistics of a comparison over several seeds (issue 18): is an activation better
// than another, or is the difference noise? Pure functions on plain numbers, with no Node
// APIs, so the command line, the report and a browser page can all call them.
//
// The experiment is a paired design: within one seed every activation starts from the
// same weights and sees the same batches, so two activations are compared through their
// per-seed differences. Two families of answers, side by side:
// - classical: mean, sample standard deviation and Student-t interval per activation, and
//   a paired test of each activation against the best (a t-test, or an exact sign-flip
//   permutation test);
// - rliable's (Agarwal et al., "Deep RL at the Edge of the Statistical Precipice",
//   NeurIPS 2021): the interquartile mean and the probability of improvement, each with a
//   stratified-bootstrap percentile interval, defined as in rliable's metrics.py and
//   library.py (scores as a [runs x tasks] matrix; strata are tasks).
//
// The Student t distribution comes from jstat (one small package with no dependencies);
// its probabilities and quantiles agree with SciPy's to about 1e-7 (checked from 1 to
// 1000 degrees of freedom), far below what a decision at p = 0.05 or an interval printed
// to two decimals can show.
//
// Every result is JSON-friendly: finite numbers and nulls, never NaN or Infinity. A null
// always has a reason that the type's documentation names (one seed: no spread known; a
// diverged run: a NaN or infinite value).
import jStat from 'jstat';
import { Random } from '../engine/random';

// --- types ------------------------------------------------------------------------------

/** A closed interval [low, high]. */
export interface Interval {
  low: number;
  high: number;
}

/** A point estimate with its bootstrap interval; `ci` is null when a task has one run only (no spread known). */
export interface Estimate {
  value: number;
  ci: Interval | null;
}

/** What `describe` knows about a list of values. */
export interface Description {
  /** How many values. */
  n: number;
  /** How many of them are NaN or ±Infinity (a diverged run); when any is, mean, std and ci are null. */
  nonFinite: number;
  mean: number | null;
  /** Sample standard deviation (divisor n − 1); null for n = 1: no spread known. */
  std: number | null;
  /** Student-t confidence interval of the mean (95% unless asked otherwise); null for n = 1. */
  ci: Interval | null;
}

/** Paired t-test of the differences a − b (two-sided). */
export interface PairedTTest {
  n: number;
  meanDifference: number;
  /**
   * The t statistic; null when the differences are all equal, where it is 0/0 (all zero:
   * p = 1, nothing tells the two apart) or infinite (all the same non-zero value: p = 0).
   */
  t: number | null;
  df: number;
  pValue: number;
}

/** Exact sign-flip permutation test of paired differences (two-sided). */
export interface SignFlipTest {
  n: number;
  /** 2^n: every pattern of signs was enumerated. */
  patterns: number;
  pValue: number;
}

/** The tests `compareWithBest` can choose; see `ComparisonOptions.test`. */
export type PairedTestName = 'paired-t' | 'sign-flip';

/** One activation against the best, on the ranking metric. */
export interface PairedComparison {
  /** The best activation's label. */
  against: string;
  /** Seeds both activations have a run for: the pairs of the paired tests. */
  pairs: number;
  /** Mean over the pairs of this − best; null without a pair or with a NaN or infinite value. */
  meanDifference: number | null;
  /** Which test produced `pValue`; null when none could (see `note`). */
  test: PairedTestName | null;
  pValue: number | null;
  /** The paired t-test, whenever it can be computed (two pairs or more). */
  pairedT: PairedTTest | null;
  /** The exact sign-flip test, whenever the pairs are few enough to enumerate. */
  signFlip: SignFlipTest | null;
  /** Why `pValue` is null, or null when it is not. */
  note: string | null;
  /**
   * rliable's probability of improvement on all runs of the two (not only the pairs):
   * P(this better than best) and P(best better than this), ties counted 1/2, so the two
   * values add up to 1 (and so do the bounds of their intervals, crossed). "Better" is
   * higher or lower as the metric's direction says. Null when a value is NaN or infinite.
   */
  probabilityOfImprovement: { thisOverBest: Estimate; bestOverThis: Estimate } | null;
}

/** A Description of one measure across seeds, with its interquartile mean. */
export interface MeasureSummary extends Description {
  /** rliable's IQM with its stratified-bootstrap interval; null when a value is NaN or infinite. */
  iqm: Estimate | null;
}

/** One finished training run: one activation, one seed. */
export interface SeedRun {
  label: string;
  seed: number;
  /** Test accuracy, a fraction in [0, 1] or a percentage: the statistics do not mind which. */
  testAccuracy: number;
  finalTrainLoss: number;
  secondsPerEpoch: number;
}

/** The measures of a SeedRun that can be summarized and ranked. */
export type Measure = 'testAccuracy' | 'finalTrainLoss' | 'secondsPerEpoch';
const MEASURES: readonly Measure[] = ['testAccuracy', 'finalTrainLoss', 'secondsPerEpoch'];

/** One entry of the `summary` list: one activation across its seeds. */
export interface SummaryEntry {
  label: string;
  /** How many seeds this activation has a run for. */
  n: number;
  seeds: number[];
  testAccuracy: MeasureSummary;
  finalTrainLoss: MeasureSummary;
  secondsPerEpoch: MeasureSummary;
  /** The comparison with the best on the ranking metric; null for the best itself (and when no activation has a finite mean). */
  versusBest: PairedComparison | null;
  /**
   * Cannot be told apart from the best: true for the best itself and for every activation
   * whose paired test against the best has p ≥ significance; false when p < significance;
   * null when no test was possible (fewer than two paired seeds: no spread known).
   */
  tiedForFirst: boolean | null;
}

/** How bootstrap intervals are drawn. */
export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 2000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
  /** Seed of the resampling, so that intervals are reproducible (default 0). */
  seed?: number;
}

/** How an activation is compared with the best. */
export interface ComparisonOptions {
  /**
   * 'auto' (default): the exact sign-flip test when the pairs are few enough to enumerate
   * (n ≤ maxExactPairs) and many enough for it to reach `significance` at all (its smallest
   * possible p-value is 2/2^n: 0.0625 for n = 5, so it could never separate anything at
   * 0.05 with five seeds); the paired t-test otherwise. Or force one of the two.
   */
  test?: 'auto' | PairedTestName;
  /** Largest n for which the sign-flip test enumerates its 2^n patterns (default 16, at most 20). */
  maxExactPairs?: number;
  /** Level below which a p-value tells an activation apart from the best (default 0.05). */
  significance?: number;
}

/** Options of `summarize`. */
export interface SummaryOptions extends BootstrapOptions, ComparisonOptions {
  /** The measure that ranks the activations and decides the best (default 'testAccuracy'). */
  metric?: Measure;
  /** Whether a higher value of the metric is better (default: true for testAccuracy, false for loss and time). */
  higherIsBetter?: boolean;
}

/** Scores as rliable lays them out: scores[run][task]. Here usually one task (one data set). */
export type ScoreMatrix = readonly (readonly number[])[];

// --- Student t ------------------------------------------------------------------------------

/** The p-quantile of Student's t distribution with df degrees of freedom (t_{0.975, 4} = 2.776445). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must lie in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`studentTQuantile: df must be positive, got ${df}`);
  return jStat.studentt.inv(p, df);
}

// --- describe ---------------------------------------------------------------------------

/** n, mean, sample std and the Student-t interval of the mean of `values`. */
export function describe(values: readonly number[], confidence = 0.95): Description {
  checkFraction('describe', 'confidence', confidence);
  const n = values.length;
  if (n === 0) throw new Error('describe: needs at least one value, got none');
  const nonFinite = values.filter((v) => !Number.isFinite(v)).length;
  if (nonFinite > 0) return { n, nonFinite, mean: null, std: null, ci: null };
  const m = mean(values);
  if (n === 1) return { n, nonFinite, mean: m, std: null, ci: null };
  const std = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
  const half = studentTQuantile((1 + confidence) / 2, n - 1) * (std / Math.sqrt(n));
  return { n, nonFinite, mean: m, std, ci: { low: m - half, high: m + half } };
}

// --- paired tests ---------------------------------------------------------------------------

/** Paired t-test of a[i] − b[i]: t = mean(d) / (sd(d) / √n), df = n − 1, two-sided p. */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTTest {
  const d = differences('pairedTTest', a, b);
  const n = d.length;
  if (n < 2) throw new Error(`pairedTTest: needs at least 2 pairs, got ${n}`);
  const meanDifference = mean(d);
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - meanDifference) ** 2, 0) / (n - 1));
  if (sd === 0) return { n, meanDifference, t: null, df: n - 1, pValue: meanDifference === 0 ? 1 : 0 };
  const t = meanDifference / (sd / Math.sqrt(n));
  // The lower tail at −|t| keeps small p-values precise (1 − cdf(|t|) would cancel).
  return { n, meanDifference, t, df: n - 1, pValue: Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), n - 1)) };
}

const MAX_EXACT_PAIRS = 20;

/**
 * Exact sign-flip permutation test of paired differences. Under the null hypothesis (no
 * difference between the two) each difference is as likely positive as negative, so the
 * 2^n sign patterns are equally likely; p is the share of patterns whose |sum| is at least
 * the observed |sum|. A zero difference is the same under both signs: it doubles every
 * pattern's count and leaves p unchanged, as if it were left out.
 */
export function signFlipTest(differencesOfPairs: readonly number[]): SignFlipTest {
  const d = differencesOfPairs;
  const n = d.length;
  if (n === 0) throw new Error('signFlipTest: needs at least 1 difference, got none');
  if (n > MAX_EXACT_PAIRS) throw new Error(`signFlipTest: enumerates 2^n sign patterns, n must be at most ${MAX_EXACT_PAIRS}, got ${n}`);
  const bad = d.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`signFlipTest: difference ${bad} is ${d[bad]}, not a finite number`);
  const observed = Math.abs(d.reduce((s, v) => s + v, 0));
  // The same terms summed with other signs can land a rounding error away from a pattern
  // that ties the observed sum exactly (e.g. 0.1 + 0.2 vs 0.3); ties must count.
  const tolerance = 1e-9 * d.reduce((s, v) => s + Math.abs(v), 0);
  const patterns = 2 ** n;
  let asExtreme = 0;
  for (let signs = 0; signs < patterns; signs++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (signs >> i) & 1 ? -d[i] : d[i];
    if (Math.abs(sum) >= observed - tolerance) asExtreme++;
  }
  return { n, patterns, pValue: asExtreme / patterns };
}

/**
 * Compares `values` with `bestValues` seed by seed (both keyed by seed; only the seeds both
 * have count) with the paired test that `options.test` chooses. The probability of
 * improvement is left to `summarize`, which knows the metric's direction.
 */
export function compareWithBest(
  against: string,
  values: ReadonlyMap<number, number>,
  bestValues: ReadonlyMap<number, number>,
  options: ComparisonOptions = {},
): Omit<PairedComparison, 'probabilityOfImprovement'> {
  const { test, maxExactPairs, significance } = comparisonSettings('compareWithBest', options);
  const seeds = [...values.keys()].filter((seed) => bestValues.has(seed)).sort((x, y) => x - y);
  const a = seeds.map((seed) => values.get(seed)!);
  const b = seeds.map((seed) => bestValues.get(seed)!);
  const pairs = seeds.length;
  const none = (note: string) => ({ against, pairs, meanDifference: null, test: null, pValue: null, pairedT: null, signFlip: null, note });
  if (pairs === 0) return none('no seed in common with the best: nothing to pair');
  if ([...a, ...b].some((v) => !Number.isFinite(v))) return none('a NaN or infinite value (a diverged run) among the pairs');
  const meanDifference = mean(a.map((v, i) => v - b[i]));
  if (pairs === 1) return { ...none('one paired seed: no spread known'), meanDifference };

  const pairedT = pairedTTest(a, b);
  const signFlip = pairs <= maxExactPairs ? signFlipTest(a.map((v, i) => v - b[i])) : null;
  const signFlipCanReject = signFlip !== null && 2 / signFlip.patterns < significance;
  const chosen: PairedTestName = test === 'auto' ? (signFlipCanReject ? 'sign-flip' : 'paired-t') : test;
  if (chosen === 'sign-flip' && signFlip === null) {
    return { ...none(`${pairs} pairs are more than maxExactPairs = ${maxExactPairs}: the sign-flip test was not enumerated`), meanDifference, pairedT };
  }
  const pValue = chosen === 'sign-flip' ? signFlip!.pValue : pairedT.pValue;
  return { against, pairs, meanDifference, test: chosen, pValue, pairedT, signFlip, note: null };
}

// --- rliable: interquartile mean and probability of improvement ------------------------------

/**
 * The interquartile mean: the mean of the middle 50% of the values, as rliable's
 * aggregate_iqm (scipy.stats.trim_mean with proportiontocut 0.25 on all runs and tasks):
 * floor(n / 4) values are cut from each end, so a fractional boundary cuts less, never
 * part of a value. Below n = 4 nothing is cut and it is the plain mean.
 */
export function interquartileMean(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) throw new Error('interquartileMean: needs at least one value, got none');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`interquartileMean: value ${bad} is ${values[bad]}, not a finite number`);
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(n / 4);
  return mean(sorted.slice(cut, n - cut));
}

/**
 * rliable's probability of improvement P(X > Y): for each task, the chance that a run of X
 * drawn at random beats a run of Y drawn at random, ties counted 1/2 (the Mann-Whitney U
 * statistic over nx·ny), averaged over tasks. X and Y may have different numbers of runs.
 */
export function probabilityOfImprovement(x: ScoreMatrix, y: ScoreMatrix): number {
  const tasks = taskCount('probabilityOfImprovement', x);
  if (taskCount('probabilityOfImprovement', y) !== tasks) {
    throw new Error(`probabilityOfImprovement: x has ${tasks} tasks and y has ${y[0].length}; they must have the same tasks`);
  }
  let total = 0;
  for (let task = 0; task < tasks; task++) {
    let wins = 0;
    for (const rowX of x) {
      for (const rowY of y) {
        const a = rowX[task];
        const b = rowY[task];
        if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`probabilityOfImprovement: score ${!Number.isFinite(a) ? a : b} in task ${task} is not a finite number`);
        wins += a > b ? 1 : a === b ? 0.5 : 0;
      }
    }
    total += wins / (x.length * y.length);
  }
  return total / tasks;
}

/**
 * A stratified-bootstrap percentile interval of `statistic`, as rliable's
 * get_interval_estimates with method 'percentile': in each resample, every sample's runs
 * are drawn again with replacement within each task (stratum) independently, and the
 * samples independently of each other (StratifiedBootstrap for one sample,
 * StratifiedIndependentBootstrap for several). The bounds interpolate linearly between
 * order statistics (numpy.percentile's default). Null when some task of some sample has
 * a single run: every resample would be the same, and the interval would claim a
 * certainty that one run cannot give.
 */
export function stratifiedBootstrapInterval(
  samples: readonly ScoreMatrix[],
  statistic: (...resampled: number[][][]) => number,
  options: BootstrapOptions = {},
): Interval | null {
  const { resamples, confidence, seed } = bootstrapSettings('stratifiedBootstrapInterval', options);
  if (samples.length === 0) throw new Error('stratifiedBootstrapInterval: needs at least one sample, got none');
  for (const sample of samples) taskCount('stratifiedBootstrapInterval', sample);
  if (samples.some((sample) => sample.length < 2)) return null;

  const random = new Random(seed);
  // One buffer per sample, refilled for every resample (the statistic must not keep it).
  const resampled = samples.map((sample) => sample.map((row) => [...row]));
  const results = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    samples.forEach((sample, s) => {
      for (const row of resampled[s]) {
        for (let task = 0; task < row.length; task++) row[task] = sample[random.int(sample.length)][task];
      }
    });
    results[r] = statistic(...resampled);
  }
  results.sort();
  const tail = (1 - confidence) / 2;
  return { low: percentile(results, tail), high: percentile(results, 1 - tail) };
}

/** The interquartile mean of all runs and tasks, with its stratified-bootstrap interval. */
export function interquartileMeanWithInterval(scores: ScoreMatrix, options: BootstrapOptions = {}): Estimate {
  taskCount('interquartileMeanWithInterval', scores);
  const value = interquartileMean(allScores(scores));
  return { value, ci: stratifiedBootstrapInterval([scores], (resampled) => interquartileMean(allScores(resampled)), options) };
}

/** P(X > Y) with its stratified-bootstrap interval (X and Y resampled independently). */
export function probabilityOfImprovementWithInterval(x: ScoreMatrix, y: ScoreMatrix, options: BootstrapOptions = {}): Estimate {
  const value = probabilityOfImprovement(x, y);
  return { value, ci: stratifiedBootstrapInterval([x, y], probabilityOfImprovement, options) };
}

// --- summarize ------------------------------------------------------------------------------

/**
 * The `summary` list of a multi-seed comparison: one entry per activation, best first
 * (ranked by the mean of `options.metric` in its direction; equal means keep the order of
 * the runs; activations without a finite mean come last). The best is the activation with
 * the best mean; every other is compared with it, seed by seed, and marked tied for first
 * when its paired test cannot tell it apart (see SummaryEntry.tiedForFirst).
 */
export function summarize(runs: readonly SeedRun[], options: SummaryOptions = {}): SummaryEntry[] {
  const metric = options.metric ?? 'testAccuracy';
  if (!MEASURES.includes(metric)) throw new Error(`summarize: metric must be one of ${MEASURES.join(', ')}, got ${JSON.stringify(metric)}`);
  const higherIsBetter = options.higherIsBetter ?? metric === 'testAccuracy';
  if (typeof higherIsBetter !== 'boolean') throw new Error(`summarize: higherIsBetter must be true or false, got ${JSON.stringify(higherIsBetter)}`);
  // Checked here, before any work, so that a bad option fails even where it would not be used.
  const { significance } = comparisonSettings('summarize', options);
  const bootstrap = bootstrapSettings('summarize', options);
  const byLabel = groupRuns(runs);

  const describeMeasure = (group: SeedRun[], measure: Measure): MeasureSummary => {
    const values = group.map((run) => run[measure]);
    const description = describe(values, options.confidence);
    const iqm = description.nonFinite > 0 ? null : interquartileMeanWithInterval(values.map((v) => [v]), bootstrap);
    return { ...description, iqm };
  };
  const entries = [...byLabel].map(([label, group]) => ({
    label,
    n: group.length,
    seeds: group.map((run) => run.seed),
    testAccuracy: describeMeasure(group, 'testAccuracy'),
    finalTrainLoss: describeMeasure(group, 'finalTrainLoss'),
    secondsPerEpoch: describeMeasure(group, 'secondsPerEpoch'),
  }));

  // Best first; a stable sort keeps the runs' order among equal means.
  const score = (m: number | null) => (m === null ? -Infinity : higherIsBetter ? m : -m);
  entries.sort((p, q) => score(q[metric].mean) - score(p[metric].mean) || 0);
  const best = entries[0][metric].mean === null ? null : entries[0];

  // "Better" in the metric's direction: negating lower-is-better scores turns P(X < Y) into rliable's P(X > Y).
  const oriented = (label: string) => byLabel.get(label)!.map((run) => [higherIsBetter ? run[metric] : -run[metric]]);
  const bySeed = (label: string) => new Map(byLabel.get(label)!.map((run) => [run.seed, run[metric]]));

  return entries.map((entry): SummaryEntry => {
    if (best === null) return { ...entry, versusBest: null, tiedForFirst: null };
    if (entry === best) return { ...entry, versusBest: null, tiedForFirst: true };
    const comparison = compareWithBest(best.label, bySeed(entry.label), bySeed(best.label), options);
    const finite = entry[metric].nonFinite === 0;
    const thisOverBest = finite ? probabilityOfImprovementWithInterval(oriented(entry.label), oriented(best.label), bootstrap) : null;
    const probabilityOfImprovement = thisOverBest && { thisOverBest, bestOverThis: complement(thisOverBest) };
    const tiedForFirst = comparison.pValue === null ? null : comparison.pValue >= significance;
    return { ...entry, versusBest: { ...comparison, probabilityOfImprovement }, tiedForFirst };
  });
}

/** The labels that cannot be told apart from the best (SummaryEntry.tiedForFirst true), best first. */
export function tiedForFirst(summary: readonly SummaryEntry[]): string[] {
  return summary.filter((entry) => entry.tiedForFirst === true).map((entry) => entry.label);
}

// --- helpers --------------------------------------------------------------------------------

/** Runs grouped by label in the order of first appearance, each group sorted by seed; refuses malformed or duplicated runs. */
function groupRuns(runs: readonly SeedRun[]): Map<string, SeedRun[]> {
  if (!Array.isArray(runs) || runs.length === 0) throw new Error('summarize: needs at least one run, got none');
  const byLabel = new Map<string, SeedRun[]>();
  runs.forEach((run, i) => {
    if (typeof run?.label !== 'string' || run.label === '') throw new Error(`summarize: run ${i} has no label (got ${JSON.stringify(run?.label)})`);
    if (!Number.isInteger(run.seed)) throw new Error(`summarize: run ${i} (${run.label}) has seed ${run.seed}, not an integer`);
    for (const measure of MEASURES) {
      if (typeof run[measure] !== 'number') throw new Error(`summarize: run ${i} (${run.label}, seed ${run.seed}) has ${measure} ${JSON.stringify(run[measure])}, not a number`);
    }
    const group = byLabel.get(run.label) ?? [];
    if (group.some((other) => other.seed === run.seed)) throw new Error(`summarize: two runs of ${run.label} with seed ${run.seed}; each activation runs once per seed`);
    group.push(run);
    byLabel.set(run.label, group);
  });
  for (const group of byLabel.values()) group.sort((p, q) => p.seed - q.seed);
  return byLabel;
}

/** P(best over this) from P(this over best): with ties counted 1/2 the two add up to 1, resample by resample. */
function complement(estimate: Estimate): Estimate {
  return { value: 1 - estimate.value, ci: estimate.ci && { low: 1 - estimate.ci.high, high: 1 - estimate.ci.low } };
}

function differences(caller: string, a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`${caller}: the two samples must pair up, got ${a.length} and ${b.length} values`);
  return a.map((v, i) => {
    if (!Number.isFinite(v) || !Number.isFinite(b[i])) throw new Error(`${caller}: pair ${i} is (${v}, ${b[i]}), not two finite numbers`);
    return v - b[i];
  });
}

/** The number of tasks of a [runs x tasks] matrix, which must have at least one run and be rectangular. */
function taskCount(caller: string, scores: ScoreMatrix): number {
  if (scores.length === 0 || scores[0].length === 0) throw new Error(`${caller}: scores must be a [runs x tasks] matrix with at least one run and one task`);
  const tasks = scores[0].length;
  const ragged = scores.findIndex((row) => row.length !== tasks);
  if (ragged >= 0) throw new Error(`${caller}: run 0 has ${tasks} tasks but run ${ragged} has ${scores[ragged].length}; scores must be [runs x tasks]`);
  return tasks;
}

/** Every score of a [runs x tasks] matrix in one list (Array.prototype.flat is several times slower here). */
function allScores(scores: ScoreMatrix): number[] {
  const all: number[] = [];
  for (const row of scores) for (const score of row) all.push(score);
  return all;
}

/** The comparison options with their defaults, checked. */
function comparisonSettings(caller: string, options: ComparisonOptions): Required<ComparisonOptions> {
  const { test = 'auto', maxExactPairs = 16, significance = 0.05 } = options;
  checkFraction(caller, 'significance', significance);
  if (!Number.isInteger(maxExactPairs) || maxExactPairs < 1 || maxExactPairs > MAX_EXACT_PAIRS) {
    throw new Error(`${caller}: maxExactPairs must be an integer from 1 to ${MAX_EXACT_PAIRS}, got ${maxExactPairs}`);
  }
  if (test !== 'auto' && test !== 'paired-t' && test !== 'sign-flip') {
    throw new Error(`${caller}: test must be 'auto', 'paired-t' or 'sign-flip', got ${JSON.stringify(test)}`);
  }
  return { test, maxExactPairs, significance };
}

/** The bootstrap options with their defaults, checked. */
function bootstrapSettings(caller: string, options: BootstrapOptions): Required<BootstrapOptions> {
  const { resamples = 2000, confidence = 0.95, seed = 0 } = options;
  checkFraction(caller, 'confidence', confidence);
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`${caller}: resamples must be a positive integer, got ${resamples}`);
  if (!Number.isFinite(seed)) throw new Error(`${caller}: seed must be a finite number, got ${seed}`);
  return { resamples, confidence, seed };
}

function checkFraction(caller: string, name: string, value: number): void {
  if (!(value > 0 && value < 1)) throw new Error(`${caller}: ${name} must lie in (0, 1), got ${value}`);
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** The q-quantile of sorted values, interpolating linearly between order statistics. */
function percentile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}
