// The comparison's options: their defaults and the checks on values people type.
// Pure (no Node APIs) so the browser example page can use the same validation.

import '../activations/builtin/install'; // names are looked up in the engine's table: fill it first
import { activationNames, hasActivation, lookupActivation, normalizeActivationName } from '../engine/activation-registry';
import { initializerNames } from '../nn/init';

export const DATASETS = ['fashion-mnist', 'mnist', 'moons', 'circles', 'spirals', 'xor'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const DEVICES = ['webgpu', 'cpu', 'auto'] as const;
export type DeviceName = (typeof DEVICES)[number];

/** The network with no activation at all: the linear baseline every run is compared with. */
export const BASELINE = 'none';

export interface CompareOptions {
  /** Canonical activation names; the 'none' baseline is always added by runComparison. */
  activations: string[];
  dataset: DatasetName;
  epochs: number;
  trainSize: number;
  testSize: number;
  lr: number;
  momentum: number;
  batch: number;
  hidden: number[];
  init: string;
  seed: number;
  device: DeviceName;
  /**
   * How many runs train at once (--jobs; 1 when absent), already capped at the number of
   * runs. Above 1 the runs share the CPU cores, so their times compare only with each
   * other's, within one invocation.
   */
  jobs?: number;
}

/**
 * The activations the default run compares, when registered. Five, so that the default
 * run (plus the baseline) fits in about two minutes on a 2-core machine without a GPU.
 */
export const DEFAULT_ACTIVATIONS = ['relu', 'leaky_relu', 'gelu', 'tanh', 'sigmoid'];
const FALLBACK_ACTIVATIONS = ['relu', 'tanh', 'sigmoid'];

/**
 * The defaults: a subset measured to finish in about two minutes on 2 CPU cores with the
 * CPU backend (2 min 9 s for `npm start`, build and figures included): all 60,000
 * training and 10,000 test images, but 5 activations and 2 epochs. Enough for the
 * non-linear networks to pass the linear baseline; the full protocol is
 * --activations all --epochs 15 (56 minutes here with --jobs 2).
 */
export const DEFAULTS: Omit<CompareOptions, 'activations'> = {
  dataset: 'fashion-mnist',
  epochs: 2,
  trainSize: 60000,
  testSize: 10000,
  lr: 0.01,
  momentum: 0.9,
  batch: 128,
  hidden: [256, 192, 128, 64],
  init: 'pytorch_default',
  seed: 42,
  device: 'auto',
};

/** Bad input from the user: the command line prints the message and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function defaultActivations(): string[] {
  const available = DEFAULT_ACTIVATIONS.filter((name) => hasActivation(name));
  return available.length >= 3 ? available : FALLBACK_ACTIVATIONS.filter((name) => hasActivation(name));
}

/** Activations 'all' stands for: every registered elementwise one (not an output layer such as softmax). */
export function allActivations(): string[] {
  return activationNames().filter(isElementwise);
}

function isElementwise(name: string): boolean {
  return lookupActivation(name).kind !== 'output';
}

/** 'relu,gelu' or 'all' → canonical names, in the given order, without duplicates. */
export function parseActivations(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`--activations: give a comma-separated list or 'all' (valid: ${allActivations().join(', ')}, all)`);
  if (items.length === 1 && items[0].toLowerCase() === 'all') return allActivations();
  const names: string[] = [];
  for (const item of items) {
    if (normalizeActivationName(item) === BASELINE) continue; // the baseline always runs
    if (!hasActivation(item) || !isElementwise(item)) {
      throw new UsageError(`--activations: unknown activation '${item}' (valid: ${allActivations().join(', ')}, all)`);
    }
    const canonical = canonicalName(item);
    if (!names.includes(canonical)) names.push(canonical);
  }
  return names;
}

function canonicalName(name: string): string {
  const key = normalizeActivationName(name);
  return activationNames().find((n) => normalizeActivationName(n) === key) ?? key;
}

export function parseDataset(text: string): DatasetName {
  const value = text.trim().toLowerCase();
  if (!(DATASETS as readonly string[]).includes(value)) {
    throw new UsageError(`--dataset: unknown data set '${text}' (valid: ${DATASETS.join(', ')})`);
  }
  return value as DatasetName;
}

