// The comparison's settings: what each one means, how it is typed on the command line and
// written in a protocol file (protocols/*.json), its default (the quick protocol), and the
// checks on every value. A flag and a protocol key are checked by the same code, so a
// protocol file is validated as strictly as the command line. Pure (no Node APIs) so the
// browser example page can use the same validation.

import '../activations/builtin/install'; // names are looked up in the engine's table: fill it first
import { activationNames, hasActivation } from '../engine/activation-registry';
import { initializerNames } from '../nn/init';
import quickProtocol from '../protocols/quick.json';
import {
  allActivations,
  BASELINE,
  checkActivationParams,
  defaultLabel,
  knownActivation,
  parseActivationList,
  uniqueChoices,
  type ActivationChoice,
  type ActivationParams,
} from './activation-choices';
import { deriveSeeds } from './seeds';
import { UsageError } from './usage-error';

export { UsageError, BASELINE, allActivations, type ActivationChoice };

export const DATASETS = ['fashion-mnist', 'mnist', 'moons', 'circles', 'spirals', 'xor'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const DEVICES = ['webgpu', 'cpu', 'auto'] as const;
export type DeviceName = (typeof DEVICES)[number];

export const OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * How inputs are scaled. dataset: the set's own (images: (p/255 − mean)/std with the set's
 * published mean and std; the 2-D sets as generated); half: pixels to [−1, 1], as
 * torchvision's Normalize((0.5,), (0.5,)); standard: each feature to mean 0 and std 1 with
 * statistics of the training part (sklearn's StandardScaler; the 2-D sets); none: p/255
 * for images, the 2-D sets as generated.
 */
export const NORMALIZATIONS = ['dataset', 'half', 'standard', 'none'] as const;
export type NormalizationName = (typeof NORMALIZATIONS)[number];

/** The data dead units are counted over: the training set (as the chapter, 001) or the test set. */
export const DEAD_ON = ['train', 'test'] as const;
export type DeadOn = (typeof DEAD_ON)[number];

/** What a protocol produces: the comparison, or the initializer table and the comparison's timings. */
export const KINDS = ['comparison', 'initializers'] as const;
export type ProtocolKind = (typeof KINDS)[number];

/** The initializer table (003): each initializer drawn into a fanOut × fanIn kernel, described as pandas does. */
export interface InitializerTableSettings {
  initializers: string[];
  fanIn: number;
  fanOut: number;
}

/**
 * A network counted for dead units at initialisation only, over the set deadOn names:
 * the chapter's 7-layer ReLU model (001: SimpleNetwork with hidden_shape [2048, 1024,
 * 1024, 512, 512, 256, 128], never trained), built with the comparison's init and seed.
 */
export interface DeadAtInitNetwork {
  activation: string;
  hidden: number[];
}

/** Every setting a protocol file or a flag can give. */
export interface Settings {
  /** The runs: activations with parameters and labels; the 'none' baseline is always added. */
  activations: ActivationChoice[];
  dataset: DatasetName;
  trainSize: number;
  testSize: number;
  normalize: NormalizationName;
  hidden: number[];
  /** One activation module (so one set of trainable parameters) shared by every hidden layer. */
  shareActivation: boolean;
  init: string;
  optimizer: OptimizerName;
  lr: number;
  /** SGD's momentum (0: none; Adam and AdamW have their own moments). */
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** Batch size, or 'full': every training sample in one batch (one step per epoch). */
  batch: number | 'full';
  /** Epochs to train; null when a step budget (steps) is given instead. */
  epochs: number | null;
  /** A step budget instead of epochs; null: train by epochs. */
  steps: number | null;
  /** With steps: evaluate on the test set every this many steps (and after the last); null: after the last only. */
  evalEvery: number | null;
  deadOn: DeadOn;
  /** Per-layer gradient statistics on the fixed batch at the end of every epoch, not only before and after training. */
  gradEveryEpoch: boolean;
  /** A network whose dead units are counted at initialisation, for the dead-neuron figure; null: none. */
  deadAtInitNetwork: DeadAtInitNetwork | null;
  /** The seed, or a list of seeds: every activation trains once per seed (experiment/seeds.ts). */
  seed: number | number[];
  /** How many seeds to derive from `seed` (seed, seed + 1, ...); null: the seeds `seed` names. */
  seeds: number | null;
  device: DeviceName;
  initializerTable: InitializerTableSettings | null;
}

export type SettingName = keyof Settings;

/** The resolved options of one comparison: every setting with its value, as results.json records them. */
export interface CompareOptions extends Omit<Settings, 'batch' | 'epochs' | 'seed' | 'seeds'> {
  /** The protocol the settings came from: a built-in's name, or the path of a user's file. */
  protocol: string;
  kind: ProtocolKind;
  /** The batch size ('full' resolved to the training set's size). */
  batch: number;
  /** Epochs trained: as given, or with steps those the budget reaches into (the last one partly). */
  epochs: number;
  /** The first seed: the data are drawn from it (experiment/seeds.ts). */
  seed: number;
  /**
   * Every seed, the first being `seed`: each activation trains once per seed. Always set by
   * resolveOptions; absent (one seed, `seed`) in options a page builds by hand.
   */
  seeds?: number[];
  /**
   * How many runs train at once (--jobs; 1 when absent), already capped at the number of
   * runs. Above 1 the runs share the CPU cores, so their times compare only with each
   * other's, within one invocation.
   */
  jobs?: number;
  /** User activation modules loaded with --register (paths as given). */
  register?: string[];
  /** Hand every trained network to the onModel hook (--save-models writes them as safetensors). */
  saveModels?: boolean;
}

// --- reading one value --------------------------------------------------------------------

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
type NumberKind = 'integer' | 'positive-integer' | 'non-negative' | 'positive' | 'any';

/** A number from the command line; `Number('')` and '12abc' are refused, not read as 0 or NaN. */
export function parseNumber(flag: string, text: string, kind: NumberKind): number {
  const trimmed = text.trim();
  return checkNumber(flag, NUMBER_TEXT.test(trimmed) ? Number(trimmed) : NaN, kind, `'${text}'`);
}

function checkNumber(where: string, value: unknown, kind: NumberKind, shown = JSON.stringify(value)): number {
  const v = typeof value === 'number' ? value : NaN;
  const ok =
    Number.isFinite(v) &&
    (kind === 'any' ||
      (kind === 'integer' && Number.isInteger(v)) ||
      (kind === 'positive-integer' && Number.isInteger(v) && v > 0) ||
      (kind === 'non-negative' && v >= 0) ||
      (kind === 'positive' && v > 0));
  if (!ok) {
    const wanted = { integer: 'an integer', 'positive-integer': 'a positive integer', 'non-negative': 'a number >= 0', positive: 'a number > 0', any: 'a number' }[kind];
    throw new UsageError(`${where}: expected ${wanted}, got ${shown}`);
  }
  return v;
}

function choose<T extends string>(where: string, text: unknown, valid: readonly T[], what: string): T {
  const value = typeof text === 'string' ? text.trim().toLowerCase() : text;
  if (typeof value !== 'string' || !(valid as readonly string[]).includes(value)) {
    throw new UsageError(`${where}: unknown ${what} ${typeof text === 'string' ? `'${text}'` : JSON.stringify(text)} (valid: ${valid.join(', ')})`);
  }
  return value as T;
}

export function parseDataset(text: string, where = '--dataset'): DatasetName {
  return choose(where, text, DATASETS, 'data set');
}

export function parseDevice(text: string, where = '--device'): DeviceName {
  return choose(where, text, DEVICES, 'device');
}

export function parseInit(text: string, where = '--init'): string {
  const value = typeof text === 'string' ? text.trim() : text;
  if (typeof value !== 'string' || !initializerNames().includes(value)) {
    throw new UsageError(`${where}: unknown initializer ${typeof text === 'string' ? `'${text}'` : JSON.stringify(text)} (valid: ${initializerNames().join(', ')})`);
  }
  return value;
}

/** '256,192,128,64' → [256, 192, 128, 64]; '' (no hidden layer) is allowed. */
export function parseHidden(text: string, where = '--hidden'): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(',').map((part) => parseNumber(where, part, 'positive-integer'));
}

