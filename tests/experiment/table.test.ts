// One results table (experiment/table.ts): its cells' formats, and the same headers,
// cells and notes whether the command line prints it (cli/table-text.ts) or the report
// and the browser page show it (report/markup.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { tableText } from '../../cli/table-text';
import { runComparison } from '../../experiment/compare';
import { DEFAULTS, parseActivations } from '../../experiment/options';
import type { ComparisonResult } from '../../experiment/results';
import { formatNumber, formatPercent, formatSeconds, resultsTable, TABLE_COLUMNS, tableRow } from '../../experiment/table';
import { tableHtml } from '../../report/markup';

let result: ComparisonResult;
beforeAll(async () => {
  result = await runComparison({ ...DEFAULTS, dataset: 'moons', activations: parseActivations('relu,tanh'), trainSize: 128, testSize: 64, epochs: 1, hidden: [8], batch: 32, device: 'cpu' });
});

/** The text of the HTML table's header cells and of each body row's cells. */
function htmlCells(html: string): { headers: string[]; rows: string[][] } {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const cells = (row: string, tag: string) => [...row.matchAll(new RegExp(`<${tag}(?: [^>]*)?>(.*?)</${tag}>`, 'g'))].map((m) => unescape(m[1]));
  return {
    headers: cells(html, 'th'),
    rows: [...html.matchAll(/<tr data-activation[^>]*>(.*?)<\/tr>/g)].map((m) => cells(m[1], 'td')),
  };
}

describe('the results table', () => {
  it('formats percentages, numbers and seconds as the README shows them', () => {
    expect(formatPercent(0.8516)).toBe('85.16%');
    expect(formatPercent(NaN)).toBe('NaN');
    expect(formatNumber(0.42804)).toBe('0.4280');
    expect(formatNumber(2.5024, 3)).toBe('2.502');
    expect(formatNumber(0.00712, 3)).toBe('0.007');
    expect(formatNumber(0.000123)).toBe('1.23e-4');
    expect(formatNumber(12345)).toBe('1.23e+4');
    expect(formatNumber(Infinity)).toBe('Infinity');
    expect(formatSeconds(13.14)).toBe('13.1s');
  });

  it('has one row per run, best first, with the columns the command line has always printed', () => {
    const table = resultsTable(result);
    expect(table.columns.map((c) => c.header)).toEqual(['activation', 'test acc', 'train loss', 'time', 'time/epoch', 'dead %', 'grad ratio in/out']);
    expect(TABLE_COLUMNS).toEqual(table.columns.map((c) => c.header));
    expect(table.rows.map((row) => row.run)).toEqual(result.runs);
    for (const { run: shown, cells } of table.rows) {
      const run = shown!;
      expect(cells).toEqual([
        run.label,
        formatPercent(run.testAccuracy),
        formatNumber(run.finalTrainLoss),
        formatSeconds(run.totalSeconds),
        formatSeconds(run.secondsPerEpoch),
        `${(100 * run.deadRatio!).toFixed(1)}%`,
        formatNumber(run.gradientRatio, 3),
      ]);
    }
    expect(table.notes).toEqual(['dead %: hidden units whose output is exactly 0 on every training sample (--dead-on train)']);
  });

  it('adds the notes a reader needs: which set dead units are counted on, shared cores with --jobs, n/a without hidden layers', () => {
    const together = resultsTable({ ...result, options: { ...result.options, jobs: 2, deadOn: 'test' } });
    expect(together.notes).toEqual([
      'dead %: hidden units whose output is exactly 0 on every test sample (--dead-on test)',
      'times: 2 runs trained at once on shared CPU cores (--jobs 2); compare them only among the runs of this invocation',
    ]);
    const linear = resultsTable({ ...result, runs: result.runs.map((run) => ({ ...run, deadRatio: null })) });
    expect(linear.notes).toEqual(['dead %: n/a, the network has no hidden layer (so no activation is applied: every run is the linear baseline)']);
    expect(linear.rows.map((row) => row.cells[5])).toEqual(['n/a', 'n/a', 'n/a']);
  });

  it('prints as aligned text: headers, a dashed rule, one line per row (labels left, numbers right), then the notes', () => {
    const table = resultsTable({ ...result, options: { ...result.options, jobs: 2 } });
    const lines = tableText(table).split('\n');
    expect(lines[0].split(/ {2,}/)).toEqual([...TABLE_COLUMNS]);
    expect(lines[1]).toMatch(/^-+( {2}-+){6}$/);
    const rows = lines.slice(2, 2 + table.rows.length);
    expect(rows.map((line) => line.split(/ {2,}/))).toEqual(table.rows.map((row) => row.cells));
    for (const line of [lines[0], ...rows]) expect(line).toHaveLength(lines[1].length);
    // The first column is padded on the right, the others on the left.
    const widths = lines[1].split('  ').map((dashes) => dashes.length);
    expect(rows[0].slice(0, widths[0])).toBe(table.rows[0].cells[0].padEnd(widths[0]));
    expect(rows[0].slice(-widths[6])).toBe(table.rows[0].cells[6].padStart(widths[6]));
    expect(lines.slice(2 + table.rows.length)).toEqual(['', ...table.notes]);
  });

  it('shows as HTML with the same headers, cells and notes, escaped, each row marked with its run', () => {
    const table = resultsTable({ ...result, options: { ...result.options, jobs: 2 } });
    const html = tableHtml(table);
    const { headers, rows } = htmlCells(html);
    expect(headers).toEqual([...TABLE_COLUMNS]);
    expect(rows).toEqual(table.rows.map((row) => row.cells));
    for (const run of result.runs) expect(html).toContain(`<tr data-activation="${run.activation}" data-label="${run.label}" data-accuracy="${run.testAccuracy}">`);
    expect(html).toContain(`<p class="note">${table.notes[0]}</p>`);
    const odd = resultsTable({ ...result, runs: [{ ...result.runs[0], label: 'a<b&"c"' }] });
    expect(tableHtml(odd)).toContain('<td style="text-align:left">a&lt;b&amp;&quot;c&quot;</td>');
    expect(htmlCells(tableHtml(odd)).rows[0]).toEqual(tableRow(odd.rows[0].run!));
  });
});
