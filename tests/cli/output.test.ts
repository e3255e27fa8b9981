// Writing the results into --out (cli/output.ts): a run replaces only the files it
// writes, by name, and never deletes anything else; a PNG failure after training costs
// the figures only, never the results; a failed write leaves no folder it created.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runComparison } from '../../experiment/compare';
import type { ComparisonResult } from '../../experiment/results';
import { DEFAULTS, parseActivations } from '../../experiment/options';
import { writeOutputs } from '../../cli/output';
import { main } from '../../cli/program';
import { tableText } from '../../cli/table-text';
import { resultsTable } from '../../experiment/table';
import { pngFigures } from '../../report/html';

const work = mkdtempSync(join(tmpdir(), 'gradscope-output-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let figureNames: string[];
let result: ComparisonResult;
let table: string;
beforeAll(async () => {
  result = await runComparison({ ...DEFAULTS, dataset: 'moons', activations: parseActivations('relu'), trainSize: 64, testSize: 32, epochs: 1, hidden: [4], batch: 32, device: 'cpu' });
  table = tableText(resultsTable(result));
  // The figures of this result (no initializer table, no per-epoch gradients here).
  figureNames = Object.values(pngFigures(result)).sort();
});

/** Runs fn with an environment variable set, restoring it afterwards. */
async function withEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

function userFolder(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'figures', 'mine'), { recursive: true });
  writeFileSync(join(dir, 'figures', 'holiday.png'), 'my photo');
  writeFileSync(join(dir, 'figures', 'mine', 'notes.txt'), 'my notes');
  writeFileSync(join(dir, 'figures', 'loss.png'), 'an older loss figure');
  writeFileSync(join(dir, 'thesis.tex'), 'my thesis');
  writeFileSync(join(dir, 'results.json'), 'the previous run');
  return dir;
}

describe('writeOutputs: never deletes what it did not write', () => {
  it("keeps the user's files in an existing --out and its figures/ folder, replacing only the run's own files by name", async () => {
    const out = userFolder('existing');
    const { written, figuresMissing } = await writeOutputs(result, table, out);
    expect(figuresMissing).toBeUndefined();
    expect(readFileSync(join(out, 'thesis.tex'), 'utf8')).toBe('my thesis');
    expect(readFileSync(join(out, 'figures', 'holiday.png'), 'utf8')).toBe('my photo');
    expect(readFileSync(join(out, 'figures', 'mine', 'notes.txt'), 'utf8')).toBe('my notes');
    // Replaced by name: the run's own files hold this run's results.
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
    const loss = readFileSync(join(out, 'figures', 'loss.png'));
    expect([...loss.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(readdirSync(out).sort()).toEqual(['figures', 'report.html', 'results.json', 'results.txt', 'thesis.tex']);
    expect(readdirSync(join(out, 'figures')).sort()).toEqual([...new Set([...figureNames, 'holiday.png', 'mine'])].sort());
    expect(written.sort()).toEqual([...['report.html', 'results.json', 'results.txt'].map((n) => join(out, n)), ...figureNames.map((n) => join(out, 'figures', n))].sort());
  });

  it("--out . writes into the current folder by name and leaves nothing beside it", async () => {
    const out = userFolder('dot');
    const cwd = process.cwd();
    process.chdir(out);
    try {
      await writeOutputs(result, table, '.');
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(join(out, 'figures', 'holiday.png'), 'utf8')).toBe('my photo');
    expect(readFileSync(join(out, 'figures', 'mine', 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readdirSync(out).sort()).toEqual(['figures', 'report.html', 'results.json', 'results.txt', 'thesis.tex']);
    expect(readdirSync(join(out, 'figures')).sort()).toEqual([...new Set([...figureNames, 'holiday.png', 'mine'])].sort());
    expect(readdirSync(work).filter((n) => n.includes('partial'))).toEqual([]);
  });
});

describe('writeOutputs: results come before figures', () => {
  it('writes results.json and report.html when Chromium cannot start, and says why the figures are missing', async () => {
    const out = join(work, 'no-browser');
    const { written, figuresMissing } = await withEnv('CHROMIUM_PATH', '/bin/false', () => writeOutputs(result, table, out));
    expect(figuresMissing).toBeDefined();
    expect(figuresMissing!.split('\n')).toHaveLength(1);
    expect(figuresMissing).toMatch(/Chromium/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<section id="results">');
    expect(readdirSync(out).sort()).toEqual(['report.html', 'results.json', 'results.txt']);
    expect(written.sort()).toEqual(['report.html', 'results.json', 'results.txt'].map((n) => join(out, n)));
  });

  it('gradscope compare: exit status 3 and one warning line naming the cause, after writing the results', async () => {
    const out = join(work, 'command-no-browser');
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    const args = ['compare', '--dataset', 'moons', '--activations', 'relu', '--train-size', '64', '--test-size', '32', '--epochs', '1', '--hidden', '4', '--device', 'cpu', '--out', out];
    const code = await withEnv('CHROMIUM_PATH', '/bin/false', () => main(args)).finally(() => err.mockRestore());
    expect(code).toBe(3);
    const warnings = stderr.split('\n').filter((line) => /warning|PNG|Chromium/.test(line));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^gradscope compare: warning: PNG figures not written \(exit status 3\): rendering with Chromium \(\/bin\/false\) failed: .+/);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'results.json', 'results.txt']);
  });

  it('says so when the figures folder still holds figures of an earlier run', async () => {
    const out = userFolder('stale-figures');
    const { figuresMissing } = await withEnv('CHROMIUM_PATH', join(work, 'no-such-chromium'), () => writeOutputs(result, table, out));
    expect(figuresMissing).toMatch(/no Chromium found/);
    expect(figuresMissing).toContain(`${join(out, 'figures')} still holds figures of an earlier run (loss.png)`);
    expect(readFileSync(join(out, 'figures', 'loss.png'), 'utf8')).toBe('an older loss figure');
  });

  it('leaves no folder behind that it created, when writing fails', async () => {
    const out = join(work, 'new-parent', 'new-child', 'out');
    const broken = { runs: null } as unknown as ComparisonResult; // the report cannot be drawn from this
    await expect(writeOutputs(broken, 'table', out, { png: false })).rejects.toThrow();
    expect(existsSync(join(work, 'new-parent'))).toBe(false);
  });
});