export function parseDevice(text: string): DeviceName {
  const value = text.trim().toLowerCase();
  if (!(DEVICES as readonly string[]).includes(value)) {
    throw new UsageError(`--device: unknown device '${text}' (valid: ${DEVICES.join(', ')})`);
  }
  return value as DeviceName;
}

export function parseInit(text: string): string {
  const value = text.trim();
  if (!initializerNames().includes(value)) {
    throw new UsageError(`--init: unknown initializer '${text}' (valid: ${initializerNames().join(', ')})`);
  }
  return value;
}

/** A number from the command line; `Number('')` and '12abc' are refused, not read as 0 or NaN. */
export function parseNumber(flag: string, text: string, kind: 'integer' | 'positive-integer' | 'non-negative' | 'positive' | 'any'): number {
  const trimmed = text.trim();
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
  const ok =
    Number.isFinite(value) &&
    (kind === 'any' ||
      (kind === 'integer' && Number.isInteger(value)) ||
      (kind === 'positive-integer' && Number.isInteger(value) && value > 0) ||
      (kind === 'non-negative' && value >= 0) ||
      (kind === 'positive' && value > 0));
  if (!ok) {
    const wanted = { integer: 'an integer', 'positive-integer': 'a positive integer', 'non-negative': 'a number >= 0', positive: 'a number > 0', any: 'a number' }[kind];
    throw new UsageError(`${flag}: expected ${wanted}, got '${text}'`);
  }
  return value;
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

/** '256,192,128,64' → [256, 192, 128, 64]; '' (no hidden layer) is allowed. */
export function parseHidden(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(',').map((part) => parseNumber('--hidden', part, 'positive-integer'));
}

/** The largest train/test sizes of each image set's fixed split (gs.data). */
export const SPLIT_SIZES: Partial<Record<DatasetName, { train: number; test: number }>> = {
  'fashion-mnist': { train: 60000, test: 10000 },
  mnist: { train: 7996, test: 2004 },
};

/**
 * The sizes a run uses where none are given: an image set's whole split, and DEFAULTS'
 * for the 2-D sets, which are generated to any size.
 */
export function defaultSizes(dataset: DatasetName): { train: number; test: number } {
  return SPLIT_SIZES[dataset] ?? { train: DEFAULTS.trainSize, test: DEFAULTS.testSize };
}

/** Checks a complete options object (the browser page builds one without the command line). */
export function validateOptions(options: CompareOptions): CompareOptions {
  if (options.activations.length === 0) throw new UsageError(`activations: choose at least one (valid: ${allActivations().join(', ')})`);
  for (const name of options.activations) {
    if (!hasActivation(name)) throw new UsageError(`activations: unknown activation '${name}' (valid: ${allActivations().join(', ')})`);
  }
  parseDataset(options.dataset);
  parseDevice(options.device);
  parseInit(options.init);
  for (const [flag, value] of [['epochs', options.epochs], ['trainSize', options.trainSize], ['testSize', options.testSize], ['batch', options.batch]] as const) {
    if (!(Number.isInteger(value) && value > 0)) throw new UsageError(`${flag}: expected a positive integer, got ${value}`);
  }
  const split = SPLIT_SIZES[options.dataset];
  if (split && options.trainSize > split.train) throw new UsageError(`train-size: ${options.dataset} has ${split.train} training images, got ${options.trainSize}`);
  if (split && options.testSize > split.test) throw new UsageError(`test-size: ${options.dataset} has ${split.test} test images, got ${options.testSize}`);
  if (!(options.lr > 0)) throw new UsageError(`lr: expected a number > 0, got ${options.lr}`);
  if (!(options.momentum >= 0)) throw new UsageError(`momentum: expected a number >= 0, got ${options.momentum}`);
  if (!Number.isInteger(options.seed)) throw new UsageError(`seed: expected an integer, got ${options.seed}`);
  if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs > 0)) throw new UsageError(`jobs: expected a positive integer, got ${options.jobs}`);
  for (const h of options.hidden) if (!(Number.isInteger(h) && h > 0)) throw new UsageError(`hidden: expected positive integers, got ${options.hidden.join(',')}`);
  return options;
}
