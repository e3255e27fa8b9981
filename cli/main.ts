// Entry of the `gradscope` command (built to dist/cli.js): see cli/program.ts. The same
// file is the entry of the worker threads of `compare --jobs N` (cli/worker-pool.ts
// starts them on this module's URL): there it serves runs instead of parsing flags, so
// the build needs no second entry point and the workers run exactly this code.
import './wasm-features';
import { isRunWorker, serveRuns } from './run-worker';
import { main } from './program';

/**
 * process.exit() (needed: a WebGPU device can keep the event loop alive) only after
 * stdout and stderr have drained: writes to a pipe are asynchronous, and exiting at once
 * cut `--json` output to the pipe's 64 KiB.
 */
async function exitWhenFlushed(code: number): Promise<never> {
  const drained = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

if (isRunWorker()) {
  serveRuns();
} else {
  main(process.argv.slice(2), { workerEntry: new URL(import.meta.url) }).then(
    (code) => exitWhenFlushed(code),
    (error) => {
      process.stderr.write(`${String(error)}\n`);
      return exitWhenFlushed(1);
    },
  );
}
