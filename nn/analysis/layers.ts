// Finding the layers an analysis reports on, named by their path in the model
// ('0', '2', ... for a Sequential, 'encoder.1' for nested modules), in model order.

import { Linear } from '../linear';
import type { Module } from '../module';
import { Sequential } from '../sequential';

export interface NamedLayer<M extends Module = Module> {
  name: string;
  module: M;
}

/** Every Linear in the model, depth first in registration order (the forward order of a Sequential). */
export function linearLayers(model: Module, op: string): NamedLayer<Linear>[] {
  const found: NamedLayer<Linear>[] = [];
  const walk = (m: Module, path: string) => {
    if (m instanceof Linear) found.push({ name: path || 'linear', module: m });
    for (const [name, child] of m.namedChildren()) walk(child, path ? `${path}.${name}` : name);
  };
  walk(model, '');
  if (found.length === 0) throw new Error(`${op}: the model has no Linear layer to analyse`);
  return found;
}

export function requireSequential(model: Module, op: string): Sequential {
  if (!(model instanceof Sequential)) {
    throw new Error(`${op}: needs a Sequential model (gs.nn.Sequential or gs.nn.mlp) to see each layer's output, got ${model?.constructor?.name}`);
  }
  return model;
}

/** A short description of a layer for reports: 'linear', 'relu', ... */
export function layerKind(m: Module): string {
  if (m instanceof Linear) return 'linear';
  // Activation and Softmax have a name, and so may a user's own Module: read it if there is one.
  const named = m as { name?: unknown };
  return typeof named.name === 'string' ? named.name : m.constructor.name.toLowerCase();
}
