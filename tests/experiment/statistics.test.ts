// The statistics of a multi-seed comparison (experiment/statistics.ts) against known
// results. Reference numbers marked "scipy" were computed once with SciPy 1.17.1
// (scipy.stats: t.ppf, t.interval, ttest_rel, permutation_test, trim_mean, mannwhitneyu)
// and pasted here as literals: the suite itself never needs Python. Sign-flip p-values
// were also worked out by hand (the enumerations are in the comments).
import fc from 'fast-check';
import { describe as group, expect, it } from 'vitest';
import { Random } from '../../engine/random';
import {
  compareWithBest,
  describe,
  interquartileMean,
  interquartileMeanWithInterval,
  pairedTTest,
  probabilityOfImprovement,
  probabilityOfImprovementWithInterval,
  signFlipTest,
  stratifiedBootstrapInterval,
  studentTQuantile,
  summarize,
  tiedForFirst,
  type SeedRun,
} from '../../experiment/statistics';

const PROPERTY_SEED = Number(process.env.GS_PROPERTY_SEED ?? 20261201);
const properties = { seed: PROPERTY_SEED, numRuns: 200 };

/** Finite values of a size that keeps sums exact enough for equalities up to 1e-9. */
const value = fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });

/** jstat's Student t agrees with SciPy's to about 1e-7, relative. */
function expectClose(actual: number | null | undefined, expected: number, relative = 1e-7): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

/** A column of scores, [runs x 1], as rliable lays out one task. */
const column = (values: readonly number[]) => values.map((v) => [v]);

// Student's sleep data (Cushny and Peebles 1905), R's `sleep`: extra hours of sleep of 10
// patients under two drugs. R documents the paired t-test on it: t = -4.0621, df = 9,
// p-value = 0.002833.
const sleepDrug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const sleepDrug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

group('Student t quantiles', () => {
  it('match scipy.stats.t.ppf', () => {
    // scipy: t.ppf(p, df)
    const cases: [number, number, number][] = [
      [0.975, 4, 2.7764451051977934],
      [0.975, 1, 12.706204736174694],
      [0.975, 9, 2.262157162798205],
      [0.975, 29, 2.045229642132703],
      [0.995, 2, 9.924843200918287],
      [0.9, 15, 1.3406056078504558],
    ];
    for (const [p, df, expected] of cases) expectClose(studentTQuantile(p, df), expected);
    expect(studentTQuantile(0.975, 4).toFixed(6)).toBe('2.776445');
  });

  it('refuses a probability outside (0, 1) or a non-positive df, naming the value', () => {
    expect(() => studentTQuantile(1, 4)).toThrow(/p must lie in \(0, 1\), got 1/);
    expect(() => studentTQuantile(0.5, 0)).toThrow(/df must be positive, got 0/);
  });
});

group('describe', () => {
  it('gives n, mean, sample std and the Student-t 95% interval (scipy t.interval)', () => {
    const d = describe([84.1, 85.3, 84.9, 85.0, 84.6]);
    expect(d.n).toBe(5);
    expect(d.nonFinite).toBe(0);
    expect(d.mean).toBeCloseTo(84.78, 12);
    // scipy: x.std(ddof=1); t.interval(0.95, 4, loc=mean, scale=sem(x))
    expect(d.std).toBeCloseTo(0.4549725266430953, 12);
    expectClose(d.ci!.low, 84.21507699349547, 1e-9);
    expectClose(d.ci!.high, 85.34492300650453, 1e-9);
  });

  it('a 90% interval uses t_{0.95, n-1}', () => {
    const values = [1, 2, 4, 8];
    const d = describe(values, 0.9);
    const half = studentTQuantile(0.95, 3) * (d.std! / 2);
    expect(d.ci!.high - d.mean!).toBeCloseTo(half, 12);
  });

  it('with one value knows no spread: std and interval are null', () => {
    expect(describe([0.85])).toEqual({ n: 1, nonFinite: 0, mean: 0.85, std: null, ci: null });
  });

  it('with a NaN or an infinity (a diverged run) counts it and gives nulls, never NaN', () => {
    expect(describe([0.3, NaN, 0.2])).toEqual({ n: 3, nonFinite: 1, mean: null, std: null, ci: null });
    expect(describe([Infinity, 1])).toEqual({ n: 2, nonFinite: 1, mean: null, std: null, ci: null });
  });

  it('refuses an empty list and a confidence outside (0, 1)', () => {
    expect(() => describe([])).toThrow(/at least one value/);
    expect(() => describe([1, 2], 95)).toThrow(/confidence must lie in \(0, 1\), got 95/);
  });

  it('its interval contains the mean and widens with the confidence (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 30 }), (values) => {
        const d95 = describe(values);
        const d99 = describe(values, 0.99);
        expect(d95.ci!.low).toBeLessThanOrEqual(d95.mean! + 1e-9);
        expect(d95.ci!.high).toBeGreaterThanOrEqual(d95.mean! - 1e-9);
        expect(d99.ci!.high - d99.ci!.low).toBeGreaterThanOrEqual(d95.ci!.high - d95.ci!.low - 1e-9);
      }),
      properties,
    );
  });
});

