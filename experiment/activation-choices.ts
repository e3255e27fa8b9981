// What a run of the comparison trains: an activation with its parameter values, and the
// label the run goes by. Typed on the command line as a list,
//
//   --activations elu:alpha=1.5,leaky_relu:negative_slope=0.3,staf:terms=25,init=normal
//
// where `name:key=value` starts an activation and a bare `key=value` adds a parameter to
// the one before it (activation names never hold '='). A protocol file may write the same
// text, or an object { "activation", "params", "label" } (the chapter's row names).

import { activationNames, hasActivation, lookupActivation, normalizeActivationName } from '../engine/activation-registry';
import { activation as activationModule } from '../nn/activation';
import { UsageError } from './usage-error';

/** The network with no activation at all: the linear baseline every run is compared with. */
export const BASELINE = 'none';

/** A parameter value as typed: a number, a word (init=normal), or a list of numbers (from a protocol file). */
export type ParamValue = number | string | number[];
export type ActivationParams = Record<string, ParamValue>;

export interface ActivationChoice {
  /** The canonical activation name ('none': the baseline). */
  activation: string;
  /** Parameter values given for this run ({} for the activation's defaults). */
  params: ActivationParams;
  /** The name the run goes by in tables, legends and results.json: unique within a comparison. */
  label: string;
}

export const BASELINE_CHOICE: ActivationChoice = { activation: BASELINE, params: {}, label: BASELINE };

/** Activations 'all' stands for: every registered elementwise one (softmax is an output layer). */
export function allActivations(): string[] {
  return activationNames().filter((name) => lookupActivation(name).kind !== 'output');
}

function canonicalName(name: string): string {
  const key = normalizeActivationName(name);
  return activationNames().find((n) => normalizeActivationName(n) === key) ?? key;
}

/** 'elu(alpha=1.5)': an activation with parameters is labelled with them; without, its name. */
export function defaultLabel(activation: string, params: ActivationParams): string {
  const entries = Object.entries(params);
  return entries.length === 0 ? activation : `${activation}(${entries.map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(' ')}]` : v}`).join(', ')})`;
}

/** The activation's canonical name, or a UsageError naming the valid ones. */
export function knownActivation(name: string, where: string): string {
  if (!hasActivation(name) || lookupActivation(name).kind === 'output') {
    throw new UsageError(`${where}: unknown activation '${name}' (valid: ${allActivations().join(', ')}, all)`);
  }
  return canonicalName(name);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;

function parseValue(text: string, key: string, where: string): number | string {
  if (NUMBER.test(text)) return Number(text);
  if (WORD.test(text)) return text;
  throw new UsageError(`${where}: parameter ${key}='${text}' is neither a number nor a word`);
}

/**
 * 'relu,elu:alpha=1.5,staf:terms=25,init=normal' or 'all' → choices, in the given order.
 * 'none' is dropped (the baseline always runs); a run given twice with the same
 * parameters is kept once; the same activation with other parameters is another run.
 */
export function parseActivationList(text: string, where = '--activations'): ActivationChoice[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`${where}: give a comma-separated list or 'all' (valid: ${allActivations().join(', ')}, all)`);
  if (items.length === 1 && items[0].toLowerCase() === 'all') return allActivations().map((activation) => ({ activation, params: {}, label: activation }));
  const runs: { activation: string; params: ActivationParams }[] = [];
  for (const item of items) {
    const colon = item.indexOf(':');
    const equals = item.indexOf('=');
    let assignment = item;
    if (equals < 0 || (colon >= 0 && colon < equals)) {
      const name = colon >= 0 ? item.slice(0, colon).trim() : item;
      assignment = colon >= 0 ? item.slice(colon + 1).trim() : '';
      runs.push({ activation: normalizeActivationName(name) === BASELINE ? BASELINE : knownActivation(name, where), params: {} });
      if (!assignment) continue;
    } else if (runs.length === 0) {
      throw new UsageError(`${where}: '${item}' sets a parameter but no activation comes before it (write name:${item})`);
    }
    const [key, value, ...rest] = assignment.split('=').map((s) => s.trim());
    if (!key || value === undefined || value === '' || rest.length > 0) throw new UsageError(`${where}: '${item}' is not name:key=value or key=value`);
    const run = runs[runs.length - 1];
    if (key in run.params) throw new UsageError(`${where}: ${run.activation} sets '${key}' twice`);
    run.params[key] = parseValue(value, key, where);
  }
  return uniqueChoices(
    runs.filter((run) => run.activation !== BASELINE).map((run) => ({ ...run, label: defaultLabel(run.activation, run.params) })),
    where,
  );
}

/** Drops repeats of the same activation with the same parameters; refuses two runs under one label. */
export function uniqueChoices(choices: readonly ActivationChoice[], where: string): ActivationChoice[] {
  const out: ActivationChoice[] = [];
  for (const choice of choices) {
    const same = out.find((c) => c.activation === choice.activation && JSON.stringify(c.params) === JSON.stringify(choice.params));
    if (same && same.label === choice.label) continue;
    if (out.some((c) => c.label === choice.label) || choice.label === BASELINE) {
      throw new UsageError(`${where}: two runs are labelled '${choice.label}' (each run needs its own label)`);
    }
    out.push(choice);
  }
  return out;
}

/**
 * Checks that the activation accepts these parameters by making its module once: the
 * spec decides which names and values it knows, and says so. The error is a UsageError
 * naming the run.
 */
export function checkActivationParams(choice: ActivationChoice, where: string): void {
  if (choice.activation === BASELINE) return;
  let module: { dispose(): void } | undefined;
  try {
    module = activationModule(choice.activation, choice.params);
  } catch (error) {
    const label = choice.label === choice.activation ? `'${choice.activation}'` : `'${choice.label}' (${choice.activation})`;
    throw new UsageError(`${where}: ${label}: ${(error as Error).message.replace(/^activation '[^']*': /, '')}`);
  } finally {
    module?.dispose();
  }
}
