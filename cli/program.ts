// The `gradscope` command line (cli/main.ts runs it): `gradscope compare`, `gradscope
// protocols`, and `gradscope report` (the report and figures again, from a results.json). compare reads a protocol (--protocol; the quick one by default) and the flags
// typed over it, checks them, the output location and the memory the run needs before
// training (bad input: one line naming the problem, exit status 2), runs
// experiment/compare.ts with progress bars, prints the results table, and writes
// results.json, the HTML report and PNG figures into --out (cli/output.ts: by name, never
// deleting anything else). With --shard it trains a share of the grid (every run with
// every seed) and writes partial results; `gradscope merge` puts the shards together.

import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import '../index';
import { runComparison } from '../experiment/compare';
import { runGrid } from '../experiment/grid';
import { mergeShards, type ShardResults } from '../experiment/merge';
import { parseShard, shardFromScheduler, shardRuns, type Shard } from '../experiment/shard';
import { initializerTableText } from '../experiment/initializer-table';
import { runLabel, runsInTrainingOrder, type ComparisonResult } from '../experiment/results';
import type { TrainedModel } from '../experiment/trained-model';
import { resultsTable } from '../experiment/table';
import { DEFAULT_PROTOCOL, protocolListing } from '../experiment/protocols';
import { checkMemory } from './memory';
import {
  allActivations,
  DATASETS,
  DEAD_ON,
  DEFAULTS,
  DEFAULT_ACTIVATIONS,
  defaultSizes,
  DEVICES,
  NORMALIZATIONS,
  OPTIMIZERS,
  parseJobs,
  resolveOptions,
  SETTINGS,
  SPLIT_SIZES,
  UsageError,
  type CompareOptions,
  type Settings,
  type SettingName,
} from '../experiment/options';
import { writeOutputs } from './output';
import { checkOutputLocation } from './output-location';
import { loadProtocol } from './protocol-file';
import { progressHooks } from './progress';
import { registerActivationFiles } from './register';
import { readResultsFile } from './results-file';
import { tableText } from './table-text';
import { workerPool } from './worker-pool';

/** The command's own options (the settings' flags come from experiment/options.ts SETTINGS). */
interface CommandFlags {
  protocol?: string;
  register?: string[];
  jobs: string;
  shard?: string;
  out: string;
  json?: boolean;
  png: boolean;
  saveModels?: boolean;
}

/** `gradscope report`'s options. */
interface ReportFlags {
  out: string;
  png: boolean;
}

// Ignored by git (.gitignore), so `npm start` in the repository leaves the tree clean.
export const DEFAULT_OUT = 'gradscope-out';

/**
 * The exit statuses, as --help and the README document them. FIGURES_MISSING: the
 * results were written but the PNG figures asked for were not (the warning says why).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, figuresMissing: 3 } as const;

/** The settings typed on the command line (only those), each read by its setting's own parser. */
function typedSettings(command: Command): Partial<Settings> {
  const typed: Partial<Record<SettingName, unknown>> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    if (name === 'initializerTable' || command.getOptionValueSource(name) !== 'cli') continue;
    const value = command.getOptionValue(name) as string | boolean;
    typed[name] = typeof value === 'boolean' ? value : spec.fromText(value, spec.flag);
  }
  return typed as Partial<Settings>;
}

/** The shard --shard names (explicit, or from the scheduler's variables with auto), or none. */
export function resolveShard(text: string | undefined, env: Readonly<Record<string, string | undefined>>): { shard: Shard; source: string } | undefined {
  if (text === undefined) return undefined;
  const request = parseShard(text);
  return request.kind === 'explicit' ? { shard: request.shard, source: `--shard ${text}` } : shardFromScheduler(env, request.count);
}

