// Report formats by name.
import type { AnalysisReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJson, renderYaml } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'yaml', 'markdown', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  readonly color: boolean;
  /** Text: list each workload's injection plan (the other formats always carry it). */
  readonly showPlan?: boolean;
}

export function renderReport(report: AnalysisReport, format: ReportFormat, options: RenderOptions): string {
  switch (format) {
    case 'text':
      return renderText(report, options);
    case 'json':
      return renderJson(report);
    case 'yaml':
      return renderYaml(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'sarif':
      return renderSarif(report);
    case 'html':
      return renderHtml(report);
  }
}
