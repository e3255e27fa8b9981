// `gradscope report RESULTS.json --out DIR`: the report, table and figures rebuilt from a
// results file, nothing trained; the same report a compare writes, the same exit statuses
// (3 without PNGs); anything that is not a gradscope results file refused with one line,
// nothing written. Run as users run it: the command bundled from the current sources.
// Its compare here uses --jobs 2 with --save-models: the models come back from the workers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonResult } from '../../experiment/results';
import { comparisonFigures } from '../../experiment/figures';
import { pngFigures, reportHtml } from '../../report/html';
import { findChromium } from '../../report/png';
import { bundleCli } from './bundle';

const work = mkdtempSync(join(tmpdir(), 'gradscope-report-command-'));
let bundle: string;
let removeBundle = () => {};
const first = join(work, 'first');

const gradscope = (args: string[]) => spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 300_000 });

beforeAll(async () => {
  const built = await bundleCli();
  bundle = built.path;
  removeBundle = built.remove;
  const run = gradscope([
    'compare', '--dataset', 'moons', '--activations', 'relu,tanh', '--train-size', '200', '--test-size', '100', '--epochs', '2', '--hidden', '8,6',
    '--device', 'cpu', '--grad-every-epoch', '--jobs', '2', '--save-models', '--no-png', '--out', first,
  ]);
  expect(run.status, run.stderr).toBe(0);
}, 300_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeBundle();
});

describe('gradscope report', () => {
  it('compare --jobs 2 --save-models: every run\'s model comes back from the worker threads', () => {
    expect(readdirSync(join(first, 'models')).sort()).toEqual(['none.json', 'none.safetensors', 'relu.json', 'relu.safetensors', 'tanh.json', 'tanh.safetensors']);
  });

  it('rebuilds report.html, results.txt and the PNG figures from results.json without training', () => {
    const out = join(work, 'again');
    const run = gradscope(['report', join(first, 'results.json'), '--out', out]);
    expect(run.stderr).not.toMatch(/failed/);
    expect(run.status).toBe(findChromium() ? 0 : 3);
    const saved = JSON.parse(readFileSync(join(first, 'results.json'), 'utf8')) as ComparisonResult;
    // Nothing trained: no progress, only what was read and what was written.
    expect(run.stderr.split('\n')[0]).toBe(`${join(first, 'results.json')}: 3 runs (relu, tanh, none) of ${saved.createdAt}`);
    expect(run.stderr.split('\n')[1]).toMatch(/^wrote /);
    expect(saved.runs.every((r) => r.gradients.epochs?.length === 2)).toBe(true);
    // The figures a compare's report embeds, built from the file (the drawing script's text is the bundle's own).
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const embedded = (page: string) => JSON.parse(/<script type="application\/json" id="figures-data">(.*?)<\/script>/s.exec(page)![1]) as unknown;
    expect(embedded(html)).toEqual(comparisonFigures(saved));
    expect(embedded(html)).toEqual(embedded(reportHtml(saved)));
    expect(readFileSync(join(out, 'results.txt'), 'utf8')).toBe(readFileSync(join(first, 'results.txt'), 'utf8'));
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(saved);
    if (findChromium()) {
      expect(readdirSync(join(out, 'figures')).sort()).toEqual(Object.values(pngFigures(saved)).sort());
      for (const name of readdirSync(join(out, 'figures'))) expect([...readFileSync(join(out, 'figures', name)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    } else {
      expect(run.stderr).toContain('gradscope report: warning: PNG figures not written (exit status 3)');
    }
  }, 300_000);

  it('--no-png writes the report without figures, into the folder the results came from too', () => {
    const run = gradscope(['report', join(first, 'results.json'), '--out', first, '--no-png']);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(first, 'figures'))).toBe(false);
    expect(readdirSync(first).sort()).toEqual(['models', 'report.html', 'results.json', 'results.txt']);
  });

  it('refuses a file that is not a gradscope results file, with one line and exit status 2, writing nothing', () => {
    const cases: [string, string, RegExp][] = [
      ['notes.txt', 'hello', /not a gradscope results file: not JSON/],
      ['package.json', '{"name": "x", "version": "1.0.0"}', /not a gradscope results file: its "tool" is missing, expected "gradscope compare"/],
      ['list.json', '[1, 2]', /not a gradscope results file: expected a JSON object, got array/],
      ['cut.json', '{"tool": "gradscope compare", "createdAt": "today", "backend": "cpu", "dataset": {}, "network": {}, "options": {}, "runs": [], "activations": [], "totalSeconds": 1}', /"runs" is empty/],
    ];
    for (const [name, text, message] of cases) {
      const file = join(work, name);
      writeFileSync(file, text);
      const out = join(work, `never-${name}`);
      const run = gradscope(['report', file, '--out', out]);
      expect(run.status, name).toBe(2);
      expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(run.stderr, name).toMatch(new RegExp(`^gradscope report: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(run.stderr, name).toMatch(message);
      expect(existsSync(out), name).toBe(false);
    }
    const missing = gradscope(['report', join(work, 'nowhere.json'), '--out', join(work, 'never')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nowhere\.json: no such file/);
    const noOut = gradscope(['report', join(first, 'results.json')]);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toMatch(/--out <dir>' not specified/);
  });
});
