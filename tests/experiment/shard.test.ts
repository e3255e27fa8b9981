// The grid of a comparison (every run with every seed), how --seeds and --seed 1,2,3 make
// its seeds, and how --shard deals it out: deterministic, every cell in exactly one shard,
// balanced by the measured step costs, and `--shard auto` read from Slurm's and
// Kubernetes' variables with clear errors when they are missing or do not fit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellKey, runGrid } from '../../experiment/grid';
import { DEFAULTS, parseActivations, resolveOptions, UsageError, type CompareOptions } from '../../experiment/options';
import { builtInProtocol } from '../../experiment/protocols';
import { deriveSeeds, seedsOf } from '../../experiment/seeds';
import { parseShard, shardFromScheduler, shardPlan, shardRuns } from '../../experiment/shard';
import { MEASURED_STEP_COSTS, stepCost } from '../../experiment/step-costs';
import { resolveShard } from '../../cli/program';

const options = (activations: string, seeds: number[]): CompareOptions => ({ ...DEFAULTS, activations: parseActivations(activations), seed: seeds[0], seeds });

describe('seeds', () => {
  it('--seeds N derives seed, seed + 1, ..., and --seed 1,2,3 names them', () => {
    expect(deriveSeeds(42, 5)).toEqual([42, 43, 44, 45, 46]);
    const quick = builtInProtocol('quick');
    expect(resolveOptions(quick, { seeds: 3 })).toMatchObject({ seed: 42, seeds: [42, 43, 44] });
    expect(resolveOptions(quick, { seed: 7, seeds: 2 })).toMatchObject({ seed: 7, seeds: [7, 8] });
    expect(resolveOptions(quick, { seed: [5, 1, 9] })).toMatchObject({ seed: 5, seeds: [5, 1, 9] });
    expect(resolveOptions(quick, {})).toMatchObject({ seed: 42, seeds: [42] });
    expect(seedsOf({ seed: 3 })).toEqual([3]);
  });

  it('refuses a seed listed twice, and a list with a count', () => {
    const quick = builtInProtocol('quick');
    expect(() => resolveOptions(quick, { seed: [1, 2, 1] })).toThrow(UsageError);
    expect(() => resolveOptions(quick, { seed: [1, 2], seeds: 3 })).toThrow(/give the seeds or how many to derive, not both/);
  });

  it('the grid is every run with every seed, seed by seed; with one seed the run order of before', () => {
    const grid = runGrid(options('relu,tanh', [3, 9]));
    expect(grid.map((cell) => `${cell.label} ${cell.seed}`)).toEqual(['relu 3', 'tanh 3', 'none 3', 'relu 9', 'tanh 9', 'none 9']);
    expect(runGrid(options('gelu', [1])).map((cell) => cell.label)).toEqual(['gelu', 'none']);
  });
});