group('paired t-test', () => {
  it("matches R's documented sleep example and scipy.stats.ttest_rel", () => {
    const result = pairedTTest(sleepDrug1, sleepDrug2);
    expect(result.n).toBe(10);
    expect(result.df).toBe(9);
    expect(result.meanDifference).toBeCloseTo(-1.58, 12);
    // scipy: ttest_rel(drug1, drug2) -> statistic, pvalue
    expect(result.t).toBeCloseTo(-4.062127683382037, 12);
    expectClose(result.pValue, 0.002832890197384273);
  });

  it('gives p = 1 for identical samples and p = 0 for a constant non-zero difference (t undefined: null)', () => {
    expect(pairedTTest([1, 2, 3], [1, 2, 3])).toEqual({ n: 3, meanDifference: 0, t: null, df: 2, pValue: 1 });
    // scipy: ttest_rel([1,2,3], [0,1,2]) -> statistic inf, pvalue 0.0
    expect(pairedTTest([1, 2, 3], [0, 1, 2])).toEqual({ n: 3, meanDifference: 1, t: null, df: 2, pValue: 0 });
  });

  it('refuses fewer than two pairs, unequal lengths and non-finite values, naming them', () => {
    expect(() => pairedTTest([1], [2])).toThrow(/at least 2 pairs, got 1/);
    expect(() => pairedTTest([1, 2], [1, 2, 3])).toThrow(/got 2 and 3 values/);
    expect(() => pairedTTest([1, NaN], [1, 2])).toThrow(/pair 1 is \(NaN, 2\)/);
  });

  it('is symmetric: swapping the samples flips t and keeps p (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 2, maxLength: 20 }), (pairs) => {
        const a = pairs.map(([x]) => x);
        const b = pairs.map(([, y]) => y);
        const ab = pairedTTest(a, b);
        const ba = pairedTTest(b, a);
        expect(ba.pValue).toBeCloseTo(ab.pValue, 9);
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        if (ab.t !== null) expect(ba.t).toBeCloseTo(-ab.t, 6);
      }),
      properties,
    );
  });
});