function toOptions(flags: CommandFlags, typed: Partial<Settings>, shard: Shard | undefined): CompareOptions {
  const protocol = loadProtocol(flags.protocol ?? DEFAULT_PROTOCOL);
  let options: CompareOptions;
  try {
    options = resolveOptions(protocol, typed);
  } catch (error) {
    // Name the flag as typed: 'train-size: ...' → '--train-size: ...'.
    if (error instanceof UsageError && !/^(--|protocol )/.test(error.message)) throw new UsageError(`--${error.message}`);
    throw error;
  }
  // Checked here, before any training: a shard count above the grid's size is refused.
  const grid = runGrid(options);
  const tasks = shard ? shardRuns(grid, shard).length : grid.length;
  options.jobs = parseJobs(flags.jobs, availableParallelism(), tasks);
  if (flags.register?.length) options.register = flags.register;
  return options;
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

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface MergeFlags {
  out: string;
  json?: boolean;
  png: boolean;
}

function buildProgram(
  run: (flags: CommandFlags, typed: () => Partial<Settings>, usedDefaults: boolean) => Promise<void>,
  list: () => void,
  report: (resultsFile: string, flags: ReportFlags) => Promise<void>,
  merge: (dirs: string[], flags: MergeFlags) => Promise<void>,
): Command {
  const program = new Command('gradscope');
  program
    .description('gradscope: an autograd engine with WGSL kernels, built to study activation functions')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`${text.split('\n')[0]} (see gradscope compare --help)\n`) });
  program
    .command('protocols')
    .description("List the built-in protocols (the tutorials' experiments), one line each: run one with gradscope compare --protocol NAME")
    .action(() => list());
  program
    .command('report')
    .description(
      'Rebuild report.html, results.txt and the PNG figures from a results.json of gradscope compare, without training ' +
        '(after merging shards, or to draw older results with a newer gradscope)',
    )
    .argument('<results.json>', 'a results file written by gradscope compare')
    .addOption(new Option('--out <dir>', 'folder for results.json, results.txt, report.html and figures/*.png, by the same rules as compare --out (only those files are replaced)').makeOptionMandatory())
    .addOption(new Option('--no-png', 'do not render PNG figures with headless Chromium'))
    .addHelpText('after', `\nExit status: as gradscope compare: ${EXIT.ok} done; ${EXIT.badInput} bad input (not a results file, or --out refused: nothing written); ${EXIT.figuresMissing} report written but the PNG figures missing; ${EXIT.failed} any other failure.`)
    .action(async (resultsFile: string, flags: ReportFlags) => report(resultsFile, flags));
  const d = DEFAULTS;
  program
    .command('compare', { isDefault: true })
    .description(
      'Train the same network once per activation (from identical initial weights) plus the no-activation baseline, and compare ' +
        'accuracy, loss, speed, dead neurons and gradient flow. The settings come from a protocol (--protocol; default: quick, ' +
        'about 2 minutes on 2 CPU cores); every flag typed overrides its setting. The chapter\'s FashionMNIST table: --protocol dldna-ch4.',
    )
    .addOption(new Option('--protocol <name|path>', `a built-in protocol (see gradscope protocols) or a protocol .json file (default: ${DEFAULT_PROTOCOL})`))
    .addOption(
      new Option(
        '--activations <list>',
        `comma-separated activations, each optionally with parameters (elu:alpha=1.5,leaky_relu:negative_slope=0.3; a bare key=value adds to the one before), or 'all' ` +
          `(quick: ${DEFAULT_ACTIVATIONS.join(',')}; valid: ${allActivations().join(', ')})`,
      ),
    )
    .addOption(new Option('--register <file>', 'load user activations: an ES module whose default export is a spec, a formula { name, f }, or a list (repeatable)').argParser(collect))
    .addOption(new Option('--dataset <name>', `data set (${DATASETS.join('|')}; quick: ${d.dataset})`))
    .addOption(new Option('--train-size <n>', `training samples (default: the data set's whole training split, ${splitSizes('train')})`))
    .addOption(new Option('--test-size <n>', `test samples (default: the data set's whole test split, ${splitSizes('test')})`))
    .addOption(new Option('--normalize <how>', `input scaling (${NORMALIZATIONS.join('|')}): dataset: the set's mean/std (2-D sets as generated); half: pixels to [-1, 1]; standard: StandardScaler on the training part (2-D sets); none: pixels in [0, 1] (quick: ${d.normalize})`))
    .addOption(new Option('--hidden <sizes>', `hidden layer sizes, comma-separated ('' for none; quick: ${d.hidden.join(',')})`))
    .addOption(new Option('--share-activation', 'one activation module (one set of trainable parameters) for every hidden layer, as the chapter\'s SimpleNetwork'))
    .addOption(new Option('--no-share-activation', 'one activation module per hidden layer (quick)'))
    .addOption(new Option('--init <name>', `weight initializer (see gs.init; quick: ${d.init})`))
    .addOption(new Option('--optimizer <name>', `optimizer (${OPTIMIZERS.join('|')}: torch.optim's SGD, Adam, AdamW; quick: ${d.optimizer})`))
    .addOption(new Option('--lr <x>', `learning rate (quick: ${d.lr})`))
    .addOption(new Option('--momentum <x>', `SGD momentum (quick: ${d.momentum})`))
    .addOption(new Option('--nesterov', 'SGD with Nesterov momentum'))
    .addOption(new Option('--no-nesterov', 'SGD with plain momentum (quick)'))
    .addOption(new Option('--weight-decay <x>', 'weight decay (default 0; AdamW 0.01, as torch)'))
    .addOption(new Option('--batch <n|full>', `batch size, or 'full' for the whole training set in one batch (quick: ${d.batch})`))
    .addOption(new Option('--epochs <n>', `training epochs per activation (quick: ${d.epochs})`))
    .addOption(new Option('--steps <n>', 'a step budget instead of epochs (optimizer steps per activation)'))
    .addOption(new Option('--eval-every <n>', 'with --steps: evaluate the test set every n steps (and after the last)'))
    .addOption(new Option('--grad-every-epoch', "per-layer gradient statistics on the fixed batch at the end of every epoch too (the chapter's exercise; the report shows them epoch by epoch)"))
    .addOption(new Option('--dead-on <set>', `count dead units over the ${DEAD_ON.join('|')} set (quick: ${d.deadOn}, as the chapter)`))
    .addOption(new Option('--seed <n|list>', `seed for weights, data and shuffling, the same for every activation (quick: ${d.seed}); a list (1,2,3): train every activation once per seed`))
    .addOption(new Option('--seeds <n>', 'train every activation n times, with the seeds --seed, --seed + 1, ..., --seed + n - 1 (each seed: the same weights and batches for every activation), and report mean ± std and which are tied for first'))
    .addOption(new Option('--device <name>', `where to train (${DEVICES.join('|')}); auto: a hardware WebGPU adapter if there is one, the CPU if none, and on a software adapter (SwiftShader) whichever a short calibration finds faster (quick: ${d.device})`))
    .addOption(
      new Option(
        '--jobs <n>',
        "runs trained at once, each in its own worker thread with its own backend (a positive integer, or 'auto': one per CPU core; at most one per run). " +
          'Results are identical to --jobs 1; the runs share the cores, so times compare only within one invocation',
      ).default('1'),
    )
    .addOption(
      new Option(
        '--shard <i/n|auto>',
        'train shard i of n of the grid (every activation with every seed), balanced by estimated cost, and write partial results for gradscope merge; ' +
          'auto: i and n from a Slurm job array (SLURM_ARRAY_TASK_ID, _COUNT, _MIN) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with auto/N or GRADSCOPE_SHARDS)',
      ),
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
    .addOption(
      new Option(
        '--save-models',
        'write each trained network into --out/models: <label>.safetensors (PyTorch state_dict names) and <label>.json (how to build it again with gs.nn.mlp, then loadStateDict)',
      ),
    )
    .addHelpText(
      'after',
      `\nProtocols: ${protocolListing().map((line) => line.split(/\s+/)[0]).join(', ')} (gradscope protocols describes them).` +
        `\nExit status: ${EXIT.ok} done; ${EXIT.badInput} bad input (a flag, a protocol, --out, or more memory than there is: nothing was trained or written); ` +
        `${EXIT.figuresMissing} results written but the PNG figures missing (no usable Chromium: the warning says why); ${EXIT.failed} any other failure.`,
    )
    .action(async (flags: CommandFlags & { shareActivation?: boolean; nesterov?: boolean }, command: Command) => {
      const fromUser = (name: string) => command.getOptionValueSource(name) === 'cli';
      const usedDefaults = flags.protocol === undefined && !['activations', 'epochs', 'steps', 'trainSize', 'testSize', 'dataset'].some(fromUser);
      // Read once the user's activations are registered: --activations may name them.
      await run(flags, () => typedSettings(command), usedDefaults);
    });
  program
    .command('merge')
    .description('Put the shards of one comparison (the --out folders of gradscope compare --shard i/n) together: the results.json, table, report and figures of one unsharded run')
    .argument('<dirs...>', "the shards' folders, each holding the results.json a shard wrote")
    .addOption(new Option('--out <dir>', 'folder for the merged results.json, results.txt, report.html and figures/*.png (not one of the shards\' folders)').makeOptionMandatory())
    .addOption(new Option('--json', 'print the merged results.json to stdout'))
    .addOption(new Option('--no-png', 'do not render PNG figures with headless Chromium'))
    .action(async (dirs: string[], flags: MergeFlags) => merge(dirs, flags));
  return program;
}

