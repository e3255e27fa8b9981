// Several seeds, sharding and merging, as users run them: `gradscope compare --seeds 3`
// in one process, the same grid in three shards as three separate processes (--shard i/n,
// and --shard auto under Slurm's and Kubernetes' variables), and `gradscope merge` of the
// shards, which must equal the unsharded run value for value (all but the times). The
// command is bundled from the current sources (./bundle), as jobs.test.ts does.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonResult, RunResult } from '../../experiment/results';
import type { SummaryEntry } from '../../experiment/statistics';
import { runMain } from './run-main';
import { bundleCli } from './bundle';

const work = mkdtempSync(join(tmpdir(), 'gradscope-shards-test-'));
let bundle: string;
let removeBundle = () => {};

// staf costs more than relu, tanh and the baseline (experiment/step-costs.ts): the shards are dealt by cost.
const grid = ['--dataset', 'moons', '--activations', 'relu,tanh,staf', '--train-size', '300', '--test-size', '200', '--epochs', '3', '--hidden', '8,8', '--batch', '32', '--lr', '0.1', '--seeds', '3', '--device', 'cpu', '--no-png'];

interface Outcome {
  status: number | null;
  stderr: string;
  stdout: string;
  out: string;
  result?: ComparisonResult;
}

function gradscope(args: string[], env: Record<string, string> = {}): Outcome {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  // The scheduler's variables only where a test sets them, whatever the machine running the tests has.
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SLURM_|JOB_COMPLETION_INDEX$|GRADSCOPE_SHARDS$)/.test(name)));
  const run = spawnSync(process.execPath, [bundle, ...args, '--out', out], { encoding: 'utf8', timeout: 180_000, env: { ...base, ...env } });
  let result: ComparisonResult | undefined;
  try {
    result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ComparisonResult;
  } catch {
    result = undefined;
  }
  return { status: run.status, stderr: run.stderr, stdout: run.stdout, out, result };
}

/** A run without what depends on the machine's speed. */
function untimed(run: RunResult): Partial<RunResult> {
  const { totalSeconds: _t, secondsPerEpoch: _s, samplesPerSecond: _p, ...rest } = run;
  return rest;
}
function untimedSummary(entry: SummaryEntry): Partial<SummaryEntry> {
  const { secondsPerEpoch: _s, ...rest } = entry;
  return rest;
}
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

let whole: Outcome;
const shards: Outcome[] = [];

beforeAll(async () => {
  const built = await bundleCli();
  bundle = built.path;
  removeBundle = built.remove;
  whole = gradscope(['compare', ...grid]);
  for (const i of [1, 2, 3]) shards.push(gradscope(['compare', ...grid, '--shard', `${i}/3`]));
}, 600_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeBundle();
});

describe('gradscope compare --seeds 3', () => {
  it('trains every activation once per seed, the seeds derived from --seed, each run carrying its seed', () => {
    expect(whole.status, whole.stderr).toBe(0);
    const result = whole.result!;
    expect(result.options.seeds).toEqual([42, 43, 44]);
    const cells = result.runs.map((run) => `${run.label} ${run.seed}`).sort();
    expect(cells).toEqual(['none', 'relu', 'staf', 'tanh'].flatMap((label) => [42, 43, 44].map((seed) => `${label} ${seed}`)).sort());
  });

  it('contains the one-seed run of its first seed exactly (the data are drawn from the first seed)', () => {
    const alone = gradscope(['compare', ...grid.filter((a, i) => a !== '--seeds' && grid[i - 1] !== '--seeds')]);
    expect(alone.status, alone.stderr).toBe(0);
    const seed42 = whole.result!.runs.filter((run) => run.seed === 42).map(untimed);
    expect(alone.result!.runs.map(untimed)).toEqual(seed42);
    // --seed 42,43,44 names the same seeds as --seed 42 --seeds 3: the same runs.
    const listed = gradscope(['compare', ...grid.filter((a, i) => a !== '--seeds' && grid[i - 1] !== '--seeds'), '--seed', '42,43,44']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.result!.runs.map(untimed)).toEqual(whole.result!.runs.map(untimed));
  });

  it('summarises each activation across its seeds: n, and means equal to those of its runs', () => {
    const { runs, summary } = whole.result!;
    expect(summary!.map((entry) => entry.label).sort()).toEqual(['none', 'relu', 'staf', 'tanh']);
    for (const entry of summary!) {
      const own = runs.filter((run) => run.label === entry.label);
      expect(entry.n).toBe(3);
      expect(entry.testAccuracy.mean).toBeCloseTo(mean(own.map((run) => run.testAccuracy)), 12);
      expect(entry.finalTrainLoss.mean).toBeCloseTo(mean(own.map((run) => run.finalTrainLoss)), 12);
      expect(entry.secondsPerEpoch.mean).toBeCloseTo(mean(own.map((run) => run.secondsPerEpoch)), 12);
    }
    // Best mean first.
    const means = summary!.map((entry) => entry.testAccuracy.mean!);
    for (let i = 1; i < means.length; i++) expect(means[i - 1]).toBeGreaterThanOrEqual(means[i]);
  });

  it('marks tied for first exactly where the paired test vs the best has p >= 0.05, and prints mean ± std with the rule', () => {
    const { summary } = whole.result!;
    const [best, ...rest] = summary!;
    expect(best.versusBest).toBeNull();
    expect(best.tiedForFirst).toBe(true);
    for (const entry of rest) {
      expect(entry.versusBest!.test).toBe('paired-t'); // 3 seeds: the sign-flip test cannot reach 0.05
      expect(entry.tiedForFirst).toBe(entry.versusBest!.pValue! >= 0.05);
    }
    const table = whole.stdout;
    expect(table).toMatch(/activation\s+n\s+test acc\s+train loss\s+time\/epoch\s+dead %\s+p vs best\s+tied for first/);
    for (const entry of summary!) {
      const row = table.split('\n').find((line) => line.startsWith(`${entry.label} `))!;
      expect(row).toContain(`${(100 * entry.testAccuracy.mean!).toFixed(2)} ± ${(100 * entry.testAccuracy.std!).toFixed(2)}%`);
      expect(row.trimEnd()).toMatch(entry === best ? /best$/ : entry.tiedForFirst ? /yes$/ : /no$/);
    }
    expect(table).toContain('mean ± std over 3 seeds (42, 43, 44');
    expect(table).toContain('tied for first: cannot be told apart from');
    expect(table).toContain('paired t-test');
  });

  it('one seed looks as before and says that no spread is known', () => {
    const one = gradscope(['compare', ...grid.filter((a, i) => a !== '--seeds' && grid[i - 1] !== '--seeds'), '--activations', 'relu']);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^\s*activation\s+test acc\s+train loss\s+time/m);
    expect(one.stdout).toContain('one seed (42): no spread is known');
    expect(one.result!.summary!.every((entry) => entry.n === 1 && entry.testAccuracy.std === null)).toBe(true);
  });
});