/** --activations text → choices (see activation-choices.ts). */
export function parseActivations(text: string, where = '--activations'): ActivationChoice[] {
  return parseActivationList(text, where);
}

/**
 * --jobs: a positive integer, or 'auto' for the number of CPU cores (the caller passes
 * it: this module has no Node APIs). Either way capped at the number of runs, since a
 * run is never split between workers.
 */
export function parseJobs(text: string, cores: number, runs: number): number {
  const trimmed = text.trim().toLowerCase();
  const requested = trimmed === 'auto' ? Math.max(1, cores) : /^\+?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(Number.isSafeInteger(requested) && requested > 0)) throw new UsageError(`--jobs: expected a positive integer or 'auto', got '${text}'`);
  return Math.min(requested, runs);
}

// --- the settings, each typed as a flag and as a protocol key -------------------------------

interface SettingSpec<T> {
  /** The flag that sets it ('--train-size'); protocol files use the key ('trainSize'). */
  flag: string;
  /** The flag's text → value. */
  fromText(text: string, where: string): T;
  /** A protocol file's value → value: a JSON number, boolean, list or null where the setting takes one, else the flag's text. */
  fromJson(value: unknown, where: string): T;
}

const text = <T>(fromText: (text: string, where: string) => T): Pick<SettingSpec<T>, 'fromText' | 'fromJson'> => ({
  fromText,
  fromJson: (value, where) => {
    if (typeof value !== 'string') throw new UsageError(`${where}: expected a string, got ${JSON.stringify(value)}`);
    return fromText(value, where);
  },
});

