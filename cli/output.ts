// Writing the results into --out. A run writes a fixed set of names (RESULT_FILES, and
// FIGURE_FILES in figures/) and replaces only those, by name: it never deletes anything
// it did not write. Everything is first written into a staging folder inside --out and
// renamed into place at the end, so a run that fails leaves --out as it was, and the
// folders it had to create for --out are removed again. The results come first: when the
// PNG figures cannot be rendered, the results are still written and the caller is told why.
// With --save-models, each trained network goes into models/ as <label>.safetensors and
// <label>.json, by the same rules.

import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ComparisonResult } from '../experiment/results';
import { modelFileStems, type TrainedModel } from '../experiment/trained-model';
import { checkOutputLocation, FIGURE_FILES, FIGURES_FOLDER, MODELS_FOLDER, RESULT_FILES } from './output-location';
import { pngFigures, reportHtml } from '../report/html';
import { findChromium, renderFigures } from '../report/png';

export interface OutputOptions {
  /** Render PNG figures with headless Chromium (default true). */
  png?: boolean;
  /** The trained networks to write into models/ (--save-models), in the runs' order. */
  models?: readonly TrainedModel[];
}

export interface WrittenOutputs {
  /** The paths written (under `out` as given). */
  written: string[];
  /** Why the PNG figures were asked for and not written (one line); undefined when they were, or were not asked for. */
  figuresMissing?: string;
}

/** Creates `folder` and its missing parents; returns the folders it created, outermost first. */
function makeFolder(folder: string): string[] {
  const missing: string[] = [];
  for (let path = folder; !statSync(path, { throwIfNoEntry: false }); path = dirname(path)) missing.unshift(path);
  for (const path of missing) mkdirSync(path);
  return missing;
}

/** The first line of an error, as one line of a warning. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].replace(/\s+/g, ' ').trim() || String(error);
}

/** Renders the figures into `dir`: the paths written, or why there are none. */
async function renderOrExplain(htmlPath: string, dir: string, figures: Record<string, string>): Promise<{ written: string[] } | { missing: string }> {
  try {
    const outcome = await renderFigures(htmlPath, dir, figures);
    return 'skipped' in outcome ? { missing: outcome.skipped } : outcome;
  } catch (error) {
    return { missing: `rendering with Chromium (${findChromium()}) failed: ${oneLine(error)}; the HTML report has every figure` };
  }
}

/** Writes results.json, results.txt, report.html and figures/*.png into `out`. */
export async function writeOutputs(result: ComparisonResult, table: string, out: string, options: OutputOptions = {}): Promise<WrittenOutputs> {
  const png = options.png !== false;
  // Checked again here: the folder may have changed while the run trained.
  const models = options.models ?? [];
  const target = checkOutputLocation(out, { png, models: models.length > 0 });
  const created = makeFolder(target);
  const staging = mkdtempSync(join(target, '.gradscope-partial-'));
  const cleanUp = () => {
    rmSync(staging, { recursive: true, force: true });
    // Only the folders this run made, and only while empty (rmdir refuses otherwise).
    for (const folder of created.slice().reverse()) {
      try {
        rmdirSync(folder);
      } catch {
        break;
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    writeFileSync(join(staging, 'results.json'), `${JSON.stringify(result, null, 1)}\n`);
    writeFileSync(join(staging, 'results.txt'), `${table}\n`);
    const htmlPath = join(staging, 'report.html');
    writeFileSync(htmlPath, reportHtml(result));
    let figures: string[] = [];
    let figuresMissing: string | undefined;
    if (png) {
      mkdirSync(join(staging, FIGURES_FOLDER));
      const outcome = await renderOrExplain(htmlPath, join(staging, FIGURES_FOLDER), pngFigures(result));
      if ('missing' in outcome) figuresMissing = outcome.missing + earlierFigures(target, out);
      else figures = outcome.written.map((path) => basename(path));
    }
    const modelFiles = models.length > 0 ? stageModels(models, join(staging, MODELS_FOLDER), join(target, MODELS_FOLDER)) : [];
    // Into place by name: a rename replaces the file of that name and nothing else.
    for (const name of RESULT_FILES) renameSync(join(staging, name), join(target, name));
    if (figures.length > 0) mkdirSync(join(target, FIGURES_FOLDER), { recursive: true });
    for (const name of figures) renameSync(join(staging, FIGURES_FOLDER, name), join(target, FIGURES_FOLDER, name));
    if (modelFiles.length > 0) mkdirSync(join(target, MODELS_FOLDER), { recursive: true });
    for (const name of modelFiles) renameSync(join(staging, MODELS_FOLDER, name), join(target, MODELS_FOLDER, name));
    rmSync(staging, { recursive: true, force: true });
    return {
      written: [...RESULT_FILES.map((name) => join(out, name)), ...figures.map((name) => join(out, FIGURES_FOLDER, name)), ...modelFiles.map((name) => join(out, MODELS_FOLDER, name))],
      figuresMissing,
    };
  } catch (error) {
    cleanUp();
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Writes each model's .safetensors and .json into `staging` and returns their names;
 * refuses (before anything is moved into place) when a folder stands where one of them goes.
 */
function stageModels(models: readonly TrainedModel[], staging: string, destination: string): string[] {
  mkdirSync(staging);
  const stems = modelFileStems(models.map((m) => m.description.label));
  const names: string[] = [];
  for (const model of models) {
    const stem = stems.get(model.description.label)!;
    for (const [name, bytes] of [
      [`${stem}.safetensors`, model.safetensors],
      [`${stem}.json`, `${JSON.stringify(model.description, null, 1)}\n`],
    ] as const) {
      if (lstatSync(join(destination, name), { throwIfNoEntry: false })?.isDirectory()) {
        throw new Error(`${join(destination, name)} is a folder; --save-models writes a file by that name (nothing was written)`);
      }
      writeFileSync(join(staging, name), bytes);
      names.push(name);
    }
  }
  return names;
}

/** When the figures were not rendered: a note that --out/figures still holds older ones, if it does. */
function earlierFigures(target: string, out: string): string {
  let present: string[] = [];
  try {
    present = readdirSync(join(target, FIGURES_FOLDER));
  } catch {
    return '';
  }
  const older = FIGURE_FILES.filter((name) => present.includes(name));
  return older.length > 0 ? `; ${join(out, FIGURES_FOLDER)} still holds figures of an earlier run (${older.join(', ')})` : '';
}
