// The `gradscope` command line (cli/main.ts runs it): `gradscope compare`. Parses and
// checks the flags, the output location and the memory the run needs before training
// (bad input: one line naming the problem, exit status 2), runs experiment/compare.ts with
// progress bars, prints the results table, and writes results.json, the HTML report and
// PNG figures into --out (cli/output.ts: by name, never deleting anything else).

import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import '../index';
import { runComparison, runOrder } from '../experiment/compare';
import type { ComparisonResult } from '../experiment/results';
import { resultsTable } from '../experiment/table';
import { checkMemory } from './memory';
import {
  allActivations,
  DATASETS,
  DEFAULTS,
  defaultActivations,
  defaultSizes,
  DEVICES,
  parseActivations,
  parseDataset,
  parseDevice,
  parseHidden,
  parseInit,
  parseJobs,
  parseNumber,
  SPLIT_SIZES,
  UsageError,
  validateOptions,
  type CompareOptions,
} from '../experiment/options';
import { writeOutputs } from './output';
import { checkOutputLocation } from './output-location';
import { progressHooks } from './progress';
import { tableText } from './table-text';
import { workerPool } from './worker-pool';

interface RawFlags {
  activations?: string;
  dataset: string;
  epochs: string;
  /** Absent when not typed: the data set's own sizes are the defaults. */
  trainSize?: string;
  testSize?: string;
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

/**
 * The exit statuses, as --help and the README document them. FIGURES_MISSING: the
 * results were written but the PNG figures asked for were not (the warning says why).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, figuresMissing: 3 } as const;

function toOptions(flags: RawFlags): CompareOptions {
  const dataset = parseDataset(flags.dataset);
  const sizes = defaultSizes(dataset);
  const options: CompareOptions = {
    activations: flags.activations === undefined ? defaultActivations() : parseActivations(flags.activations),
    dataset,
    epochs: parseNumber('--epochs', flags.epochs, 'positive-integer'),
    trainSize: flags.trainSize === undefined ? sizes.train : parseNumber('--train-size', flags.trainSize, 'positive-integer'),
    testSize: flags.testSize === undefined ? sizes.test : parseNumber('--test-size', flags.testSize, 'positive-integer'),
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
    .addOption(new Option('--train-size <n>', `training samples (default: the data set's whole training split, ${splitSizes('train')})`))
    .addOption(new Option('--test-size <n>', `test samples (default: the data set's whole test split, ${splitSizes('test')})`))
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
    .addOption(
      new Option(
        '--out <dir>',
        'folder for results.json, results.txt, report.html and figures/*.png: made if missing; only those files are replaced, nothing else in it is touched. ' +
          'Refused: a root, a top-level folder other than your home (/home, /tmp), anything in the system folders (/etc, /usr, ...)',
      ).default(DEFAULT_OUT),
    )
    .addOption(new Option('--json', 'print results.json to stdout (the table and progress go to stderr)'))
    .addOption(new Option('--no-png', 'do not render PNG figures with headless Chromium'))
    .addHelpText(
      'after',
      `\nExit status: ${EXIT.ok} done; ${EXIT.badInput} bad input (a flag, --out, or more memory than there is: nothing was trained or written); ` +
        `${EXIT.figuresMissing} results written but the PNG figures missing (no usable Chromium: the warning says why); ${EXIT.failed} any other failure.`,
    )
    .action(async (flags: RawFlags, command: Command) => {
      const fromUser = (name: string) => command.getOptionValueSource(name) === 'cli';
      const usedDefaults = !['activations', 'epochs', 'trainSize', 'testSize', 'dataset'].some(fromUser);
      await run(flags, usedDefaults);
    });
  return program;
}

/** '60000 for fashion-mnist, 7996 for mnist; 60000 for the 2-D sets' */
function splitSizes(part: 'train' | 'test'): string {
  const images = Object.entries(SPLIT_SIZES).map(([name, sizes]) => `${sizes[part]} for ${name}`);
  return `${images.join(', ')}; ${defaultSizes('moons')[part]} for the 2-D sets`;
}

async function compare(flags: RawFlags, usedDefaults: boolean, runtime: CliRuntime): Promise<number> {
  const options = toOptions(flags);
  // Before any data is loaded or trained on: where the results go, and whether the run fits.
  checkOutputLocation(flags.out, { png: flags.png });
  checkMemory(options);
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
  const table = tableText(resultsTable(result));
  (flags.json ? process.stderr : process.stdout).write(`\n${table}\n\n`);
  const { written, figuresMissing } = await writeOutputs(result, table, flags.out, { png: flags.png });
  process.stderr.write(`wrote ${written.join(', ')}\n`);
  if (figuresMissing) process.stderr.write(`gradscope compare: warning: PNG figures not written (exit status ${EXIT.figuresMissing}): ${figuresMissing}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return figuresMissing ? EXIT.figuresMissing : EXIT.ok;
}

export async function main(argv: string[], runtime: CliRuntime = {}): Promise<number> {
  let status: number = EXIT.ok;
  const program = buildProgram(async (flags, usedDefaults) => {
    status = await compare(flags, usedDefaults, runtime);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander printed the rest.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`gradscope compare: ${error.message}\n`);
      return EXIT.badInput;
    }
    const detail = process.env.GRADSCOPE_DEBUG ? ((error as Error).stack ?? String(error)) : (error as Error).message;
    process.stderr.write(`gradscope compare failed: ${detail}\n`);
    return EXIT.failed;
  }
}