const numeric = (flag: string, kind: NumberKind): SettingSpec<number> => ({
  flag,
  fromText: (t, where) => parseNumber(where, t, kind),
  fromJson: (value, where) => checkNumber(where, value, kind),
});

const nullableCount = (flag: string): SettingSpec<number | null> => ({
  flag,
  fromText: (t, where) => parseNumber(where, t, 'positive-integer'),
  fromJson: (value, where) => (value === null ? null : checkNumber(where, value, 'positive-integer')),
});

const flagOnly = (flag: string): SettingSpec<boolean> => ({
  flag,
  fromText: (t, where) => {
    if (t !== 'true' && t !== 'false') throw new UsageError(`${where}: expected true or false, got '${t}'`);
    return t === 'true';
  },
  fromJson: (value, where) => {
    if (typeof value !== 'boolean') throw new UsageError(`${where}: expected true or false, got ${JSON.stringify(value)}`);
    return value;
  },
});

function activationsFromJson(value: unknown, where: string): ActivationChoice[] {
  if (typeof value === 'string') return parseActivationList(value, where);
  if (!Array.isArray(value) || value.length === 0) {
    throw new UsageError(`${where}: expected a non-empty list of activations ("relu", "elu:alpha=1.5" or { "activation", "params", "label" }), got ${JSON.stringify(value)}`);
  }
  const choices = value.map((item, i): ActivationChoice => {
    const at = `${where}[${i}]`;
    if (typeof item === 'string') {
      const parsed = parseActivationList(item, at);
      if (parsed.length !== 1) throw new UsageError(`${at}: '${item}' names ${parsed.length} activations; write one per entry`);
      return parsed[0];
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new UsageError(`${at}: expected a string or { "activation", "params", "label" }, got ${JSON.stringify(item)}`);
    refuseUnknownKeys(item, ['activation', 'params', 'label'], at);
    const { activation, params = {}, label } = item as { activation?: unknown; params?: unknown; label?: unknown };
    if (typeof activation !== 'string') throw new UsageError(`${at}.activation: expected an activation name, got ${JSON.stringify(activation)}`);
    const parsed = parseActivationList(activation, `${at}.activation`);
    if (parsed.length !== 1) throw new UsageError(`${at}.activation: '${activation}' names ${parsed.length} activations`);
    if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new UsageError(`${at}.params: expected an object of parameter values, got ${JSON.stringify(params)}`);
    const merged: ActivationParams = { ...parsed[0].params };
    for (const [key, v] of Object.entries(params)) {
      const ok = typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
      if (!ok) throw new UsageError(`${at}.params.${key}: expected a number, a word or a list of numbers, got ${JSON.stringify(v)}`);
      if (key in merged) throw new UsageError(`${at}: '${key}' is set twice`);
      merged[key] = v as ActivationParams[string];
    }
    if (label !== undefined && (typeof label !== 'string' || !label.trim())) throw new UsageError(`${at}.label: expected a non-empty string, got ${JSON.stringify(label)}`);
    return { activation: parsed[0].activation, params: merged, label: (label as string | undefined)?.trim() ?? defaultLabel(parsed[0].activation, merged) };
  });
  return uniqueChoices(choices, where);
}

function initializerTableFromJson(value: unknown, where: string): InitializerTableSettings | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where}: expected { "initializers", "fanIn", "fanOut" } or null, got ${JSON.stringify(value)}`);
  refuseUnknownKeys(value as object, ['initializers', 'fanIn', 'fanOut'], where);
  const { initializers, fanIn, fanOut } = value as Record<string, unknown>;
  if (!Array.isArray(initializers) || initializers.length === 0) throw new UsageError(`${where}.initializers: expected a list of gs.init names, got ${JSON.stringify(initializers)}`);
  return {
    initializers: initializers.map((name, i) => parseInit(name as string, `${where}.initializers[${i}]`)),
    fanIn: checkNumber(`${where}.fanIn`, fanIn, 'positive-integer'),
    fanOut: checkNumber(`${where}.fanOut`, fanOut, 'positive-integer'),
  };
}

/** A list of seeds: distinct, so that no run is trained twice. */
function seedList(seeds: number[], where: string): number[] {
  if (seeds.length === 0) throw new UsageError(`${where}: expected a seed or a non-empty list of seeds, got none`);
  const twice = seeds.find((seed, i) => seeds.indexOf(seed) !== i);
  if (twice !== undefined) throw new UsageError(`${where}: seed ${twice} is listed twice (got ${seeds.join(',')}); each seed trains every activation once`);
  return seeds;
}

function deadAtInitNetworkFromJson(value: unknown, where: string): DeadAtInitNetwork | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where}: expected { "activation", "hidden" } or null, got ${JSON.stringify(value)}`);
  refuseUnknownKeys(value as object, ['activation', 'hidden'], where);
  const { activation, hidden } = value as Record<string, unknown>;
  if (typeof activation !== 'string') throw new UsageError(`${where}.activation: expected an activation name, got ${JSON.stringify(activation)}`);
  if (!Array.isArray(hidden) || hidden.length === 0) throw new UsageError(`${where}.hidden: expected a non-empty list of layer sizes, got ${JSON.stringify(hidden)}`);
  return { activation: knownActivation(activation, `${where}.activation`), hidden: hidden.map((v, i) => checkNumber(`${where}.hidden[${i}]`, v, 'positive-integer')) };
}

