// `meshgate analyze`: what breaks, what meshgate fixes on its own, and what must change first, for
// workloads in files or in live clusters, and the rollout plan (--plan, -o plan-yaml). Exit 0, 1 when
// a finding is at or above --fail-on, 2 on usage or unreadable input (DESIGN.md). Input that cannot be
// read in full (a file, a cluster list: 403, 404, timeout) gives no report and no score, unless
// --allow-partial asks for a report on the rest: then every gap is named and the score is marked
// incomplete in every format.
import { writeFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { ConfigError } from '../config/load.js';
import { CONFIG_FLAGS, loadCommandConfig } from './config-file.js';
import type { MeshgateConfig } from '../config/types.js';
import type { LabelSelector } from '../k8s/objects.js';
import { parseSelectorString, SelectorSyntaxError } from '../k8s/selectors.js';
import { analyze } from '../analyze/analyze.js';
import { compileRules } from '../analyze/engine/run.js';
import { RuleFileError } from '../analyze/engine/rule-files.js';
import type { RuleDefinition } from '../analyze/engine/rule.js';
import type { AnalyzerEngines } from '../analyze/engines.js';
import { describeGap, formatScore } from '../analyze/reports/common.js';
import { PLAN_FORMATS, renderReport, REPORT_FORMATS, type ReportFormat } from '../analyze/reports/index.js';
import { readFileSources } from '../analyze/sources/files.js';
import { builtinRulesDir, loadRuleDirectory } from '../analyze/sources/rules.js';
import { packageVersion } from '../config/package.js';
import { severityRank, type AnalysisReport, type Severity, type SourceGap, type SourcedResource } from '../analyze/types.js';
import { booleanFlag, formatHelp, parseArgs, stringFlag, stringFlags, UsageError, type FlagSpec } from './args.js';
import type { Command, CommandIo } from './main.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'filename', short: 'f', type: 'string', repeatable: true, valueName: 'PATH', description: 'Manifest file, directory (recursive) or - for stdin; repeatable' },
  { name: 'kubeconfig', type: 'string', valueName: 'FILE', description: 'Read a live cluster with this kubeconfig (default: $KUBECONFIG or ~/.kube/config)' },
  { name: 'context', type: 'string', repeatable: true, valueName: 'NAME', description: 'kubeconfig context to scan; repeatable (clusters are scanned concurrently)' },
  { name: 'all-contexts', type: 'boolean', description: 'Scan every context of the kubeconfig' },
  { name: 'namespace', short: 'n', type: 'string', valueName: 'NS', description: 'Only this namespace (files: also the namespace of objects without one)' },
  { name: 'all-namespaces', short: 'A', type: 'boolean', description: 'All namespaces (the default for files)' },
  { name: 'selector', short: 'l', type: 'string', valueName: 'SELECTOR', description: 'Only workloads whose pod labels match (e.g. app=web,tier!=db)' },
  { name: 'output', short: 'o', type: 'string', choices: REPORT_FORMATS, valueName: 'FORMAT', description: 'Report format' },
  { name: 'output-file', type: 'string', valueName: 'FILE', description: 'Write the report to FILE instead of stdout' },
  { name: 'show-plan', type: 'boolean', description: "Text report: list each workload's injection plan (the other formats always carry it)" },
  { name: 'plan', type: 'boolean', description: 'Print the rollout plan instead of the report: per namespace, callers first, enrol, verify, PERMISSIVE exceptions, STRICT; then mesh-wide STRICT (-o text|json|yaml|markdown; -o plan-yaml gives its objects alone)' },
  { name: 'allow-partial', type: 'boolean', description: 'Report on what could be read when a file or a cluster list cannot be (the gaps are named, the score is marked incomplete); without it there is no report' },
  { name: 'fail-on', type: 'string', choices: ['error', 'warning', 'info', 'none'], valueName: 'LEVEL', description: 'Exit 1 when a finding is at or above LEVEL (default error)' },
  { name: 'rules', type: 'string', repeatable: true, valueName: 'DIR', description: "Add a team's own rule files (rules/*.yaml format); repeatable" },
  ...CONFIG_FLAGS,
  { name: 'timeout', type: 'string', valueName: 'SECONDS', description: 'Per-request timeout for cluster reads (default 30)' },
];

