// Report formats by name.
import type { AnalysisReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJson, renderYaml } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderPlanYaml, renderRolloutMarkdown, renderRolloutText, rolloutData } from './rollout.js';
import { renderSarif } from './sarif.js';
import { toKubernetesYaml } from '../../k8s/yaml.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'yaml', 'markdown', 'sarif', 'html', 'plan-yaml'] as const;
/** Formats the rollout plan (--plan) is written in; plan-yaml is the plan's objects alone. */
export const PLAN_FORMATS: readonly ReportFormat[] = ['text', 'json', 'yaml', 'markdown', 'plan-yaml'];
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  readonly color: boolean;
  /** Text: list each workload's injection plan (the other formats always carry it). */
  readonly showPlan?: boolean;
  /** Write the rollout plan instead of the readiness report. */
  readonly rollout?: boolean;
}

function renderRollout(report: AnalysisReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(rolloutData(report), null, 2)}\n`;
    case 'yaml':
      return toKubernetesYaml(rolloutData(report));
    case 'markdown':
      return renderRolloutMarkdown(report);
    case 'plan-yaml':
      return renderPlanYaml(report);
    default:
      return renderRolloutText(report);
  }
}

export function renderReport(report: AnalysisReport, format: ReportFormat, options: RenderOptions): string {
  if (options.rollout === true || format === 'plan-yaml') return renderRollout(report, format);
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