describe('gradscope compare --shard i/n, then gradscope merge', () => {
  it('each shard trains its share and marks its results partial, with the grid, the options and the version', () => {
    for (const [i, shard] of shards.entries()) {
      expect(shard.status, shard.stderr).toBe(0);
      const record = shard.result!.shard!;
      expect(record).toMatchObject({ index: i + 1, count: 3 });
      expect(record.grid).toHaveLength(12);
      expect(shard.result!.runs.map((run) => `${run.label} ${run.seed}`).sort()).toEqual(record.cells.map((cell) => `${cell.label} ${cell.seed}`).sort());
      expect(shard.result!.version).toBe(whole.result!.version);
      expect(shard.result!.summary).toBeUndefined();
      expect(shard.stdout).toContain(`partial results: shard ${i + 1}/3`);
    }
    // Between them the shards train the grid once: every cell in exactly one shard.
    const all = shards.flatMap((shard) => shard.result!.shard!.cells.map((cell) => `${cell.label} ${cell.seed}`));
    expect(all.sort()).toEqual(whole.result!.runs.map((run) => `${run.label} ${run.seed}`).sort());
    // Dealt by cost, the most expensive first: the three staf runs go one to each shard.
    for (const shard of shards) expect(shard.result!.runs.filter((run) => run.activation === 'staf')).toHaveLength(1);
  });

  it('merged, the shards equal the unsharded run value for value (all but the times)', () => {
    const merged = gradscope(['merge', ...shards.map((shard) => shard.out)]);
    expect(merged.status, merged.stderr).toBe(0);
    const a = merged.result!;
    const b = whole.result!;
    expect(a.runs.map(untimed)).toEqual(b.runs.map(untimed));
    expect(a.summary!.map(untimedSummary)).toEqual(b.summary!.map(untimedSummary));
    for (const key of ['options', 'dataset', 'network', 'activations', 'version', 'tool'] as const) expect(a[key]).toEqual(b[key]);
    expect(a.shard).toBeUndefined();
    expect(a.mergedFrom!.map((shard) => shard.index)).toEqual([1, 2, 3]);
    // The same table but for the times.
    const withoutTimes = (text: string) =>
      text
        .split('\n')
        .filter((line) => !line.startsWith('times:'))
        .map((line) => line.replace(/\d+\.\d+ ± \d+\.\d+s/g, 'T'))
        .join('\n');
    expect(withoutTimes(readFileSync(join(merged.out, 'results.txt'), 'utf8'))).toBe(withoutTimes(readFileSync(join(whole.out, 'results.txt'), 'utf8')));
    expect(readFileSync(join(merged.out, 'results.txt'), 'utf8')).toContain('times: measured in 3 shards');
    const report = readFileSync(join(merged.out, 'report.html'), 'utf8');
    expect(report).toContain('id="fig-spread"');
    expect(report).toContain('<dt>merged</dt>');
  });

  it('--shard auto under a Slurm job array picks the share of the same --shard i/n', () => {
    // --array=0-2: task 1 is the second shard.
    const slurm = gradscope(['compare', ...grid, '--shard', 'auto'], { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '2' });
    expect(slurm.status, slurm.stderr).toBe(0);
    expect(slurm.result!.shard).toEqual(shards[1].result!.shard);
    expect(slurm.result!.runs.map(untimed)).toEqual(shards[1].result!.runs.map(untimed));
    expect(slurm.stderr).toContain('Slurm job array');
  });

  it('--shard auto/3 in a Kubernetes Indexed Job (and GRADSCOPE_SHARDS) picks the share of the same --shard i/n', () => {
    const indexed = gradscope(['compare', ...grid, '--shard', 'auto/3'], { JOB_COMPLETION_INDEX: '2' });
    expect(indexed.status, indexed.stderr).toBe(0);
    expect(indexed.result!.shard).toEqual(shards[2].result!.shard);
    expect(indexed.result!.runs.map(untimed)).toEqual(shards[2].result!.runs.map(untimed));
    const fromVariable = gradscope(['compare', ...grid, '--shard', 'auto'], { JOB_COMPLETION_INDEX: '0', GRADSCOPE_SHARDS: '3' });
    expect(fromVariable.status, fromVariable.stderr).toBe(0);
    expect(fromVariable.result!.shard).toEqual(shards[0].result!.shard);
  });

  it('--shard auto with no scheduler, or with values that do not fit, is refused before training', () => {
    const none = gradscope(['compare', ...grid, '--shard', 'auto']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('no scheduler found: neither SLURM_ARRAY_TASK_ID');
    const count = gradscope(['compare', ...grid, '--shard', 'auto'], { JOB_COMPLETION_INDEX: '0' });
    expect(count.status).toBe(2);
    expect(count.stderr).toContain('give --shard auto/N or set GRADSCOPE_SHARDS');
    const outside = gradscope(['compare', ...grid, '--shard', 'auto/3'], { JOB_COMPLETION_INDEX: '3' });
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain('JOB_COMPLETION_INDEX="3" is not below the 3 shards');
    const tooMany = gradscope(['compare', ...grid, '--shard', '1/13']);
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toContain('13 shards for a grid of 12 runs');
  });
});

describe('gradscope merge refuses', () => {
  /** A copy of a shard's folder with its results.json changed. */
  function altered(shard: Outcome, change: (result: ComparisonResult) => void): string {
    const folder = join(work, `altered-${Math.random().toString(36).slice(2)}`);
    cpSync(shard.out, folder, { recursive: true });
    const result = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as ComparisonResult;
    change(result);
    writeFileSync(join(folder, 'results.json'), JSON.stringify(result));
    return folder;
  }
  const merge = (folders: string[]) => runMain(['merge', ...folders, '--out', join(work, `merged-${Math.random().toString(36).slice(2)}`), '--no-png']);

  it('shards of another gradscope version, naming both', async () => {
    const other = altered(shards[1], (result) => (result.version = '0.0.1'));
    const run = await merge([shards[0].out, other, shards[2].out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`gradscope merge: ${other} was written by gradscope 0.0.1 and ${shards[0].out} by gradscope ${whole.result!.version}`);
  });

  it('shards of other options, naming what differs', async () => {
    const other = altered(shards[2], (result) => (result.options.lr = 0.5));
    const run = await merge([shards[0].out, shards[1].out, other]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('their options differ: lr: 0.1 vs 0.5');
  });

  it('missing runs, naming them and the shard not given', async () => {
    const run = await merge([shards[0].out, shards[2].out]);
    expect(run.code).toBe(2);
    const missing = shards[1].result!.shard!.cells.map((cell) => `${cell.label}, seed ${cell.seed}`);
    expect(run.stderr).toContain(`${missing.length} of the 12 runs missing: `);
    for (const cell of missing) expect(run.stderr).toContain(cell);
    expect(run.stderr).toContain('(shard 2/3 not given)');
  });

  it('runs trained twice, naming them and where', async () => {
    const copy = altered(shards[0], () => {});
    const run = await merge([shards[0].out, shards[1].out, shards[2].out, copy]);
    expect(run.code).toBe(2);
    const first = shards[0].result!.shard!.cells[0];
    expect(run.stderr).toContain('trained more than once');
    expect(run.stderr).toContain(`${first.label}, seed ${first.seed} (in ${shards[0].out}, ${copy})`);
  });

  it('a whole run, a folder without results, and --out onto a shard', async () => {
    const notShard = await merge([whole.out, shards[0].out]);
    expect(notShard.code).toBe(2);
    expect(notShard.stderr).toContain(`${whole.out} holds the results of a whole comparison, not of a shard`);
    const empty = mkdtempSync(join(work, 'empty-'));
    const nothing = await merge([empty]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain(`cannot read ${join(empty, 'results.json')} (ENOENT)`);
    const onto = await runMain(['merge', shards[0].out, shards[1].out, shards[2].out, '--out', shards[0].out, '--no-png']);
    expect(onto.code).toBe(2);
    expect(onto.stderr).toContain(`--out ${shards[0].out} is the shard folder`);
    expect(JSON.parse(readFileSync(join(shards[0].out, 'results.json'), 'utf8')).shard.index).toBe(1);
  });
});
