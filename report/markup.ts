// The comparison's sections as HTML: the results table (experiment/table.ts) and an
// empty element per figure for report/draw.ts to draw into. Shared by the self-contained
// report (report/html.ts) and the browser page (examples/compare), so that both show the
// same table and the same figures under the same headings. No Node APIs here.

import type { Figure } from '../experiment/figures';
import { initializerTableText } from '../experiment/initializer-table';
import type { ComparisonResult } from '../experiment/results';
import { resultsTable, type ResultsTable } from '../experiment/table';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const RESULTS_SECTION = {
  id: 'results',
  title: 'Results',
  note:
    'Sorted by test accuracy. grad ratio in/out = ‖∂L/∂W‖ of the input layer over that of the output layer on a fixed batch after training (≪ 1: vanishing gradients). ' +
    '"none" is the same network without any activation: a linear model.',
} as const;

/**
 * Each row carries its run's activation, label and exact test accuracy (the mean over
 * seeds with several) as data-activation, data-label, data-accuracy for scripts and tests.
 */
export function tableHtml(table: ResultsTable): string {
  const align = table.columns.map((column) => `text-align:${column.align}`);
  const head = table.columns.map((column, c) => `<th style="${align[c]}">${escapeHtml(column.header)}</th>`).join('');
  const rows = table.rows.map(
    ({ label, activation, accuracy, cells }) =>
      `<tr data-activation="${escapeHtml(activation)}" data-label="${escapeHtml(label)}" data-accuracy="${accuracy ?? NaN}">${cells.map((cell, c) => `<td style="${align[c]}">${escapeHtml(cell)}</td>`).join('')}</tr>`,
  );
  const notes = table.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`);
  return [`<table class="results"><thead><tr>${head}</tr></thead><tbody>`, ...rows, '</tbody></table>', ...notes].join('\n');
}

function section(id: string, title: string, note: string, body: string): string {
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}${body}</section>`;
}

/** A figure's section: its heading, its note, and the element its plots are drawn into. */
export function figureSectionHtml(figure: Figure): string {
  return section(figure.name, figure.title, figure.note, `<div id="fig-${escapeHtml(figure.name)}" style="display:flex;flex-wrap:wrap;gap:0.5rem;width:fit-content;max-width:100%"></div>`);
}

export const INITIALIZERS_SECTION = {
  id: 'initializers',
  title: 'Initializers',
  note: "Each initializer drawn into one kernel, described as pandas' describe() prints it (std with n − 1, quartiles by linear interpolation).",
} as const;

/** The initializer table (keras-initializers) when there is one, the results table, then every figure's section. */
export function comparisonSectionsHtml(result: ComparisonResult, figures: readonly Figure[]): string {
  const initializers = result.initializers ? [section(INITIALIZERS_SECTION.id, INITIALIZERS_SECTION.title, INITIALIZERS_SECTION.note, `<pre>${escapeHtml(initializerTableText(result.initializers))}</pre>`)] : [];
  return [...initializers, section(RESULTS_SECTION.id, RESULTS_SECTION.title, RESULTS_SECTION.note, tableHtml(resultsTable(result))), ...figures.map(figureSectionHtml)].join('\n');
}