/** '60000 for fashion-mnist, 60000 for mnist; 60000 for the 2-D sets' */
function splitSizes(part: 'train' | 'test'): string {
  const images = Object.entries(SPLIT_SIZES).map(([name, sizes]) => `${sizes[part]} for ${name}`);
  return `${images.join(', ')}; ${defaultSizes('moons')[part]} for the 2-D sets`;
}

async function compare(flags: CommandFlags, typed: () => Partial<Settings>, usedDefaults: boolean, runtime: CliRuntime): Promise<number> {
  // User activations first: --activations and protocol files may name them.
  const register = (flags.register ?? []).map((file) => resolve(file));
  await registerActivationFiles(register);
  const scheduled = resolveShard(flags.shard, process.env);
  const options = toOptions(flags, typed(), scheduled?.shard);
  if (flags.saveModels) options.saveModels = true;
  // Before any data is loaded or trained on: where the results go, and whether the run fits.
  checkOutputLocation(flags.out, { png: flags.png, models: flags.saveModels });
  checkMemory(options);
  const jobs = options.jobs ?? 1;
  if (jobs > 1 && !runtime.workerEntry) {
    throw new Error('--jobs above 1 needs the built command (npm run build, then node dist/cli.js): worker threads cannot load the TypeScript sources');
  }
  if (usedDefaults) {
    process.stderr.write(
      `Default run (the quick protocol): ${options.activations.length} activations + the no-activation baseline on ${options.trainSize} ${options.dataset} images, ` +
        `${options.epochs} epochs (about 2 minutes on 2 CPU cores). The chapter's table: --protocol dldna-ch4; all protocols: gradscope protocols\n`,
    );
  }
  const hooks = progressHooks();
  const models: TrainedModel[] = [];
  let result: ComparisonResult;
  try {
    if (scheduled) process.stderr.write(`shard ${scheduled.shard.index}/${scheduled.shard.count} (${scheduled.source})\n`);
    result = await runComparison(
      options,
      {
      ...hooks,
      onModel: (model) => models.push(model),
      runRuns: jobs > 1 ? workerPool({ jobs, entry: runtime.workerEntry!, register }) : undefined,
      },
      { shard: scheduled?.shard },
    );
  } finally {
    hooks.stop();
  }
  const table = resultsText(result);
  (flags.json ? process.stderr : process.stdout).write(`\n${table}\n\n`);
  // In the runs' order, however the worker threads finished them.
  const order = result.network.activationsCompared;
  models.sort((a, b) => order.indexOf(a.description.label) - order.indexOf(b.description.label));
  const status = await writeAll('compare', result, table, flags.out, { png: flags.png, models });
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return status;
}

