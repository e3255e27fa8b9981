// `gradscope compare --jobs N` and the CPU matmul's threads share the cores: each of the
// N workers' backends gets floor(cores / N) threads per product, at least one.
import { describe, expect, it } from 'vitest';
import { threadsPerJob } from '../../cli/worker-pool';

describe('threadsPerJob(cores, jobs)', () => {
  it('divides the cores evenly among the jobs, rounding down', () => {
    expect(threadsPerJob(2, 1)).toBe(2);
    expect(threadsPerJob(2, 2)).toBe(1);
    expect(threadsPerJob(16, 3)).toBe(5);
    expect(threadsPerJob(16, 4)).toBe(4);
    expect(threadsPerJob(8, 5)).toBe(1);
  });

  it('never goes below one thread, however many jobs share the cores', () => {
    expect(threadsPerJob(2, 3)).toBe(1);
    expect(threadsPerJob(1, 1)).toBe(1);
    expect(threadsPerJob(4, 29)).toBe(1);
  });

  it('never gives the jobs together more threads than cores (when there are at least as many cores as jobs)', () => {
    for (let cores = 1; cores <= 32; cores++) {
      for (let jobs = 1; jobs <= cores; jobs++) expect(jobs * threadsPerJob(cores, jobs)).toBeLessThanOrEqual(cores);
    }
  });
});
