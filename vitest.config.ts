import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // WebGPU (Dawn + SwiftShader) and Chromium run on the CPU here: give them time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One process at a time per file keeps two Dawn devices from fighting over 2 cores.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