export const SETTINGS: { [K in SettingName]: SettingSpec<Settings[K]> } = {
  activations: { flag: '--activations', fromText: (t, where) => parseActivationList(t, where), fromJson: activationsFromJson },
  dataset: { flag: '--dataset', ...text(parseDataset) },
  trainSize: numeric('--train-size', 'positive-integer'),
  testSize: numeric('--test-size', 'positive-integer'),
  normalize: { flag: '--normalize', ...text((t, where) => choose(where, t, NORMALIZATIONS, 'normalisation')) },
  hidden: {
    flag: '--hidden',
    fromText: parseHidden,
    fromJson: (value, where) => {
      if (!Array.isArray(value)) throw new UsageError(`${where}: expected a list of layer sizes ([] for none), got ${JSON.stringify(value)}`);
      return value.map((v, i) => checkNumber(`${where}[${i}]`, v, 'positive-integer'));
    },
  },
  shareActivation: flagOnly('--share-activation'),
  init: { flag: '--init', ...text(parseInit) },
  optimizer: { flag: '--optimizer', ...text((t, where) => choose(where, t, OPTIMIZERS, 'optimizer')) },
  lr: numeric('--lr', 'positive'),
  momentum: numeric('--momentum', 'non-negative'),
  nesterov: flagOnly('--nesterov'),
  weightDecay: numeric('--weight-decay', 'non-negative'),
  batch: {
    flag: '--batch',
    fromText: (t, where) => (t.trim().toLowerCase() === 'full' ? 'full' : parseNumber(where, t, 'positive-integer')),
    fromJson: (value, where) => {
      if (value === 'full') return 'full';
      if (typeof value !== 'number') throw new UsageError(`${where}: expected a positive integer or "full", got ${JSON.stringify(value)}`);
      return checkNumber(where, value, 'positive-integer');
    },
  },
  epochs: nullableCount('--epochs'),
  steps: nullableCount('--steps'),
  evalEvery: nullableCount('--eval-every'),
  deadOn: { flag: '--dead-on', ...text((t, where) => choose(where, t, DEAD_ON, 'set')) },
  gradEveryEpoch: flagOnly('--grad-every-epoch'),
  deadAtInitNetwork: {
    flag: '(protocol files only)',
    fromText: (_t, where) => {
      throw new UsageError(`${where}: the network counted at initialisation is set in a protocol file, not on the command line`);
    },
    fromJson: deadAtInitNetworkFromJson,
  },
  seed: {
    flag: '--seed',
    fromText: (t, where) => (t.includes(',') ? seedList(t.split(',').map((part) => parseNumber(where, part, 'integer')), where) : parseNumber(where, t, 'integer')),
    fromJson: (value, where) => (Array.isArray(value) ? seedList(value.map((v, i) => checkNumber(`${where}[${i}]`, v, 'integer')), where) : checkNumber(where, value, 'integer')),
  },
  seeds: nullableCount('--seeds'),
  device: { flag: '--device', ...text(parseDevice) },
  initializerTable: {
    flag: '(protocol files only)',
    fromText: (_t, where) => {
      throw new UsageError(`${where}: the initializer table is set in a protocol file, not on the command line`);
    },
    fromJson: initializerTableFromJson,
  },
};

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** Refuses keys an object should not have, naming the first with the valid ones. */
export function refuseUnknownKeys(object: object, valid: readonly string[], where: string): void {
  const unknown = Object.keys(object).find((key) => !valid.includes(key));
  if (unknown !== undefined) throw new UsageError(`${where}: unknown key '${unknown}' (valid: ${valid.join(', ')})`);
}

