// One results table (experiment/table.ts): its cells' formats, and the same headers,
// cells and notes whether the command line prints it (cli/table-text.ts) or the report
// and the browser page show it (report/markup.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { tableText } from '../../cli/table-text';
import { runComparison } from '../../experiment/compare';
import { DEFAULTS, parseActivations } from '../../experiment/options';
import { sortRuns, type ComparisonResult } from '../../experiment/results';
import { comparisonSummary } from '../../experiment/summary';
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
    expect(table.notes).toEqual([
      'one seed (42): no spread is known, so differences between runs may be noise; --seeds N trains every run N times (5 or more) and marks those tied for first',
      'dead %: hidden units whose output is exactly 0 on every training sample (--dead-on train)',
    ]);
  });

  it('adds the notes a reader needs: which set dead units are counted on, shared cores with --jobs, n/a without hidden layers', () => {
    const together = resultsTable({ ...result, options: { ...result.options, jobs: 2, deadOn: 'test' } });
    expect(together.notes).toEqual([
      'one seed (42): no spread is known, so differences between runs may be noise; --seeds N trains every run N times (5 or more) and marks those tied for first',
      'dead %: hidden units whose output is exactly 0 on every test sample (--dead-on test)',
      'times: 2 runs trained at once on shared CPU cores (--jobs 2); compare them only among the runs of this invocation',
    ]);
    const linear = resultsTable({ ...result, runs: result.runs.map((run) => ({ ...run, deadRatio: null })) });
    expect(linear.notes).toEqual(['one seed (42): no spread is known, so differences between runs may be noise; --seeds N trains every run N times (5 or more) and marks those tied for first', 'dead %: n/a, the network has no hidden layer (so no activation is applied: every run is the linear baseline)']);
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

describe('the results table with several seeds', () => {
  /** The one-seed result as if trained with seeds 42, 43 and 44: relu loses 1, 2 and 3 points on the later seeds, tanh gains a little on each. */
  function threeSeeds(): ComparisonResult {
    const shifts: Record<string, number[]> = { relu: [0, -0.01, -0.03], tanh: [0, 0.001, 0.002], none: [0, 0, 0.001] };
    const runs = [42, 43, 44].flatMap((seed, k) => result.runs.map((run) => ({ ...run, seed, testAccuracy: run.testAccuracy + shifts[run.label][k] })));
    const options = { ...result.options, seeds: [42, 43, 44] };
    const sorted = sortRuns(runs, result.network.activationsCompared);
    return { ...result, options, runs: sorted, summary: comparisonSummary(sorted, result.network.activationsCompared) };
  }

  it('has one row per run label, best mean first: n, mean ± std, p vs best and tied for first, with the rule under it', () => {
    const several = threeSeeds();
    const table = resultsTable(several);
    expect(table.columns.map((c) => c.header)).toEqual(['activation', 'n', 'test acc', 'train loss', 'time/epoch', 'dead %', 'p vs best', 'tied for first']);
    expect(table.rows.map((row) => row.label)).toEqual(several.summary!.map((entry) => entry.label));
    for (const row of table.rows) {
      const entry = several.summary!.find((e) => e.label === row.label)!;
      const runs = several.runs.filter((run) => run.label === row.label);
      const mean = runs.reduce((sum, run) => sum + run.testAccuracy, 0) / 3;
      const std = Math.sqrt(runs.reduce((sum, run) => sum + (run.testAccuracy - mean) ** 2, 0) / 2);
      expect(row.accuracy).toBeCloseTo(mean, 12);
      expect(row.cells[1]).toBe('3');
      expect(row.cells[2]).toBe(`${(100 * mean).toFixed(2)} ± ${formatPercent(std)}`);
      if (entry.versusBest === null) expect(row.cells.slice(6)).toEqual(['', 'best']);
      else {
        expect(row.cells[6]).toBe(entry.versusBest.pValue! < 0.001 ? '< 0.001' : entry.versusBest.pValue!.toFixed(3));
        expect(row.cells[7]).toBe(entry.versusBest.pValue! >= 0.05 ? 'yes' : 'no');
      }
    }
    expect(table.notes[0]).toContain('mean ± std over 3 seeds (42, 43, 44');
    expect(table.notes[1]).toContain(`tied for first: cannot be told apart from ${several.summary![0].label}`);
    expect(table.notes[1]).toContain('paired t-test');
    // The HTML table carries the same rows, each with its label's mean.
    expect(htmlCells(tableHtml(table)).rows).toEqual(table.rows.map((row) => row.cells));
  });

  it("a shard's partial results: one row per run with its seed, and a note that they are partial", () => {
    const several = threeSeeds();
    const { summary: _summary, ...partial } = several;
    const shard = { index: 2, count: 3, grid: several.runs.map((run) => ({ label: run.label, seed: run.seed })), cells: several.runs.slice(0, 3).map((run) => ({ label: run.label, seed: run.seed })) };
    const table = resultsTable({ ...partial, runs: several.runs.slice(0, 3), shard });
    expect(table.columns.map((c) => c.header).slice(0, 2)).toEqual(['activation', 'seed']);
    expect(table.rows.map((row) => row.cells[1])).toEqual(several.runs.slice(0, 3).map((run) => String(run.seed)));
    expect(table.notes[0]).toBe('partial results: shard 2/3, 3 of the 9 runs; gradscope merge puts the shards together and summarises them');
  });
});
