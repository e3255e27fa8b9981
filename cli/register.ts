// `gradscope compare --register FILE`: user activations from an ES module whose default
// export is an activation spec, a formula ({ name, f: 'x * sigmoid(x)', ... }, compiled
// with fromExpression), or a list of them. Each is registered with gs.activations.register
// (validated: WGSL compiled, derivatives checked) before the options are read, so
// --activations and protocol files can name them; the worker threads of --jobs load the
// same files, and the report draws them like the built-ins.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromExpression, type ExpressionOptions } from '../activations/expression/index';
import type { ActivationSpec } from '../engine/activation-spec';
import { activations } from '../index';
import { UsageError } from '../experiment/options';

/** A formula: the name and f as text, without the hand-written cpu and wgsl sections. */
function isFormula(value: object): value is ExpressionOptions {
  return typeof (value as { f?: unknown }).f === 'string' && !('cpu' in value) && !('wgsl' in value);
}

/** The specs a module file exports by default, formulas compiled; an error names the file. */
export async function loadActivationFile(file: string): Promise<ActivationSpec[]> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (error) {
    throw new UsageError(`--register ${file}: cannot load it as an ES module: ${(error as Error).message.split('\n')[0]}`);
  }
  const exported = module.default;
  const items = Array.isArray(exported) ? exported : [exported];
  if (exported === undefined || items.length === 0) {
    throw new UsageError(`--register ${file}: the module has no default export (export default a spec, a formula { name, f }, or a list of them)`);
  }
  return items.map((item, i) => {
    const where = Array.isArray(exported) ? `--register ${file}: item ${i}` : `--register ${file}`;
    if (typeof item !== 'object' || item === null) throw new UsageError(`${where}: expected an activation spec or a formula { name, f }, got ${String(item)}`);
    if (!isFormula(item)) return item as ActivationSpec;
    try {
      return fromExpression(item);
    } catch (error) {
      throw new UsageError(`${where}: ${(error as Error).message}`);
    }
  });
}

/** Loads and registers every file's activations, in order; returns the names registered. */
export async function registerActivationFiles(files: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const file of files) {
    for (const spec of await loadActivationFile(file)) {
      try {
        names.push((await activations.register(spec)).name);
      } catch (error) {
        throw new UsageError(`--register ${file}: ${(error as Error).message}`);
      }
    }
  }
  return names;
}
