// gs.nn.mlp: the seed experiments' SimpleNetwork as a Sequential
// (Linear, act, Linear, act, ..., Linear), so its stateDict keys are exactly what the
// equivalent torch.nn.Sequential has: '0.weight', '0.bias', '2.weight', ... and, with
// noActivation, consecutive Linears '0', '1', '2', ...
//
// Every Linear's seed is derived from the one seed and the layer's position only, so the
// same seed gives identical initial weights whatever the activation: the activation
// comparison experiment relies on it.
//
// shareActivation puts ONE activation module after every hidden Linear, as the "Deep
// Learning DNA" chapter's SimpleNetwork does (it adds the same nn.Module object to each
// layer): a trainable activation then has one parameter set, whose gradient sums the
// contributions of every layer it is used in.

import type { ActivationSpec } from '../engine/activation-spec';
import { nextAutoSeed } from '../engine/random';
import { activation as makeActivation, type ActivationOptions } from './activation';
import { Linear } from './linear';
import { Module } from './module';
import { Sequential } from './sequential';

export interface MlpOptions {
  input: number;
  hidden: readonly number[];
  output: number;
  /** Name ('relu'), spec, a module (used as a template: only for parameter-free activations), or a factory. Default 'relu'. */
  activation?: string | ActivationSpec | Module | (() => Module);
  /** Parameter values for a named activation, e.g. { negative_slope: 0.2 }. */
  activationParams?: ActivationOptions;
  /** No activation between the Linears (the purely linear baseline). */
  noActivation?: boolean;
  /**
   * One activation module shared by every hidden layer (its trainable parameters appear
   * once in parameters() and are updated from every layer), instead of one per layer.
   */
  shareActivation?: boolean;
  /** Weight initializer name (default 'pytorch_default'). */
  init?: string;
  /** Bias initializer (default: 'pytorch_default' with that init, else 'zeros'). */
  biasInit?: string;
  bias?: boolean;
  seed?: number;
}

/** The seed of layer `index`: a splitmix-style hash of (seed, index), independent of the activation. */
export function layerSeed(seed: number, index: number): number {
  let z = (Math.floor(seed) + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export function mlp(options: MlpOptions): Sequential {
  const { input, hidden, output, noActivation = false, shareActivation = false, init, biasInit, bias, seed = nextAutoSeed() } = options ?? ({} as MlpOptions);
  for (const [name, v] of [['input', input], ['output', output]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`mlp: ${name} must be a positive integer, got ${v}`);
  }
  if (!Array.isArray(hidden) || hidden.some((h) => !Number.isInteger(h) || h <= 0)) {
    throw new Error(`mlp: hidden must be an array of positive integers, got ${JSON.stringify(hidden)}`);
  }
  if (!Number.isFinite(seed)) throw new Error(`mlp: seed must be a finite number, got ${seed}`);
  const act = options.activation ?? 'relu';
  if (act instanceof Module && hidden.length > 1 && act.parameters().length > 0 && !shareActivation) {
    throw new Error('mlp: an activation module with trainable parameters is shared between layers only with shareActivation: true; pass a factory () => module for one per layer');
  }
  const makeOne = (): Module =>
    typeof act === 'function' ? act() : act instanceof Module ? act : makeActivation(act, options.activationParams ?? {});
  const shared = shareActivation && !noActivation && hidden.length > 0 ? makeOne() : null;
  const newActivation = (): Module => shared ?? makeOne();
  const sizes = [input, ...hidden, output];
  const modules: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    modules.push(new Linear(sizes[i], sizes[i + 1], { init, biasInit, bias, seed: layerSeed(seed, i) }));
    if (i + 2 < sizes.length && !noActivation) modules.push(newActivation());
  }
  return new Sequential(...modules);
}