describe('--shard i/n', () => {
  it('parses i/n, auto and auto/N, and refuses the rest naming what was given', () => {
    expect(parseShard('2/3')).toEqual({ kind: 'explicit', shard: { index: 2, count: 3 } });
    expect(parseShard('auto')).toEqual({ kind: 'auto', count: null });
    expect(parseShard('auto/4')).toEqual({ kind: 'auto', count: 4 });
    for (const bad of ['0/3', '4/3', '1/0', 'x/2', '1/2/3', '2', 'auto/0', '1.5/3']) expect(() => parseShard(bad)).toThrow(`got '${bad}'`);
  });

  it('deals every cell to exactly one shard, the same way every time, each shard at least one', () => {
    fc.assert(
      fc.property(fc.subarray(['relu', 'tanh', 'gelu', 'staf', 'rational', 'elu', 'mish', 'softplus'], { minLength: 1 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), (names, seedCount, count) => {
        const grid = runGrid(options(names.join(','), deriveSeeds(1, seedCount)));
        fc.pre(count <= grid.length);
        const plan = shardPlan(grid, count);
        const dealt = plan.flatMap((share) => share.runs.map(cellKey));
        expect(dealt.slice().sort()).toEqual(grid.map(cellKey).sort());
        for (const share of plan) expect(share.runs.length).toBeGreaterThan(0);
        expect(shardPlan(grid, count)).toEqual(plan);
        for (const share of plan) expect(shardRuns(grid, share.shard)).toEqual(share.runs);
        // Longest processing time first: no shard exceeds the average by more than the largest cell.
        const costs = grid.map((cell) => stepCost(cell.activation));
        const average = costs.reduce((a, b) => a + b, 0) / count;
        for (const share of plan) expect(share.cost).toBeLessThanOrEqual(average + Math.max(...costs) + 1e-9);
      }),
    );
  });

  it('balances by the measured cost: the most expensive runs spread over the shards, cheap runs fill the rest', () => {
    const [first, second] = Object.entries(MEASURED_STEP_COSTS).sort((a, b) => b[1] - a[1]).map(([name]) => name);
    expect(MEASURED_STEP_COSTS[second]).toBeGreaterThan(MEASURED_STEP_COSTS.relu);
    const grid = runGrid(options(`relu,${first},${second}`, [1, 2]));
    const plan = shardPlan(grid, 4);
    for (const share of plan) expect(share.runs.filter((run) => run.activation === first || run.activation === second)).toHaveLength(1);
    // A user's activation, not measured, costs one relu.
    expect(stepCost('my_activation')).toBe(1);
  });

  it('refuses more shards than cells, naming both', () => {
    const grid = runGrid(options('relu', [1, 2]));
    expect(() => shardPlan(grid, 5)).toThrow('--shard: 5 shards for a grid of 4 runs');
  });
});

describe('--shard auto', () => {
  const slurm = (id: number, count: number, min = 0) => ({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: String(count), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_MAX: String(min + count - 1) });

  it('takes a Slurm array task as the shard of the same position, from 0 or from 1', () => {
    for (let id = 0; id < 4; id++) expect(resolveShard('auto', slurm(id, 4))!.shard).toEqual(resolveShard(`${id + 1}/4`, {})!.shard);
    expect(resolveShard('auto', slurm(1, 3, 1))!.shard).toEqual({ index: 1, count: 3 });
    expect(resolveShard('auto/3', slurm(3, 3, 1))!.shard).toEqual({ index: 3, count: 3 });
    // --array=0-8:2 (task ids 0, 2, 4, 6, 8): five shards.
    expect(shardFromScheduler({ SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_COUNT: '5', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '8', SLURM_ARRAY_TASK_STEP: '2' }, null).shard).toEqual({ index: 4, count: 5 });
  });

  it('takes a Kubernetes completion index with the count from auto/N or GRADSCOPE_SHARDS', () => {
    expect(resolveShard('auto/5', { JOB_COMPLETION_INDEX: '0' })!.shard).toEqual({ index: 1, count: 5 });
    expect(resolveShard('auto', { JOB_COMPLETION_INDEX: '4', GRADSCOPE_SHARDS: '5' })!.shard).toEqual({ index: 5, count: 5 });
    expect(resolveShard(undefined, { JOB_COMPLETION_INDEX: '4' })).toBeUndefined();
  });

  it('clear errors when no scheduler is found, both are, or the values do not fit', () => {
    const refused = (env: Record<string, string>, given = 'auto') => {
      try {
        resolveShard(given, env);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };
    expect(refused({})).toContain('no scheduler found');
    expect(refused({ ...slurm(0, 2), JOB_COMPLETION_INDEX: '0' })).toContain('both a Slurm job array');
    expect(refused({ SLURM_ARRAY_TASK_ID: '0' })).toContain('SLURM_ARRAY_TASK_COUNT is not set');
    expect(refused(slurm(0, 3), 'auto/4')).toContain('--shard auto/4 says 4 shards but the Slurm job array has 3 tasks');
    expect(refused({ ...slurm(0, 3), GRADSCOPE_SHARDS: '2' })).toContain('GRADSCOPE_SHARDS says 2 shards');
    expect(refused({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0' })).toContain('must run evenly from its min');
    expect(refused({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '7' })).toContain('SLURM_ARRAY_TASK_MAX="7"');
    expect(refused({ JOB_COMPLETION_INDEX: '1' })).toContain('give --shard auto/N or set GRADSCOPE_SHARDS');
    expect(refused({ JOB_COMPLETION_INDEX: '3', GRADSCOPE_SHARDS: '3' })).toContain('JOB_COMPLETION_INDEX="3" is not below the 3 shards');
    expect(refused({ JOB_COMPLETION_INDEX: '0', GRADSCOPE_SHARDS: '3' }, 'auto/2')).toContain('disagree on the number of shards');
    expect(refused({ JOB_COMPLETION_INDEX: 'x', GRADSCOPE_SHARDS: '3' })).toContain('JOB_COMPLETION_INDEX="x" is not a whole number');
  });
});