group('exact sign-flip test', () => {
  it('gives the p-values worked out by hand for small n', () => {
    // d = [1, 2, 3]: the 8 sums ±1±2±3 are 6, 4, 2, 0, 0, -2, -4, -6; |sum| >= 6 twice: 2/8.
    expect(signFlipTest([1, 2, 3])).toEqual({ n: 3, patterns: 8, pValue: 0.25 });
    // d = [3, 1, -1]: sums ±3±1±1 are 5, 3, 3, 1, -1, -3, -3, -5; |sum| >= 3 six times: 6/8.
    expect(signFlipTest([3, 1, -1]).pValue).toBe(0.75);
    // d = [1, 2, 3, 4]: only all-plus and all-minus reach |sum| = 10: 2/16.
    expect(signFlipTest([1, 2, 3, 4]).pValue).toBe(0.125);
    // n = 1: both signs give |d|: p = 1, whatever d is.
    expect(signFlipTest([5]).pValue).toBe(1);
  });

  it('a zero difference leaves p as if it were left out', () => {
    // d = [0, 2, 2]: sums 4, 0, 0, -4, each twice; |sum| >= 4 four times: 4/8, as 2/4 for [2, 2].
    expect(signFlipTest([0, 2, 2]).pValue).toBe(0.5);
    expect(signFlipTest([2, 2]).pValue).toBe(0.5);
    expect(signFlipTest([0, 0, 0]).pValue).toBe(1);
  });

  it('counts patterns that tie the observed sum although rounding breaks the tie', () => {
    // d = [0.1, 0.2, -0.3, 0.5]: in exact arithmetic 10 of the 16 sums have |sum| >= 0.5
    // (enumerated with Python's fractions); in floats the flipped 0.5 gives
    // -0.49999999999999994, and a plain >= counts only 8.
    expect(signFlipTest([0.1, 0.2, -0.3, 0.5]).pValue).toBe(10 / 16);
  });

  it("matches scipy.stats.permutation_test (exact, two-sided) on the sleep data's differences", () => {
    const d = sleepDrug1.map((v, i) => v - sleepDrug2[i]);
    // scipy: permutation_test((d,), np.mean, permutation_type='samples', n_resamples=inf) -> 0.00390625 = 4/1024
    expect(signFlipTest(d)).toEqual({ n: 10, patterns: 1024, pValue: 4 / 1024 });
  });

  it('refuses no differences, too many to enumerate and non-finite ones', () => {
    expect(() => signFlipTest([])).toThrow(/at least 1 difference/);
    expect(() => signFlipTest(new Array(21).fill(1))).toThrow(/at most 20, got 21/);
    expect(() => signFlipTest([1, Infinity])).toThrow(/difference 1 is Infinity/);
  });

  it('p lies in [2/2^n, 1] and is unchanged by negating or scaling the differences (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 7 }), (d, scale) => {
        const { pValue, patterns } = signFlipTest(d);
        expect(pValue).toBeGreaterThanOrEqual(2 / patterns);
        expect(pValue).toBeLessThanOrEqual(1);
        expect(signFlipTest(d.map((v) => -v)).pValue).toBe(pValue);
        expect(signFlipTest(d.map((v) => v * scale)).pValue).toBe(pValue);
      }),
      properties,
    );
  });
});

group('compareWithBest', () => {
  const bySeed = (values: number[], seeds = values.map((_, i) => i + 1)) => new Map(seeds.map((seed, i) => [seed, values[i]]));

  it('auto: the t-test while the sign-flip test cannot reach 0.05 (n <= 5), then the exact test up to 16 pairs, then the t-test', () => {
    const best = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
    const other = best.map((v, i) => v - 1 + (i % 3) * 0.5);
    const choose = (n: number) => compareWithBest('best', bySeed(other.slice(0, n)), bySeed(best.slice(0, n)));
    expect(choose(5).test).toBe('paired-t');
    expect(choose(5).pValue).toBe(choose(5).pairedT!.pValue);
    expect(choose(5).signFlip!.pValue).toBeGreaterThanOrEqual(2 / 32);
    expect(choose(6).test).toBe('sign-flip');
    expect(choose(6).pValue).toBe(choose(6).signFlip!.pValue);
    expect(choose(16).test).toBe('sign-flip');
    expect(choose(17).test).toBe('paired-t');
    expect(choose(17).signFlip).toBeNull();
  });

  it('pairs by seed, ignoring the seeds only one of the two has', () => {
    const comparison = compareWithBest('relu', bySeed([1, 2, 3, 9], [1, 2, 3, 4]), bySeed([0.5, 2, 2.5, 7], [1, 2, 3, 7]), { test: 'sign-flip' });
    expect(comparison.pairs).toBe(3);
    expect(comparison.meanDifference).toBeCloseTo((0.5 + 0 + 0.5) / 3, 12);
    // differences [0.5, 0, 0.5]: as [0.5, 0.5], p = 2/4
    expect(comparison.pValue).toBe(0.5);
  });

  it('says why there is no p-value: one pair, no pair, a diverged run, too many pairs to enumerate', () => {
    const one = compareWithBest('relu', bySeed([1]), bySeed([2]));
    expect(one).toMatchObject({ pairs: 1, meanDifference: -1, test: null, pValue: null, note: 'one paired seed: no spread known' });
    expect(compareWithBest('relu', bySeed([1], [7]), bySeed([2], [8])).note).toMatch(/no seed in common/);
    expect(compareWithBest('relu', bySeed([1, NaN]), bySeed([2, 3])).note).toMatch(/NaN or infinite/);
    const many = compareWithBest('relu', bySeed([1, 2, 4]), bySeed([2, 2, 2]), { test: 'sign-flip', maxExactPairs: 2 });
    expect(many).toMatchObject({ test: null, pValue: null });
    expect(many.note).toMatch(/3 pairs are more than maxExactPairs = 2/);
  });

  it('refuses bad options, naming the value', () => {
    const a = bySeed([1, 2]);
    expect(() => compareWithBest('x', a, a, { significance: 5 })).toThrow(/significance must lie in \(0, 1\), got 5/);
    expect(() => compareWithBest('x', a, a, { maxExactPairs: 40 })).toThrow(/maxExactPairs must be an integer from 1 to 20, got 40/);
    expect(() => compareWithBest('x', a, a, { test: 'wilcoxon' as never })).toThrow(/test must be 'auto', 'paired-t' or 'sign-flip', got "wilcoxon"/);
  });
});

