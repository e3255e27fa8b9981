// Draws the comparison's figures (experiment/figures.ts) into a page: the plots of each
// figure into its element #fig-NAME, one Plotly plot per element made here. The browser
// page calls it; the self-contained report embeds its source text (report/html.ts), so
// these functions use nothing but their parameters and the page: no imports at run time,
// no helpers outside them.

import type { Config } from 'plotly.js';
import type { Figure, PlotSpec } from '../experiment/figures';

/** The part of Plotly the drawing needs (plotly.js-dist-min in the page, the inlined copy in the report). */
export interface PlotlyNewPlot {
  newPlot(element: HTMLElement, data: PlotSpec['data'], layout: PlotSpec['layout'], config: Partial<Config>): Promise<unknown>;
}

/**
 * Draws every figure into its element #fig-NAME (which must exist); resolves when all
 * plots are drawn. For images (the PNG files) the plots get no mode bar.
 */
export function drawFigures(plotly: PlotlyNewPlot, figures: readonly Figure[], options: { forImages?: boolean } = {}): Promise<unknown[]> {
  // The plots have fixed sizes (their layouts say), so they need not follow the window.
  const config: Partial<Config> = { displaylogo: false, responsive: false, displayModeBar: options.forImages ? false : 'hover' };
  const plots: Promise<unknown>[] = [];
  for (const figure of figures) {
    const container = document.getElementById('fig-' + figure.name);
    if (!container) throw new Error('the page has no element #fig-' + figure.name + ' for the figure ' + figure.title);
    container.replaceChildren();
    figure.plots.forEach((plot, i) => {
      const element = document.createElement('div');
      element.id = 'fig-' + figure.name + '-' + i;
      container.appendChild(element);
      plots.push(plotly.newPlot(element, plot.data, plot.layout, config));
    });
  }
  return Promise.all(plots);
}

/** What the report's script tells the PNG renderer (report/png.ts waits for one of the two). */
export interface ReportStatus {
  __reportReady?: boolean;
  __reportError?: string;
}

/**
 * The report's script: draws the figures embedded in #figures-data, and marks the page
 * ready (or failed) for the PNG renderer, which opens it as report.html#png.
 */
export function startReport(plotly: PlotlyNewPlot, draw: typeof drawFigures, status: ReportStatus): void {
  const figures = JSON.parse(document.getElementById('figures-data')?.textContent ?? '[]') as Figure[];
  Promise.resolve()
    .then(() => draw(plotly, figures, { forImages: location.hash === '#png' }))
    .then(
      () => {
        status.__reportReady = true;
      },
      (error: unknown) => {
        status.__reportError = String(error);
      },
    );
}
