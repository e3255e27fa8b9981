// Where a comparison may write its results (--out), checked before training so that a
// bad location costs a second, not the run. A run writes a fixed set of names and
// replaces only those (cli/output.ts); it never writes into a file system's root, a
// top-level folder other than the user's home (/home, /tmp, /var: shared by the whole
// system) or anything inside the operating system's own folders (SYSTEM_FOLDERS).

import { accessSync, constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';
import { PNG_FIGURES } from '../report/html';
import { UsageError } from '../experiment/options';

/** The files a run writes into --out, beside the figures folder. */
export const RESULT_FILES = ['results.json', 'results.txt', 'report.html'] as const;
export const FIGURES_FOLDER = 'figures';
/** The PNG files a run writes into --out/figures. */
export const FIGURE_FILES: readonly string[] = Object.values(PNG_FIGURES);
/** Where --save-models writes each trained network (<label>.safetensors and <label>.json). */
export const MODELS_FOLDER = 'models';

/** The operating system's folders: a run never writes into them, nor anywhere inside them. */
export const SYSTEM_FOLDERS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/sbin', '/sys', '/usr'];

/** Why a run may not write into the folder at `path` (absolute), or undefined when it may. */
export function systemLocation(path: string, home = homedir()): string | undefined {
  const { root } = parse(path);
  if (path === root) return 'it is the root of a file system';
  // root's home is /root: a top-level folder, but the user's own.
  if (dirname(path) === root && path !== home) return 'it is a top-level folder, shared by the whole system';
  const system = SYSTEM_FOLDERS.find((folder) => path.startsWith(folder + sep));
  return system ? `it lies inside ${system}, a folder of the operating system` : undefined;
}

/** stat, or undefined where nothing is (ENOTDIR: a file stands where a folder on the way should be). */
function statIfAny(path: string, refuse: (problem: string) => UsageError): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw refuse(`cannot look at ${path} (${code ?? (error as Error).message})`);
  }
}

function canWrite(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : (code ?? String(error));
  }
}

/**
 * Checks that a run can write its results into `out` (a folder, made if missing) and
 * returns its absolute path; otherwise throws a UsageError naming the path and the problem.
 * Nothing is created or changed.
 */
export function checkOutputLocation(out: string, options: { png?: boolean; models?: boolean } = {}): string {
  const refuse = (problem: string) => new UsageError(`--out ${out}: ${problem}`);
  const target = resolve(out);
  // The deepest folder on the way that exists already: the run creates the rest in it.
  let existing = target;
  let info = statIfAny(existing, refuse);
  while (!info) {
    existing = dirname(existing);
    info = statIfAny(existing, refuse);
  }
  if (!info.isDirectory()) {
    throw refuse(existing === target ? 'it is a file, not a folder' : `${existing} is a file, so no folder can be made under it`);
  }
  // Judge where the results would really land: a symbolic link can lead into a system folder.
  const real = join(realpathSync(existing), relative(existing, target));
  const refused = systemLocation(target) ?? systemLocation(real);
  if (refused) {
    throw refuse(`refused: ${refused} (a run never writes into a root, a top-level folder other than your home, or ${SYSTEM_FOLDERS.join(' ')}); choose a folder of its own`);
  }
  const writeProblem = canWrite(existing);
  if (writeProblem) throw refuse(`cannot write in ${existing} (${writeProblem})`);
  if (existing !== target) return target;

  // An existing folder: the names the run writes must be free for files (it never deletes a folder).
  for (const name of RESULT_FILES) {
    const path = join(target, name);
    if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) throw refuse(`${path} is a folder; the run writes a file by that name`);
  }
  if (options.png !== false) {
    const figures = join(target, FIGURES_FOLDER);
    const figuresInfo = statIfAny(figures, refuse);
    if (figuresInfo && !figuresInfo.isDirectory()) throw refuse(`${figures} is a file; the run writes its PNG figures into a folder by that name`);
    if (figuresInfo) {
      const problem = canWrite(figures);
      if (problem) throw refuse(`cannot write in ${figures} (${problem})`);
      for (const name of FIGURE_FILES) {
        const path = join(figures, name);
        if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) throw refuse(`${path} is a folder; the run writes a PNG file by that name`);
      }
    }
  }
  if (options.models) {
    // The file names come from the runs' labels, known only after training: a folder standing
    // where one of them goes is refused then, before anything is moved into place (cli/output.ts).
    const models = join(target, MODELS_FOLDER);
    const modelsInfo = statIfAny(models, refuse);
    if (modelsInfo && !modelsInfo.isDirectory()) throw refuse(`${models} is a file; --save-models writes the trained networks into a folder by that name`);
    const problem = modelsInfo ? canWrite(models) : undefined;
    if (problem) throw refuse(`cannot write in ${models} (${problem})`);
  }
  return target;
}