group('interquartile mean', () => {
  it('matches scipy.stats.trim_mean(values, 0.25), fractional boundaries included', () => {
    // scipy: trim_mean(x, 0.25); floor(n/4) values cut from each end
    const cases: [number[], number][] = [
      [[1, 2, 3], 2.0],
      [[4, 1, 3, 2], 2.5],
      [[5, 1, 4, 2, 3], 3.0],
      [[9, 1, 8, 2, 7, 3], 5.0],
      [[0.3, 10, -2, 7, 7, 1.5, 2.25], 3.6100000000000003],
      [[3.5, -1, 100, 2, 2, 8, 0.1, 4, 6.5, -7, 3], 3.0142857142857147],
    ];
    for (const [values, expected] of cases) expect(interquartileMean(values)).toBeCloseTo(expected, 12);
  });

  it("of a [runs x tasks] matrix pools all runs and tasks (rliable's aggregate_iqm and its test values)", () => {
    // rliable's metrics_test: aggregate_iqm(x) = 1.5, aggregate_iqm(y) = 2
    expect(interquartileMeanWithInterval([[1, 2], [2, 2], [1, 1], [2, 1]]).value).toBe(1.5);
    expect(interquartileMeanWithInterval([[1, 1], [2, 2], [3, 3]]).value).toBe(2);
    // scipy: trim_mean(np.array(m), 0.25, axis=None)
    const m = [[0.2, 5.0, 1.0], [0.9, 3.0, -1.0], [0.4, 4.0, 2.0], [0.1, 6.0, 0.5], [0.7, 2.5, 1.5]];
    expect(interquartileMeanWithInterval(m).value).toBeCloseTo(1.3888888888888888, 12);
  });

  it('refuses no values, non-finite ones and ragged matrices', () => {
    expect(() => interquartileMean([])).toThrow(/at least one value/);
    expect(() => interquartileMean([1, NaN])).toThrow(/value 1 is NaN/);
    expect(() => interquartileMeanWithInterval([[1, 2], [3]])).toThrow(/run 0 has 2 tasks but run 1 has 1/);
  });

  it('lies between min and max, and follows shifts and positive scalings (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 40 }), value, fc.double({ min: 0.01, max: 100, noNaN: true }), (values, shift, scale) => {
        const iqm = interquartileMean(values);
        expect(iqm).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
        expect(iqm).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
        expect(interquartileMean(values.map((v) => v + shift))).toBeCloseTo(iqm + shift, 6);
        expect(interquartileMean(values.map((v) => v * scale))).toBeCloseTo(iqm * scale, 6);
        expect(interquartileMean([...values].reverse())).toBeCloseTo(iqm, 9);
      }),
      properties,
    );
  });

  it('ignores the outer quarters: an outlier does not move it (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 4, maxLength: 40 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const withOutlier = [...sorted.slice(0, -1), 1e12];
        expect(interquartileMean(withOutlier)).toBeCloseTo(interquartileMean(sorted), 6);
      }),
      properties,
    );
  });
});

