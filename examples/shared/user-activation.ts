// A user activation written in the editor page, kept in localStorage as its source
// fields, so the other pages (explorer, surfaces, playground) register it too: the
// registry lives in each page's own bundle.
import type { ActivationSpec } from '../../index';
import * as gs from '../../index';

const STORAGE_KEY = 'gradscope.userActivation';

export interface UserActivationSource {
  name: string;
  paramName: string;
  paramDefault: number;
  trainable: boolean;
  /** The one-formula form (gs.activations.fromExpression); when given, the two-language fields are not used. */
  formula?: string;
  wgslF: string;
  wgslDf: string;
  wgslDparam: string;
  cpuF: string;
  cpuDf: string;
  cpuDparam: string;
}

/** A TypeScript body as a function (the user's own code, run in their own page). */
function cpuFunction<T>(body: string, args: string[], what: string): T {
  try {
    return new Function(...args, body) as T;
  } catch (error) {
    throw new Error(`TypeScript ${what}: ${(error as Error).message}`);
  }
}

export function specFromSource(src: UserActivationSource): ActivationSpec {
  const params = src.paramName ? [{ name: src.paramName, default: src.paramDefault, trainable: src.trainable }] : [];
  if (src.formula !== undefined) return gs.activations.fromExpression({ name: src.name, f: src.formula, params });
  type Fn = (...args: unknown[]) => number;
  const f = cpuFunction<Fn>(src.cpuF, ['x', 'p'], 'f');
  const df = cpuFunction<Fn>(src.cpuDf, ['x', 'y', 'p'], "f'");
  const spec: ActivationSpec = {
    name: src.name,
    formula: `user WGSL: ${src.wgslF.replace(/\s+/g, ' ').trim()}`,
    range: [-4, 4],
    params,
    cpu: { f: (x, p) => f(x, p), df: (x, y, p) => df(x, y, p) },
    wgsl: { f: src.wgslF, df: src.wgslDf },
  };
  if (src.paramName && src.trainable) {
    const dp = cpuFunction<Fn>(src.cpuDparam, ['x', 'y', 'p'], '∂f/∂param');
    spec.cpu.dparams = { [src.paramName]: (x, y, p) => dp(x, y, p) };
    spec.wgsl.dparams = { [src.paramName]: src.wgslDparam };
  }
  return spec;
}

export function saveUserActivation(src: UserActivationSource): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(src));
}

/**
 * Register the saved user activation in this page, if there is one and its name is
 * free. Resolves to its name, or null. A saved activation that no longer validates is
 * reported on the console as a warning and skipped.
 */
export async function restoreUserActivation(): Promise<string | null> {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (!saved) return null;
  try {
    const spec = specFromSource(JSON.parse(saved) as UserActivationSource);
    if (gs.activations.names().includes(spec.name)) return spec.name;
    await gs.activations.register(spec);
    return spec.name;
  } catch (error) {
    console.warn(`the saved user activation was not registered: ${(error as Error).message}`);
    return null;
  }
}