/** A protocol file's "settings" object → settings, every key and value checked; `where` names the file. */
export function settingsFromJson(object: unknown, where: string): Partial<Settings> {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) throw new UsageError(`${where}: expected an object of settings, got ${JSON.stringify(object)}`);
  refuseUnknownKeys(object, SETTING_NAMES, where);
  const out: Partial<Record<SettingName, unknown>> = {};
  for (const [key, value] of Object.entries(object)) out[key as SettingName] = SETTINGS[key as SettingName].fromJson(value, `${where}: ${key}`);
  return out as Partial<Settings>;
}

// --- defaults and resolution -------------------------------------------------------------

/**
 * The activations the default run compares, when registered. Five, so that the default
 * run (plus the baseline) fits in about two minutes on a 2-core machine without a GPU.
 */
export const DEFAULT_ACTIVATIONS = (quickProtocol.settings.activations as string[]).slice();
const FALLBACK_ACTIVATIONS = ['relu', 'tanh', 'sigmoid'];

export function defaultActivations(): ActivationChoice[] {
  const available = DEFAULT_ACTIVATIONS.filter((name) => hasActivation(name));
  const names = available.length >= 3 ? available : FALLBACK_ACTIVATIONS.filter((name) => hasActivation(name));
  return names.map((name) => ({ activation: knownActivation(name, 'defaults'), params: {}, label: name }));
}