group('probability of improvement', () => {
  it("gives rliable's own test value: 1/3", () => {
    // rliable's metrics_test: probability_of_improvement(x, y) = 1/3
    expect(probabilityOfImprovement([[1, 2], [2, 2], [1, 1], [2, 1]], [[1, 1], [2, 2], [3, 3]])).toBeCloseTo(1 / 3, 15);
  });

  it('counts ties 1/2, on hand-made samples', () => {
    // X = [3, 4], Y = [1, 3]: 3>1, 3=3 (1/2), 4>1, 4>3: 3.5 of 4 pairs
    expect(probabilityOfImprovement(column([3, 4]), column([1, 3]))).toBe(0.875);
    expect(probabilityOfImprovement(column([2, 2]), column([2, 2, 2]))).toBe(0.5);
    expect(probabilityOfImprovement(column([1]), column([2]))).toBe(0);
  });

  it('averages the per-task probabilities over tasks (scipy mannwhitneyu per task)', () => {
    // task 0: X = [0.9, 0.7, 0.8] vs Y = [0.7, 0.6]: 5.5 of 6; task 1: X = [0.5, 0.6, 0.4]
    // vs Y = [0.6, 0.3]: 3.5 of 6; mean 0.75 (scipy: mannwhitneyu(..., 'greater').statistic / 6)
    const x = [[0.9, 0.5], [0.7, 0.6], [0.8, 0.4]];
    const y = [[0.7, 0.6], [0.6, 0.3]];
    expect(probabilityOfImprovement(x, y)).toBeCloseTo(0.75, 15);
  });

  it('refuses samples of different tasks and non-finite scores', () => {
    expect(() => probabilityOfImprovement([[1, 2]], [[1]])).toThrow(/x has 2 tasks and y has 1/);
    expect(() => probabilityOfImprovement(column([NaN]), column([1]))).toThrow(/score NaN in task 0/);
  });

  it('P(X > Y) + P(Y > X) = 1 and lies in [0, 1] (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }), (x, y) => {
        const p = probabilityOfImprovement(column(x), column(y));
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(p + probabilityOfImprovement(column(y), column(x))).toBeCloseTo(1, 12);
      }),
      properties,
    );
  });
});

group('stratified bootstrap', () => {
  const sample = column([0.84, 0.85, 0.86, 0.83, 0.85, 0.87, 0.84]);

  it('is reproducible for a fixed seed, and another seed draws other resamples', () => {
    const first = interquartileMeanWithInterval(sample, { seed: 7, resamples: 500 });
    expect(interquartileMeanWithInterval(sample, { seed: 7, resamples: 500 })).toEqual(first);
    expect(interquartileMeanWithInterval(sample, { seed: 8, resamples: 500 }).ci).not.toEqual(first.ci);
    const poi = probabilityOfImprovementWithInterval(sample, column([0.83, 0.84, 0.85, 0.82]), { seed: 7 });
    expect(probabilityOfImprovementWithInterval(sample, column([0.83, 0.84, 0.85, 0.82]), { seed: 7 })).toEqual(poi);
  });

  it('resamples runs within each task: a task whose runs agree keeps its value in every resample', () => {
    // Task 1 is constant; the mean over runs of task 1 alone must come back 5 every time.
    const scores = [[1, 5], [2, 5], [3, 5], [9, 5]];
    const interval = stratifiedBootstrapInterval([scores], (resampled) => resampled.reduce((s, row) => s + row[1], 0) / resampled.length);
    expect(interval).toEqual({ low: 5, high: 5 });
  });

  it('the interval of a mean narrows with more runs', () => {
    const random = new Random(3);
    const draw = (n: number) => column(Array.from({ length: n }, () => random.normal()));
    const mean = (resampled: number[][]) => resampled.reduce((s, row) => s + row[0], 0) / resampled.length;
    const small = stratifiedBootstrapInterval([draw(5)], mean)!;
    const large = stratifiedBootstrapInterval([draw(500)], mean)!;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
  });

  it('with one run in a task knows no spread: the interval is null', () => {
    expect(interquartileMeanWithInterval([[0.85]])).toEqual({ value: 0.85, ci: null });
    expect(probabilityOfImprovementWithInterval([[0.85]], column([0.8, 0.9])).ci).toBeNull();
  });

  it('refuses bad options, naming the value', () => {
    expect(() => interquartileMeanWithInterval(sample, { resamples: 0 })).toThrow(/resamples must be a positive integer, got 0/);
    expect(() => interquartileMeanWithInterval(sample, { confidence: 1.5 })).toThrow(/confidence must lie in \(0, 1\), got 1.5/);
    expect(() => interquartileMeanWithInterval(sample, { seed: NaN })).toThrow(/seed must be a finite number, got NaN/);
  });

  // Simulated experiments with a known truth: the 95% intervals must cover it about 95% of
  // the time. Percentile bootstrap intervals are known to cover a little less with few
  // runs, so the bounds leave room; 200 experiments put the binomial standard error near
  // 1.5 points. The draws are seeded, so the count is the same on every run.
  it('95% IQM intervals cover the true IQM of a normal distribution in simulated experiments', () => {
    const random = new Random(18);
    const experiments = 200;
    let covered = 0;
    for (let e = 0; e < experiments; e++) {
      // IQM of a symmetric distribution is its centre: 0.85
      const scores = column(Array.from({ length: 12 }, () => 0.85 + 0.01 * random.normal()));
      const { ci } = interquartileMeanWithInterval(scores, { seed: e, resamples: 1000 });
      if (ci!.low <= 0.85 && 0.85 <= ci!.high) covered++;
    }
    expect(covered / experiments).toBeGreaterThan(0.88);
    expect(covered / experiments).toBeLessThan(0.99);
  });

  it('95% probability-of-improvement intervals cover the true P(X > Y) in simulated experiments', () => {
    // X ~ N(0.5, 1), Y ~ N(0, 1): P(X > Y) = Phi(0.5 / sqrt 2) = 0.6381631950841185 (scipy norm.cdf)
    const truth = 0.6381631950841185;
    const random = new Random(19);
    const experiments = 200;
    let covered = 0;
    for (let e = 0; e < experiments; e++) {
      const x = column(Array.from({ length: 12 }, () => 0.5 + random.normal()));
      const y = column(Array.from({ length: 12 }, () => random.normal()));
      const { ci } = probabilityOfImprovementWithInterval(x, y, { seed: e, resamples: 1000 });
      if (ci!.low <= truth && truth <= ci!.high) covered++;
    }
    expect(covered / experiments).toBeGreaterThan(0.88);
    expect(covered / experiments).toBeLessThan(0.99);
  });
});

