// The `gradscope` command line (cli/main.ts runs it): `gradscope compare`. Parses and
// checks the flags (bad input: one line naming the valid choices, exit status 2), runs
// cli/compare.ts with progress bars, prints the results table, and writes results.json,
// the HTML report and PNG figures into --out — through a temporary directory that is
// moved into place only when everything succeeded.

import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import '../index';
import { runComparison, runOrder, type ComparisonResult } from './compare';
import {
  allActivations,
  DATASETS,
  DEFAULTS,
  defaultActivations,
  DEVICES,
  parseActivations,
  parseDataset,
  parseDevice,
  parseHidden,
  parseInit,
  parseJobs,
  parseNumber,
  UsageError,
  validateOptions,
  type CompareOptions,
} from './options';
import { formatTable } from './table';
import { writeOutputs } from './output';
import { progressHooks } from './progress';
import { workerPool } from './worker-pool';

interface RawFlags {
  activations?: string;
  dataset: string;
  epochs: string;
  trainSize: string;
  testSize: string;
  lr: string;
  momentum: string;
  batch: string;
  hidden: string;
  init: string;
  seed: string;
  device: string;
  jobs: string;
  out: string;
  json?: boolean;
  png: boolean;
}

// Ignored by git (.gitignore), so `npm start` in the repository leaves the tree clean.
export const DEFAULT_OUT = 'gradscope-out';

function toOptions(flags: RawFlags): CompareOptions {
  const options: CompareOptions = {
    activations: flags.activations === undefined ? defaultActivations() : parseActivations(flags.activations),
    dataset: parseDataset(flags.dataset),
    epochs: parseNumber('--epochs', flags.epochs, 'positive-integer'),
    trainSize: parseNumber('--train-size', flags.trainSize, 'positive-integer'),
    testSize: parseNumber('--test-size', flags.testSize, 'positive-integer'),
    lr: parseNumber('--lr', flags.lr, 'positive'),
    momentum: parseNumber('--momentum', flags.momentum, 'non-negative'),
    batch: parseNumber('--batch', flags.batch, 'positive-integer'),
    hidden: parseHidden(flags.hidden),
    init: parseInit(flags.init),
    seed: parseNumber('--seed', flags.seed, 'integer'),
    device: parseDevice(flags.device),
  };
  options.jobs = parseJobs(flags.jobs, availableParallelism(), runOrder(options).length);
  try {
    return validateOptions(options);
  } catch (error) {
    // Name the flag as typed: 'train-size: ...' → '--train-size: ...'.
    if (error instanceof UsageError) throw new UsageError(`--${error.message}`);
    throw error;
  }
}

/** What the command needs from its entry point. */
export interface CliRuntime {
  /**
   * The module that worker threads start for --jobs above 1: the built command itself
   * (cli/main.ts passes its own URL). Absent when main() runs from the TypeScript sources,
   * which worker threads cannot load.
   */
  workerEntry?: URL;
}