/** The largest train/test sizes of each image set's split (gs.data). */
export const SPLIT_SIZES: Partial<Record<DatasetName, { train: number; test: number }>> = {
  'fashion-mnist': { train: 60000, test: 10000 },
  mnist: { train: 60000, test: 10000 },
};

/** The sizes of the 2-D sets where none are given (they are generated to any size). */
const SYNTHETIC_SIZES = { train: 60000, test: 10000 };

/** The sizes a run uses where none are given: an image set's whole split; 60,000/10,000 points for the 2-D sets. */
export function defaultSizes(dataset: DatasetName): { train: number; test: number } {
  return SPLIT_SIZES[dataset] ?? SYNTHETIC_SIZES;
}

/**
 * The defaults: the quick protocol (protocols/quick.json), a subset measured to finish in
 * about two minutes on 2 CPU cores with the CPU backend (2 min 9 s for `npm start`, build
 * and figures included): all 60,000 training and 10,000 test images, but 5 activations
 * and 2 epochs.
 */
export const DEFAULTS: Omit<CompareOptions, 'activations'> = withoutSeedList(resolveWithoutActivations({}, 'quick', 'comparison'));

/** Options without their list of seeds: one seed, `seed`, so that `{ ...DEFAULTS, seed: 7 }` trains with seed 7 alone. */
function withoutSeedList<T extends { seeds?: number[] }>(options: T): Omit<T, 'seeds'> {
  const { seeds: _seeds, ...rest } = options;
  return rest;
}

/**
 * What a setting left out of a protocol (and not typed) takes: the quick protocol's value,
 * except the settings that follow another one: the sizes follow the data set (its whole
 * split), the weight decay the optimizer (AdamW's is 0.01, as torch's).
 */
function quickSettings(): Partial<Settings> {
  const { activations: _activations, trainSize: _train, testSize: _test, weightDecay: _decay, ...rest } = settingsFromJson(quickProtocol.settings, 'protocols/quick.json');
  return rest;
}

/** The first seed and every seed, from a seed or a list of them and how many to derive. */
function resolveSeeds(seed: number | number[], count: number | null): { seed: number; seeds: number[] } {
  if (Array.isArray(seed)) {
    if (count !== null) throw new UsageError(`seeds: ${count} with the list of seeds ${seed.join(',')}: give the seeds (--seed 1,2,3) or how many to derive from one (--seeds N), not both`);
    return { seed: seed[0], seeds: seed };
  }
  return { seed, seeds: deriveSeeds(seed, count ?? 1) };
}

function resolveWithoutActivations(given: Partial<Settings>, protocol: string, kind: ProtocolKind): Omit<CompareOptions, 'activations'> {
  const settings = { ...quickSettings(), ...given };
  const dataset = settings.dataset!;
  const sizes = defaultSizes(dataset);
  const trainSize = settings.trainSize ?? sizes.train;
  const batch = settings.batch === 'full' ? trainSize : settings.batch!;
  const optimizer = settings.optimizer!;
  const steps = settings.steps ?? null;
  return {
    protocol,
    kind,
    dataset,
    trainSize,
    testSize: settings.testSize ?? sizes.test,
    normalize: settings.normalize!,
    hidden: settings.hidden!,
    shareActivation: settings.shareActivation!,
    init: settings.init!,
    optimizer,
    lr: settings.lr!,
    momentum: settings.momentum!,
    nesterov: settings.nesterov!,
    weightDecay: settings.weightDecay ?? (optimizer === 'adamw' ? 0.01 : 0),
    batch,
    // With a step budget: the epochs it reaches into, the last one partly.
    epochs: steps !== null ? Math.ceil((steps * batch) / trainSize) : (settings.epochs ?? NaN),
    steps,
    evalEvery: settings.evalEvery ?? null,
    deadOn: settings.deadOn!,
    gradEveryEpoch: settings.gradEveryEpoch ?? false,
    deadAtInitNetwork: settings.deadAtInitNetwork ?? null,
    ...resolveSeeds(settings.seed!, settings.seeds ?? null),
    device: settings.device!,
    initializerTable: settings.initializerTable ?? null,
  };
}