/** The results table as printed and kept in results.txt, the initializer table first when there is one. */
function resultsText(result: ComparisonResult): string {
  const initializers = result.initializers ? `${initializerTableText(result.initializers)}\n\n` : '';
  return initializers + tableText(resultsTable(result));
}

/** Writes the outputs into --out, says what was written, and returns the exit status. */
async function writeAll(command: string, result: ComparisonResult, table: string, out: string, options: Parameters<typeof writeOutputs>[3]): Promise<number> {
  const { written, figuresMissing } = await writeOutputs(result, table, out, options);
  process.stderr.write(`wrote ${written.join(', ')}\n`);
  if (figuresMissing) process.stderr.write(`gradscope ${command}: warning: PNG figures not written (exit status ${EXIT.figuresMissing}): ${figuresMissing}\n`);
  return figuresMissing ? EXIT.figuresMissing : EXIT.ok;
}

/** `gradscope report`: the report, table and figures again from a results file, nothing trained. */
async function report(resultsFile: string, flags: ReportFlags): Promise<number> {
  const result = readResultsFile(resultsFile);
  checkOutputLocation(flags.out, { png: flags.png });
  process.stderr.write(`${resultsFile}: ${result.runs.length} runs (${runsInTrainingOrder(result).map(runLabel).join(', ')}) of ${result.createdAt}\n`);
  return writeAll('report', result, resultsText(result), flags.out, { png: flags.png });
}

