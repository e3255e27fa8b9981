// Writing the results: everything goes into a temporary directory beside --out first,
// and is moved into --out only once it is all written, so a run that fails or is
// interrupted leaves --out exactly as it was.

import { chmodSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ComparisonResult } from './compare';
import { reportHtml } from '../report/html';
import { renderFigures } from '../report/png';

export interface OutputOptions {
  /** Render PNG figures with headless Chromium (default true). */
  png?: boolean;
  log?: (line: string) => void;
}

/** Writes results.json, results.txt, report.html and figures/*.png into `out`; returns the paths written. */
export async function writeOutputs(result: ComparisonResult, table: string, out: string, options: OutputOptions = {}): Promise<string[]> {
  const target = resolve(out);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(target)}.partial-`));
  chmodSync(staging, 0o755); // mkdtemp makes it private; the results are not secret
  const removeStaging = () => rmSync(staging, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    removeStaging();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    writeFileSync(join(staging, 'results.json'), `${JSON.stringify(result, null, 1)}\n`);
    writeFileSync(join(staging, 'results.txt'), `${table}\n`);
    const htmlPath = join(staging, 'report.html');
    writeFileSync(htmlPath, reportHtml(result));
    const names = ['results.json', 'results.txt', 'report.html'];
    if (options.png !== false) {
      mkdirSync(join(staging, 'figures'));
      const outcome = await renderFigures(htmlPath, join(staging, 'figures'));
      if ('skipped' in outcome) {
        options.log?.(`PNG figures skipped: ${outcome.skipped}`);
        rmSync(join(staging, 'figures'), { recursive: true, force: true });
      } else names.push(...outcome.written.map((p) => join('figures', basename(p))));
    }
    moveInto(staging, target);
    return names.map((name) => join(out, name));
  } catch (error) {
    removeStaging();
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Moves the staged files into place: the whole directory when --out is new, else entry by entry. */
function moveInto(staging: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(staging, target);
    return;
  }
  for (const entry of readdirSync(staging)) {
    rmSync(join(target, entry), { recursive: true, force: true });
    renameSync(join(staging, entry), join(target, entry));
  }
  rmSync(staging, { recursive: true, force: true });
}