/**
 * The options of a comparison from a protocol's settings and the flags typed over them
 * (each flag replaces its setting; where a flag changes what another setting means, that
 * setting goes too: --epochs drops a protocol's step budget, an optimizer other than SGD
 * its momentum and nesterov). Unset settings take their defaults; the result is checked.
 */
export function resolveOptions(protocol: { name: string; kind: ProtocolKind; settings: Partial<Settings> }, typed: Partial<Settings> = {}): CompareOptions {
  const base = { ...protocol.settings };
  if (typed.epochs != null && typed.steps != null) throw new UsageError('--epochs and --steps: give one (epochs, or a step budget)');
  if (typed.epochs != null) Object.assign(base, { steps: null, evalEvery: null });
  if (typed.steps != null) base.epochs = null;
  if (typed.dataset !== undefined && typed.dataset !== base.dataset) {
    // Another data set: its own sizes, unless typed.
    delete base.trainSize;
    delete base.testSize;
    if (base.normalize !== undefined && !normalizationApplies(typed.dataset, base.normalize)) delete base.normalize;
  }
  // Seeds typed replace the protocol's: a list its count; a count is derived from its (first) seed.
  if (Array.isArray(typed.seed) && typed.seeds != null) throw new UsageError(`--seed ${typed.seed.join(',')} and --seeds ${typed.seeds}: give the seeds or how many to derive, not both`);
  if (Array.isArray(typed.seed)) base.seeds = null;
  if (typed.seeds != null && Array.isArray(base.seed) && typed.seed === undefined) base.seed = base.seed[0];
  if (typed.optimizer !== undefined && typed.optimizer !== 'sgd') Object.assign(base, { momentum: 0, nesterov: false });
  if (typed.optimizer !== undefined && typed.optimizer !== base.optimizer && typed.weightDecay === undefined) delete base.weightDecay;
  const merged: Partial<Settings> = { ...base, ...typed };
  const { activations, ...rest } = merged;
  const options: CompareOptions = { ...resolveWithoutActivations(rest, protocol.name, protocol.kind), activations: activations ?? defaultActivations() };
  return validateOptions(options);
}

function normalizationApplies(dataset: DatasetName, normalize: NormalizationName): boolean {
  const images = SPLIT_SIZES[dataset] !== undefined;
  return images ? normalize !== 'standard' : normalize !== 'half';
}