/** Reads a shard's results.json, refusing a folder without one by name. */
function readShard(folder: string): ShardResults {
  const path = resolve(folder, 'results.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the --out folders of gradscope compare --shard`);
  }
  try {
    return { folder, result: JSON.parse(text) as ComparisonResult };
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

async function merge(dirs: string[], flags: MergeFlags): Promise<number> {
  const out = resolve(flags.out);
  const into = dirs.find((dir) => resolve(dir) === out);
  if (into !== undefined) throw new UsageError(`--out ${flags.out} is the shard folder ${into}: the merge would replace that shard's results; give another folder`);
  checkOutputLocation(flags.out, { png: flags.png });
  const result = mergeShards(dirs.map(readShard));
  process.stderr.write(`merged ${dirs.length} shard${dirs.length === 1 ? '' : 's'}: ${result.runs.length} runs\n`);
  const table = resultsText(result);
  (flags.json ? process.stderr : process.stdout).write(`\n${table}\n\n`);
  const status = await writeAll('merge', result, table, flags.out, { png: flags.png });
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return status;
}

export async function main(argv: string[], runtime: CliRuntime = {}): Promise<number> {
  let status: number = EXIT.ok;
  let command = 'compare';
  const program = buildProgram(
    async (flags, typed, usedDefaults) => {
      status = await compare(flags, typed, usedDefaults, runtime);
    },
    () => process.stdout.write(`${protocolListing().join('\n')}\n`),
    async (resultsFile, flags) => {
      command = 'report';
      status = await report(resultsFile, flags);
    },
    async (dirs, flags) => {
      command = 'merge';
      status = await merge(dirs, flags);
    },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander printed the rest.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`gradscope ${command}: ${error.message}\n`);
      return EXIT.badInput;
    }
    const detail = process.env.GRADSCOPE_DEBUG ? ((error as Error).stack ?? String(error)) : (error as Error).message;
    process.stderr.write(`gradscope ${command} failed: ${detail}\n`);
    return EXIT.failed;
  }
}