const USAGE = 'meshgate analyze [-f PATH ...] [--kubeconfig F] [--context C] [-n NS | -A] [-l SELECTOR] [-o text|json|yaml|markdown|sarif|html|plan-yaml] [--output-file F] [--show-plan] [--plan] [--allow-partial] [--fail-on error|warning|info|none] [--rules DIR]';
const PARTIAL_HINT = 'or run with --allow-partial to report on what could be read (the score is then marked incomplete)';

/** The validator, loaded lazily; the analyzer runs without it if it fails to load. */
async function loadEngines(stderr: NodeJS.WritableStream): Promise<AnalyzerEngines> {
  const engines: { -readonly [K in keyof AnalyzerEngines]: AnalyzerEngines[K] } = {};
  try {
    const validate = await import('../validate/index.js');
    engines.validateResource = validate.validateResource;
    engines.crossResourceWarnings = (object, context) =>
      validate.crossResourceWarnings(object as Parameters<typeof validate.crossResourceWarnings>[0], context as Parameters<typeof validate.crossResourceWarnings>[1]);
  } catch (error) {
    stderr.write(`meshgate analyze: warning: mesh resource validator unavailable (${(error as Error).message})\n`);
  }
  return engines;
}

function failsOn(report: AnalysisReport, level: string): boolean {
  if (level === 'none') return false;
  const threshold = severityRank(level as Severity);
  return report.findings.some((f) => severityRank(f.severity) >= threshold);
}

function useColor(io: CommandIo, toFile: boolean): boolean {
  if (toFile || process.env['NO_COLOR'] !== undefined) return false;
  return (io.stdout as NodeJS.WriteStream).isTTY === true;
}

interface Collected {
  readonly resources: SourcedResource[];
  /** What could not be read (only with --allow-partial: otherwise there is no report). */
  readonly gaps: SourceGap[];
  readonly source: string;
}