group('summarize', () => {
  // Five seeds of three activations: gelu differs from relu by noise, sigmoid is far behind.
  const relu = [85.0, 85.2, 84.8, 85.1, 84.9];
  const gelu = relu.map((v, i) => v + [0.1, -0.2, 0.1, -0.1, 0.0][i]);
  const sigmoid = [10.0, 10.1, 9.9, 10.0, 10.2];
  // Losses step by 1/8 from seed to seed, exact in binary, so differences and ties are exact.
  const runsOf = (label: string, accuracies: number[], loss: number, seeds = [1, 2, 3, 4, 5]): SeedRun[] =>
    accuracies.map((testAccuracy, i) => ({ label, seed: seeds[i], testAccuracy, finalTrainLoss: loss + i / 8, secondsPerEpoch: 6 + i / 10 }));
  const runs = [...runsOf('sigmoid', sigmoid, 2.25), ...runsOf('gelu', gelu, 0.375), ...runsOf('relu', relu, 0.25)];

  it('ranks best first and marks what cannot be told apart from the best (scipy ttest_rel)', () => {
    const summary = summarize(runs, { seed: 1 });
    expect(summary.map((entry) => entry.label)).toEqual(['relu', 'gelu', 'sigmoid']);
    const [best, second, last] = summary;

    expect(best).toMatchObject({ n: 5, seeds: [1, 2, 3, 4, 5], versusBest: null, tiedForFirst: true });
    // scipy: mean, std(ddof=1), t.interval(0.95, 4, ...), trim_mean(x, 0.25)
    expect(best.testAccuracy.mean).toBeCloseTo(85.0, 12);
    expect(best.testAccuracy.std).toBeCloseTo(0.15811388300841897, 12);
    expectClose(best.testAccuracy.ci!.low, 84.80367568385225, 1e-9);
    expectClose(best.testAccuracy.ci!.high, 85.19632431614775, 1e-9);
    expect(best.testAccuracy.iqm!.value).toBeCloseTo(85.0, 12);

    // Five pairs: the sign-flip test could not go below 1/16, so the t-test decides.
    // scipy: ttest_rel(gelu, relu) -> statistic -0.3429971702850535, pvalue 0.7488684500235016
    expect(second.versusBest).toMatchObject({ against: 'relu', pairs: 5, test: 'paired-t' });
    expectClose(second.versusBest!.pValue, 0.7488684500235016);
    expect(second.versusBest!.pairedT!.t).toBeCloseTo(-0.3429971702850535, 12);
    expect(second.versusBest!.meanDifference).toBeCloseTo(-0.02, 12);
    expect(second.tiedForFirst).toBe(true);
    expect(second.testAccuracy.iqm!.value).toBeCloseTo(84.96666666666667, 12);

    // scipy: ttest_rel(sigmoid, relu) -> pvalue 5.9594489982435125e-12
    expectClose(last.versusBest!.pValue, 5.9594489982435125e-12);
    expect(last.tiedForFirst).toBe(false);
    // every sigmoid run is below every relu run
    expect(last.versusBest!.probabilityOfImprovement!.thisOverBest).toEqual({ value: 0, ci: { low: 0, high: 0 } });
    expect(last.versusBest!.probabilityOfImprovement!.bestOverThis).toEqual({ value: 1, ci: { low: 1, high: 1 } });

    expect(tiedForFirst(summary)).toEqual(['relu', 'gelu']);
  });

  it('ties what has p >= significance, at 0.05 by default or at the level asked for (scipy ttest_rel)', () => {
    const tanh = relu.map((v, i) => v + [-0.3, -0.1, -0.2, 0.1, -0.4][i]);
    const mish = relu.map((v, i) => v + [-0.3, -0.1, -0.25, -0.05, -0.4][i]);
    const more = [...runs, ...runsOf('tanh', tanh, 0.5), ...runsOf('mish', mish, 0.5)];
    const summary = summarize(more, { resamples: 200 });
    expect(summary.map((entry) => entry.label)).toEqual(['relu', 'gelu', 'tanh', 'mish', 'sigmoid']);
    // scipy: ttest_rel(tanh, relu).pvalue = 0.10453999977837362, ttest_rel(mish, relu).pvalue = 0.026901909157431427
    expectClose(summary[2].versusBest!.pValue, 0.10453999977837362);
    expectClose(summary[3].versusBest!.pValue, 0.026901909157431427);
    expect(tiedForFirst(summary)).toEqual(['relu', 'gelu', 'tanh']);
    // At 0.2, tanh (p = 0.105) is told apart too; gelu (p = 0.749) still is not.
    expect(tiedForFirst(summarize(more, { resamples: 200, significance: 0.2 }))).toEqual(['relu', 'gelu']);
  });

  it('reports P(this > best) and P(best > this) with intervals that mirror each other', () => {
    const summary = summarize(runs, { seed: 1 });
    const { thisOverBest, bestOverThis } = summary[1].versusBest!.probabilityOfImprovement!;
    // gelu [85.1, 85.0, 84.89999999999999 (84.8 + 0.1 in floats), 85.0, 84.9] against relu
    // [85.0, 85.2, 84.8, 85.1, 84.9], by hand: 85.1 beats 3 and ties 1 (3.5), 85.0 beats 2 and
    // ties 1 (2.5, twice), 84.89999999999999 beats 84.8 only (1), 84.9 beats 1 and ties 1
    // (1.5): 11 of 25 pairs.
    const expected = 11 / 25;
    expect(thisOverBest.value).toBeCloseTo(expected, 15);
    expect(bestOverThis.value).toBeCloseTo(1 - expected, 15);
    expect(bestOverThis.ci!.low).toBeCloseTo(1 - thisOverBest.ci!.high, 15);
    expect(bestOverThis.ci!.high).toBeCloseTo(1 - thisOverBest.ci!.low, 15);
    expect(thisOverBest.ci!.low).toBeLessThan(thisOverBest.ci!.high);
  });

  it('is reproducible for a seed, and JSON-friendly: no NaN or Infinity even with a diverged run', () => {
    const diverged = runs.map((run) => (run.label === 'sigmoid' && run.seed === 3 ? { ...run, finalTrainLoss: NaN } : run));
    const summary = summarize(diverged, { seed: 5, resamples: 300 });
    expect(summarize(diverged, { seed: 5, resamples: 300 })).toEqual(summary);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    const sigmoidEntry = summary.find((entry) => entry.label === 'sigmoid')!;
    expect(sigmoidEntry.finalTrainLoss).toEqual({ n: 5, nonFinite: 1, mean: null, std: null, ci: null, iqm: null });
  });

  it('ranks by loss, lower is better, when asked; the direction turns the probability of improvement', () => {
    const summary = summarize(runs, { metric: 'finalTrainLoss', seed: 1 });
    expect(summary.map((entry) => entry.label)).toEqual(['relu', 'gelu', 'sigmoid']);
    // relu's losses are 1/8 below gelu's on every seed: a constant difference, p = 0
    expect(summary[1].versusBest).toMatchObject({ test: 'paired-t', pValue: 0 });
    expect(summary[1].tiedForFirst).toBe(false);
    // gelu [3/8 .. 7/8] against relu [2/8 .. 6/8]: gelu is lower in 3 + 2 + 1 pairs and
    // equal in 4: P(gelu better) = (6 + 4/2) / 25
    expect(summary[1].versusBest!.probabilityOfImprovement!.thisOverBest.value).toBeCloseTo(8 / 25, 15);
    const higher = summarize(runs, { metric: 'finalTrainLoss', higherIsBetter: true, seed: 1 });
    expect(higher[0].label).toBe('sigmoid');
  });

  it('with one seed looks as today: std and intervals null, nothing marked tied but the best', () => {
    // Seed 1 alone: gelu 85.1, relu 85.0, sigmoid 10.0
    const single = runs.filter((run) => run.seed === 1);
    const summary = summarize(single);
    expect(summary.map((entry) => [entry.label, entry.tiedForFirst])).toEqual([['gelu', true], ['relu', null], ['sigmoid', null]]);
    expect(summary[0].testAccuracy).toEqual({ n: 1, nonFinite: 0, mean: 85.1, std: null, ci: null, iqm: { value: 85.1, ci: null } });
    expect(summary[1].versusBest).toMatchObject({ pairs: 1, pValue: null, note: 'one paired seed: no spread known' });
    expect(summary[1].versusBest!.meanDifference).toBeCloseTo(-0.1, 12);
    expect(summary[1].versusBest!.probabilityOfImprovement!.thisOverBest).toEqual({ value: 0, ci: null });
    expect(tiedForFirst(summary)).toEqual(['gelu']);
  });

  it('uses the exact sign-flip test from six seeds on, and says so', () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    const six = [...runsOf('relu', [...relu, 85.0], 0.43, seeds), ...runsOf('gelu', [...gelu, 84.7], 0.44, seeds)];
    const [, second] = summarize(six);
    expect(second.versusBest!.test).toBe('sign-flip');
    expect(second.versusBest!.signFlip!.patterns).toBe(64);
    expect(second.versusBest!.pValue).toBe(second.versusBest!.signFlip!.pValue);
  });

  it('refuses runs that are missing, malformed or duplicated, naming them', () => {
    expect(() => summarize([])).toThrow(/at least one run/);
    expect(() => summarize([...runs, { ...runs[0] }])).toThrow(/two runs of sigmoid with seed 1/);
    expect(() => summarize([{ ...runs[0], label: '' }])).toThrow(/run 0 has no label/);
    expect(() => summarize([{ ...runs[0], seed: 1.5 }])).toThrow(/run 0 \(sigmoid\) has seed 1.5, not an integer/);
    expect(() => summarize([{ ...runs[0], testAccuracy: '85%' as never }])).toThrow(/testAccuracy "85%", not a number/);
    expect(() => summarize(runs, { metric: 'accuracy' as never })).toThrow(/metric must be one of testAccuracy, finalTrainLoss, secondsPerEpoch, got "accuracy"/);
  });

  it('checks every option before any work, even one that a single activation would not use', () => {
    const alone = runs.filter((run) => run.label === 'relu');
    expect(() => summarize(alone, { significance: 2 })).toThrow(/summarize: significance must lie in \(0, 1\), got 2/);
    expect(() => summarize(alone, { test: 'exact' as never })).toThrow(/summarize: test must be 'auto', 'paired-t' or 'sign-flip', got "exact"/);
    expect(() => summarize(alone, { resamples: 2.5 })).toThrow(/summarize: resamples must be a positive integer, got 2.5/);
    expect(() => summarize(alone, { higherIsBetter: 'yes' as never })).toThrow(/summarize: higherIsBetter must be true or false, got "yes"/);
  });
});
