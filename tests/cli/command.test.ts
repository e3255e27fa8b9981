// The `gradscope compare` command: flags (bad input → one line naming the valid choices,
// exit status 2), the printed table against results.json, the report's sections and PNG
// figures, and --out left untouched by a run that fails. The built CLI (dist/cli.js,
// made by `npm run build` before the tests in CI) is spawned once, as users run it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComparisonResult } from '../../experiment/results';
import { writeOutputs } from '../../cli/output';
import { resultsTable, TABLE_COLUMNS, tableRow } from '../../experiment/table';
import { findChromium } from '../../report/png';
import { reportSections } from '../../report/html';
import { tableHtml } from '../../report/markup';
import { runMain } from './run-main';

const work = mkdtempSync(join(tmpdir(), 'gradscope-cli-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The rows of the printed table: the lines after the header's dashed rule, split on runs of spaces. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const rule = lines.findIndex((l) => /^-+( +-+)+$/.test(l));
  expect(rule).toBeGreaterThan(0);
  expect(lines[rule - 1].trim().split(/ {2,}/)).toEqual([...TABLE_COLUMNS]);
  const rows: string[][] = [];
  for (const line of lines.slice(rule + 1)) {
    if (line.trim() === '') break;
    rows.push(line.trim().split(/ {2,}/));
  }
  return rows;
}

describe('gradscope compare: bad input', () => {
  const cases: [string[], RegExp][] = [
    [['--activations', 'relu,bogus'], /--activations: unknown activation 'bogus' \(valid: .*relu.*tanh.*, all\)/],
    [['--dataset', 'cifar'], /--dataset: unknown data set 'cifar' \(valid: fashion-mnist, mnist, moons, circles, spirals, xor\)/],
    [['--device', 'tpu'], /--device: unknown device 'tpu' \(valid: webgpu, cpu, auto\)/],
    [['--epochs', 'two'], /--epochs: expected a positive integer, got 'two'/],
    [['--lr', '0.1x'], /--lr: expected a number > 0, got '0.1x'/],
    [['--batch', '0'], /--batch: expected a positive integer, got '0'/],
    [['--hidden', '256,,64'], /--hidden: expected a positive integer, got ''/],
    [['--init', 'magic'], /--init: unknown initializer 'magic' \(valid: .*pytorch_default/],
    [['--train-size', '70000'], /--train-size: fashion-mnist has 60000 training images, got 70000/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')} → exit 2 and one line`, async () => {
      const out = join(work, 'never');
      const { code, stdout, stderr } = await runMain(['compare', ...args, '--out', out]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('--help documents every flag with its default (the quick protocol\'s value) and exits 0', async () => {
    const { code, stdout } = await runMain(['compare', '--help']);
    expect(code).toBe(0);
    const flags = ['--protocol', '--activations', '--register', '--dataset', '--train-size', '--test-size', '--normalize', '--hidden', '--share-activation', '--no-share-activation', '--init'];
    flags.push('--optimizer', '--lr', '--momentum', '--nesterov', '--weight-decay', '--batch', '--epochs', '--steps', '--eval-every', '--dead-on', '--seed', '--device', '--jobs', '--out', '--json', '--no-png');
    for (const flag of flags) expect(stdout).toContain(flag);
    for (const shown of [
      '(fashion-mnist|mnist|moons|circles|spirals|xor; quick: fashion-mnist)',
      '--epochs <n> training epochs per activation (quick: 2)',
      "(default: the data set's whole training split, 60000 for fashion-mnist, 60000 for mnist; 60000 for the 2-D sets)",
      "(default: the data set's whole test split, 10000 for fashion-mnist, 10000 for mnist; 10000 for the 2-D sets)",
      '--momentum <x> SGD momentum (quick: 0.9)',
      "--batch <n|full> batch size, or 'full' for the whole training set in one batch (quick: 128)",
      "('' for none; quick: 256,192,128,64)",
      '(quick: auto)',
      '--protocol <name|path> a built-in protocol (see gradscope protocols) or a protocol .json file (default: quick)',
      'Protocols: quick, dldna-ch4, dldna-ch4-text, facure-mnist, moons-relu-vs-tanh, keras-initializers',
      'Exit status: 0 done; 2 bad input',
      '3 results written but the PNG figures missing',
    ]) {
      expect(stdout.replace(/\s+/g, ' ')).toContain(shown);
    }
  });
});

describe('gradscope compare: a run in this process', () => {
  let out: string;
  beforeEach(() => {
    out = join(work, `run-${Math.random().toString(36).slice(2)}`);
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('prints the table, writes results.json that agrees with it, and --json prints the same JSON', async () => {
    // --out already holds a file of the user's: it stays, results are added beside it.
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const args = ['compare', '--dataset', 'moons', '--activations', 'relu,tanh', '--train-size', '300', '--test-size', '200', '--epochs', '1', '--hidden', '16,8', '--device', 'cpu', '--out', out, '--no-png', '--json'];
    const { code, stdout, stderr } = await runMain(args);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as ComparisonResult;
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ComparisonResult;
    expect(saved).toEqual(printed);
    // With --json the table goes to stderr.
    const rows = tableRows(stderr);
    expect(rows).toHaveLength(3);
    expect(rows).toEqual(saved.runs.map(tableRow));
    expect(rows.map((r) => r[0]).sort()).toEqual(['none', 'relu', 'tanh']);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'report.html', 'results.json', 'results.txt']);
    expect(readdirSync(work).filter((n) => n.includes('.partial-'))).toEqual([]);
  });

  it('leaves --out untouched when writing the results fails', async () => {
    mkdirSync(out);
    writeFileSync(join(out, 'results.json'), 'the previous run');
    const broken = { runs: null } as unknown as ComparisonResult; // the report cannot be drawn from this
    await expect(writeOutputs(broken, 'table', out, { png: false })).rejects.toThrow();
    expect(readdirSync(out)).toEqual(['results.json']);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe('the previous run');
    expect(readdirSync(work).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});

const cli = join(process.cwd(), 'dist', 'cli.js');
describe.runIf(existsSync(cli))('gradscope compare: the built command', () => {
  it('runs on a tiny FashionMNIST configuration: table, results.json, report with every section, PNG figures', () => {
    const out = join(work, 'spawned');
    const run = spawnSync(
      process.execPath,
      [cli, 'compare', '--activations', 'relu,tanh', '--train-size', '300', '--test-size', '200', '--epochs', '1', '--device', 'cpu', '--out', out],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(run.stderr).not.toMatch(/failed/);
    // Exit status 3: the results are written, the PNG figures are not (no Chromium).
    expect(run.status).toBe(findChromium() ? 0 : 3);
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ComparisonResult;
    expect(saved.network.layers).toEqual([784, 256, 192, 128, 64, 10]);
    expect(saved.dataset).toMatchObject({ name: 'fashion-mnist', train: 300, test: 200 });
    const rows = tableRows(run.stdout);
    expect(rows).toEqual(saved.runs.map(tableRow));
    expect(rows.map((r) => r[0]).sort()).toEqual(['none', 'relu', 'tanh']);
    expect(tableRows(readFileSync(join(out, 'results.txt'), 'utf8'))).toEqual(rows);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const [id, heading] of Object.entries(reportSections(saved))) {
      expect(html).toContain(`<section id="${id}">`);
      expect(html).toContain(heading.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
    }
    // Offline: Plotly is inlined, nothing is fetched from the network.
    expect(html).toContain('Plotly');
    expect(html.length).toBeGreaterThan(3_000_000);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="https?:/);
    // The one results table, with every run's row.
    expect(html).toContain(tableHtml(resultsTable(saved)));
    for (const run of saved.runs) expect(html).toContain(`<tr data-activation="${run.activation}"`);

    if (findChromium()) {
      for (const name of ['loss.png', 'accuracy.png', 'gradients-end.png', 'dead-neurons.png', 'activations.png']) {
        const png = readFileSync(join(out, 'figures', name));
        expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        expect(png.length).toBeGreaterThan(5000);
      }
    } else {
      expect(run.stderr).toContain('warning: PNG figures not written (exit status 3): no Chromium found');
    }
  });

  it('exits 2 with one line for a bad flag', () => {
    const run = spawnSync(process.execPath, [cli, 'compare', '--dataset', 'imagenet'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe("gradscope compare: --dataset: unknown data set 'imagenet' (valid: fashion-mnist, mnist, moons, circles, spirals, xor)");
  });
});