async function collect(args: ReturnType<typeof parseArgs>, io: CommandIo, namespace: string | undefined, selector: LabelSelector | undefined): Promise<Collected | number> {
  const allowPartial = booleanFlag(args, 'allow-partial');
  const files = stringFlags(args, 'filename');
  const contexts = stringFlags(args, 'context');
  const allContexts = booleanFlag(args, 'all-contexts');
  const kubeconfig = stringFlag(args, 'kubeconfig');
  const clusterMode = kubeconfig !== undefined || contexts.length > 0 || allContexts;
  if (files.length > 0 && clusterMode) throw new UsageError('use either -f (files) or --kubeconfig/--context (a live cluster), not both');
  if (files.length === 0 && !clusterMode) throw new UsageError('nothing to analyze: give -f PATH (files) or --kubeconfig/--context (a live cluster)');
  if (files.length > 0) {
    const read = await readFileSources(files, io.stdin);
    // Unreadable files are named; a score over the rest would call what it could not read ready, so
    // there is no report unless the user asked for one over the rest.
    for (const error of read.errors) io.stderr.write(`meshgate analyze: ${error.message}\n`);
    if (read.errors.length > 0 && !allowPartial) {
      const count = read.errors.length;
      io.stderr.write(`meshgate analyze: ${count} input${count > 1 ? 's' : ''} could not be read, so there is no report and no readiness score; fix ${count > 1 ? 'them' : 'it'}, ${PARTIAL_HINT}.\n`);
      return 2;
    }
    const gaps = read.errors.map((error) => ({ resource: error.line > 0 ? `${error.file}:${error.line}` : error.file, reason: error.reason }));
    const resources = namespace
      ? read.resources.map((r) => (r.object.metadata?.namespace || r.object.kind === 'Namespace' ? r : { ...r, object: { ...r.object, metadata: { ...(r.object.metadata ?? {}), namespace } } }))
      : read.resources;
    return { resources, gaps, source: `files: ${files.join(', ')}` };
  }
  const timeoutText = stringFlag(args, 'timeout') ?? '30';
  const timeoutSeconds = Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout: expected a number of seconds, got "${timeoutText}"`);
  const { readClusters, ClusterSourceError } = await import('../analyze/sources/cluster.js');
  try {
    const result = await readClusters({
      ...(kubeconfig !== undefined ? { kubeconfig } : {}),
      contexts,
      allContexts,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(selector !== undefined ? { labelSelector: stringFlag(args, 'selector')! } : {}),
      timeoutMs: timeoutSeconds * 1000,
      progress: (io.stderr as NodeJS.WriteStream).isTTY === true ? io.stderr : undefined,
    });
    const where = result.contexts.length === 1 ? ` (context ${result.contexts[0]})` : '';
    if (result.gaps.length > 0 && !allowPartial) {
      // Fail closed: a report over part of the cluster would score what it cannot see as ready (no
      // pods read means no pod missing its proxy), so there is no report and no score at all.
      io.stderr.write(
        `meshgate analyze: cannot read the cluster${where}, so there is no report and no readiness score:\n` +
          result.gaps.map((gap) => `  could not read ${describeGap(gap)}\n`).join('') +
          `Grant list on these resources to the kubeconfig's user (or narrow the scope with -n) and run again, ${PARTIAL_HINT}.\n`,
      );
      return 2;
    }
    if (result.gaps.length > 0) {
      io.stderr.write(
        `meshgate analyze: reporting on part of the cluster${where} (--allow-partial); the score is incomplete:\n` + result.gaps.map((gap) => `  could not read ${describeGap(gap)}\n`).join(''),
      );
    }
    return { resources: result.resources, gaps: result.gaps, source: `cluster: ${result.contexts.join(', ')}` };
  } catch (error) {
    if (error instanceof ClusterSourceError) {
      io.stderr.write(`meshgate analyze: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

export const analyzeCommand: Command = async (argv, io) => {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(formatHelp(USAGE, 'Reports, per workload, what blocks onboarding onto the mesh, what meshgate changes on its own (the injection plan) and what must change first.', FLAGS));
    return 0;
  }
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" (files are given with -f)`);
  const namespace = stringFlag(args, 'namespace');
  if (namespace !== undefined && booleanFlag(args, 'all-namespaces')) throw new UsageError('-n and -A cannot be used together');
  const selectorText = stringFlag(args, 'selector');
  let selector: LabelSelector | undefined;
  try {
    selector = selectorText !== undefined ? parseSelectorString(selectorText) : undefined;
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw new UsageError(`-l: ${error.message}`);
    throw error;
  }
  const format = (stringFlag(args, 'output') ?? 'text') as ReportFormat;
  const rollout = booleanFlag(args, 'plan') || format === 'plan-yaml';
  if (booleanFlag(args, 'plan') && !PLAN_FORMATS.includes(format)) throw new UsageError(`--plan is written as ${PLAN_FORMATS.join(', ')}, not ${format}`);
  const failOn = stringFlag(args, 'fail-on') ?? 'error';
  const outputFile = stringFlag(args, 'output-file');

  let config: MeshgateConfig;
  let definitions: RuleDefinition[];
  try {
    config = await loadCommandConfig(args, 'analyze', io);
    definitions = await loadRuleDirectory(builtinRulesDir());
    for (const dir of stringFlags(args, 'rules')) definitions.push(...(await loadRuleDirectory(dir)));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RuleFileError) {
      io.stderr.write(`meshgate analyze: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let rules;
  try {
    const shippedRules = `${builtinRulesDir()}${sep}`;
    rules = compileRules(definitions, undefined, (definition) => definition.file.startsWith(shippedRules));
  } catch (error) {
    if (error instanceof RuleFileError) {
      io.stderr.write(`meshgate analyze: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const collected = await collect(args, io, namespace, selector);
  if (typeof collected === 'number') return collected;
  const engines = await loadEngines(io.stderr);
  const report = analyze({
    resources: collected.resources,
    rules,
    config,
    engines,
    version: packageVersion(),
    source: collected.source,
    gaps: collected.gaps,
    scope: { ...(namespace !== undefined ? { namespace } : {}), ...(selector !== undefined ? { selector } : {}) },
    rollout,
  });
  const text = renderReport(report, format, { color: useColor(io, outputFile !== undefined), showPlan: booleanFlag(args, 'show-plan'), rollout });
  if (outputFile !== undefined) {
    try {
      await writeFile(outputFile, text);
    } catch (error) {
      io.stderr.write(`meshgate analyze: cannot write ${outputFile}: ${(error as Error).message}\n`);
      return 2;
    }
    const what = rollout ? `rollout plan (${report.rollout?.steps.length ?? 0} steps)` : `${format} report`;
    io.stderr.write(`meshgate analyze: ${what} written to ${outputFile} (score ${formatScore(report.summary.score, report.summary.incomplete)}, ${report.summary.findings.error} error(s))\n`);
  } else {
    io.stdout.write(text);
  }
  return failsOn(report, failOn) ? 1 : 0;
};