/** Checks a complete options object (the browser page builds one without the command line). */
export function validateOptions(options: CompareOptions): CompareOptions {
  if (options.activations.length === 0) throw new UsageError(`activations: choose at least one (valid: ${allActivations().join(', ')})`);
  for (const choice of options.activations) {
    if (choice.activation !== BASELINE && !hasActivation(choice.activation)) {
      throw new UsageError(`activations: unknown activation '${choice.activation}' (valid: ${activationNames().join(', ')})`);
    }
    checkActivationParams(choice, 'activations');
  }
  uniqueChoices(options.activations, 'activations');
  parseDataset(options.dataset, 'dataset');
  parseDevice(options.device, 'device');
  parseInit(options.init, 'init');
  choose('optimizer', options.optimizer, OPTIMIZERS, 'optimizer');
  choose('normalize', options.normalize, NORMALIZATIONS, 'normalisation');
  choose('dead-on', options.deadOn, DEAD_ON, 'set');
  for (const [flag, value] of [['epochs', options.epochs], ['train-size', options.trainSize], ['test-size', options.testSize], ['batch', options.batch]] as const) {
    if (!(Number.isInteger(value) && value > 0)) throw new UsageError(`${flag}: expected a positive integer, got ${value}`);
  }
  for (const [flag, value] of [['steps', options.steps], ['eval-every', options.evalEvery]] as const) {
    if (value !== null && !(Number.isInteger(value) && value > 0)) throw new UsageError(`${flag}: expected a positive integer, got ${value}`);
  }
  if (options.evalEvery !== null && options.steps === null) throw new UsageError(`eval-every: goes with --steps (with epochs, the test set is evaluated after every epoch)`);
  const split = SPLIT_SIZES[options.dataset];
  if (split && options.trainSize > split.train) throw new UsageError(`train-size: ${options.dataset} has ${split.train} training images, got ${options.trainSize}`);
  if (split && options.testSize > split.test) throw new UsageError(`test-size: ${options.dataset} has ${split.test} test images, got ${options.testSize}`);
  if (!normalizationApplies(options.dataset, options.normalize)) {
    throw new UsageError(
      split
        ? `normalize: 'standard' is for the 2-D sets; ${options.dataset} takes dataset, half or none`
        : `normalize: 'half' maps pixels to [-1, 1]; ${options.dataset} is not an image set (dataset, standard or none)`,
    );
  }
  if (!(options.lr > 0)) throw new UsageError(`lr: expected a number > 0, got ${options.lr}`);
  if (!(options.momentum >= 0)) throw new UsageError(`momentum: expected a number >= 0, got ${options.momentum}`);
  if (!(options.weightDecay >= 0)) throw new UsageError(`weight-decay: expected a number >= 0, got ${options.weightDecay}`);
  if (options.optimizer !== 'sgd' && (options.momentum !== 0 || options.nesterov)) {
    throw new UsageError(`momentum: --momentum and --nesterov are SGD's (${options.optimizer} keeps its own moments, betas 0.9 and 0.999); got momentum ${options.momentum}${options.nesterov ? ' with nesterov' : ''}`);
  }
  if (options.nesterov && options.momentum <= 0) throw new UsageError('nesterov: needs --momentum above 0 (as torch.optim.SGD)');
  if (!Number.isInteger(options.seed)) throw new UsageError(`seed: expected an integer, got ${options.seed}`);
  if (options.seeds !== undefined) {
    const { seeds } = options;
    if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every(Number.isInteger)) throw new UsageError(`seeds: expected a non-empty list of integers, got ${JSON.stringify(seeds)}`);
    seedList(seeds, 'seeds');
    if (seeds[0] !== options.seed) throw new UsageError(`seeds: the first seed must be seed (${options.seed}), got ${seeds.join(',')}`);
  }
  if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs > 0)) throw new UsageError(`jobs: expected a positive integer, got ${options.jobs}`);
  for (const h of options.hidden) if (!(Number.isInteger(h) && h > 0)) throw new UsageError(`hidden: expected positive integers, got ${options.hidden.join(',')}`);
  if ((options.kind === 'initializers') !== (options.initializerTable !== null)) {
    throw new UsageError(`initializerTable: a protocol of kind 'initializers' needs one, and only it (kind '${options.kind}')`);
  }
  return options;
}

/** 'SGD lr 0.001, momentum 0.8, batch 128, 15 epochs': how the runs train, in one line for the report and the progress. */
export function describeTraining(options: CompareOptions): string {
  const optimizer = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW' }[options.optimizer];
  const parts = [`${optimizer} lr ${options.lr}`];
  if (options.optimizer === 'sgd') parts.push(options.momentum > 0 ? `momentum ${options.momentum}${options.nesterov ? ' (Nesterov)' : ''}` : 'no momentum');
  if (options.weightDecay > 0) parts.push(`weight decay ${options.weightDecay}`);
  parts.push(`batch ${options.batch}${options.batch === options.trainSize ? ' (full batch)' : ''}`);
  parts.push(
    options.steps !== null
      ? `${options.steps} steps, tested every ${options.evalEvery ?? options.steps} steps`
      : `${options.epochs} epoch${options.epochs === 1 ? '' : 's'}`,
  );
  if (options.shareActivation) parts.push('one activation module shared by every hidden layer');
  return parts.join(', ');
}