function buildProgram(run: (flags: RawFlags, usedDefaults: boolean) => Promise<void>): Command {
  const program = new Command('gradscope');
  program
    .description('gradscope: an autograd engine with WGSL kernels, built to study activation functions')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`${text.split('\n')[0]} (see gradscope compare --help)\n`) });
  program
    .command('compare', { isDefault: true })
    .description(
      'Train the same network once per activation (from identical initial weights) plus the no-activation baseline, and compare ' +
        'accuracy, loss, speed, dead neurons and gradient flow. The defaults are a subset that finishes in about 2 minutes on 2 CPU cores; ' +
        'the full protocol is --activations all --train-size 60000 --test-size 10000 --epochs 15.',
    )
    .addOption(new Option('--activations <list>', `comma-separated activations, or 'all' (default: ${defaultActivations().join(',')}; valid: ${allActivations().join(', ')})`))
    .addOption(new Option('--dataset <name>', `data set (${DATASETS.join('|')})`).default(DEFAULTS.dataset))
    .addOption(new Option('--epochs <n>', 'training epochs per activation').default(String(DEFAULTS.epochs)))
    .addOption(new Option('--train-size <n>', 'training samples (FashionMNIST has 60,000 in its training split)').default(String(DEFAULTS.trainSize)))
    .addOption(new Option('--test-size <n>', 'test samples (FashionMNIST: up to 10,000)').default(String(DEFAULTS.testSize)))
    .addOption(new Option('--lr <x>', 'SGD learning rate').default(String(DEFAULTS.lr)))
    .addOption(new Option('--momentum <x>', 'SGD momentum').default(String(DEFAULTS.momentum)))
    .addOption(new Option('--batch <n>', 'batch size').default(String(DEFAULTS.batch)))
    .addOption(new Option('--hidden <sizes>', 'hidden layer sizes, comma-separated').default(DEFAULTS.hidden.join(',')))
    .addOption(new Option('--init <name>', 'weight initializer (see gs.init)').default(DEFAULTS.init))
    .addOption(new Option('--seed <n>', 'seed for weights, data and shuffling (the same for every activation)').default(String(DEFAULTS.seed)))
    .addOption(new Option('--device <name>', `where to train (${DEVICES.join('|')}); auto: a hardware WebGPU adapter if there is one, the CPU if none, and on a software adapter (SwiftShader) whichever a short calibration finds faster`).default(DEFAULTS.device))
    .addOption(
      new Option(
        '--jobs <n>',
        "runs trained at once, each in its own worker thread with its own backend (a positive integer, or 'auto': one per CPU core; at most one per run). " +
          'Results are identical to --jobs 1; the runs share the cores, so times compare only within one invocation',
      ).default('1'),
    )
    .addOption(new Option('--out <dir>', 'directory for results.json, report.html and figures/*.png').default(DEFAULT_OUT))
    .addOption(new Option('--json', 'print results.json to stdout (the table and progress go to stderr)'))
    .addOption(new Option('--no-png', 'do not render PNG figures with headless Chromium'))
    .action(async (flags: RawFlags, command: Command) => {
      const fromUser = (name: string) => command.getOptionValueSource(name) === 'cli';
      const usedDefaults = !['activations', 'epochs', 'trainSize', 'testSize', 'dataset'].some(fromUser);
      await run(flags, usedDefaults);
    });
  return program;
}

async function compare(flags: RawFlags, usedDefaults: boolean, runtime: CliRuntime): Promise<void> {
  const options = toOptions(flags);
  const jobs = options.jobs ?? 1;
  if (jobs > 1 && !runtime.workerEntry) {
    throw new Error('--jobs above 1 needs the built command (npm run build, then node dist/cli.js): worker threads cannot load the TypeScript sources');
  }
  if (usedDefaults) {
    process.stderr.write(
      `Default run: ${options.activations.length} activations + the no-activation baseline on ${options.trainSize} ${options.dataset} images, ` +
        `${options.epochs} epochs (about 2 minutes on 2 CPU cores). Full protocol: --activations all --train-size 60000 --test-size 10000 --epochs 15\n`,
    );
  }
  const hooks = progressHooks();
  let result: ComparisonResult;
  try {
    result = await runComparison(options, { ...hooks, runRuns: jobs > 1 ? workerPool({ jobs, entry: runtime.workerEntry! }) : undefined });
  } finally {
    hooks.stop();
  }
  const table = formatTable(result);
  (flags.json ? process.stderr : process.stdout).write(`\n${table}\n\n`);
  const written = await writeOutputs(result, table, flags.out, { png: flags.png, log: (line) => process.stderr.write(`${line}\n`) });
  process.stderr.write(`wrote ${written.join(', ')}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

export async function main(argv: string[], runtime: CliRuntime = {}): Promise<number> {
  const program = buildProgram((flags, usedDefaults) => compare(flags, usedDefaults, runtime));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander printed the rest.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`gradscope compare: ${error.message}\n`);
      return 2;
    }
    const detail = process.env.GRADSCOPE_DEBUG ? ((error as Error).stack ?? String(error)) : (error as Error).message;
    process.stderr.write(`gradscope compare failed: ${detail}\n`);
    return 1;
  }
}
