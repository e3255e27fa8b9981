// The results table (experiment/table.ts) as the command line prints it and results.txt
// keeps it: aligned columns, a dashed rule under the headers, the notes below.

import type { ResultsTable } from '../experiment/table';

export function tableText(table: ResultsTable): string {
  const headers = table.columns.map((column) => column.header);
  const lines = [headers, ...table.rows.map((row) => row.cells)];
  const widths = headers.map((_, c) => Math.max(...lines.map((cells) => cells[c].length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (table.columns[c].align === 'left' ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...table.rows.map((row) => line(row.cells)), ...(table.notes.length > 0 ? ['', ...table.notes] : [])].join('\n');
}
