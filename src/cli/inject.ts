// `meshgate inject`: istioctl kube-inject, offline. Reads manifests, injects every pod template the
// decision allows, prints all objects in input order, Lists as Lists (or, with --explain, what changed
// and why). When a workload is rejected nothing is printed: `meshgate inject | kubectl apply -f -` must
// not deploy it, or the objects around it, without the sidecar.
import { ConfigError } from '../config/load.js';
import { CONFIG_FLAGS, loadCommandConfig } from './config-file.js';
import type { MeshgateConfig } from '../config/types.js';
import { loadObjects } from '../k8s/files.js';
import type { KubeObject, Namespace, Node, Service } from '../k8s/objects.js';
import { cloneJson } from '../k8s/objects.js';
import { isWorkloadKind } from '../k8s/workloads.js';
import { toKubernetesYaml, type SourcedDocument, type SourcedObject } from '../k8s/yaml.js';
import { injectWorkload, type WorkloadInjectResult } from '../inject/workload.js';
import type { ClusterView, Note } from '../inject/types.js';
import { describeDecidedBy } from '../inject/decided-by.js';
import { booleanFlag, formatHelp, parseArgs, stringFlag, stringFlags, UsageError, type FlagSpec } from './args.js';
import type { Command, CommandIo } from './main.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'filename', short: 'f', type: 'string', repeatable: true, valueName: 'PATH', description: 'File, directory (recursive) or - for stdin; repeatable' },
  { name: 'namespace', short: 'n', type: 'string', valueName: 'NAMESPACE', description: 'Namespace of objects that name none (default "default")' },
  ...CONFIG_FLAGS,
  { name: 'explain', type: 'boolean', description: 'Print, per workload, each change and why, instead of the objects' },
  { name: 'output', short: 'o', type: 'string', valueName: 'FORMAT', choices: ['yaml', 'json'], description: 'Output format' },
  { name: 'help', short: 'h', type: 'boolean', description: 'Show this help' },
];

const USAGE = 'meshgate inject -f PATH|- [-f ...] [-n NAMESPACE] [--config FILE] [--explain] [-o yaml|json]';
const SUMMARY =
  'Injects the Istio sidecar into every workload in the input, as istioctl kube-inject does, and prints all\n' +
  'objects in input order (a List stays a List). Services, Namespaces and Nodes in the input are used as the\n' +
  'cluster view (pods behind headless Services, native sidecar support).\n' +
  'When a workload is rejected (an invalid annotation), or the input cannot be read (invalid YAML, a key\n' +
  'given twice in one mapping), nothing is printed and each problem is named on stderr with file and line.\n' +
  'Exit status: 0 success, 1 a workload was rejected, 2 unreadable input or usage.';

interface Outcome {
  readonly source: SourcedObject;
  /** The object to print (injected, or unchanged). */
  readonly object: KubeObject;
  readonly result: WorkloadInjectResult | undefined;
}

function withNamespace<T extends KubeObject>(object: T, namespace: string): T {
  if (object.metadata?.namespace) return object;
  const copy = cloneJson(object);
  copy.metadata = { ...(copy.metadata ?? {}), namespace };
  return copy;
}

/** Services (namespaced), Namespaces and Nodes found in the input. */
export function clusterViewFrom(objects: readonly SourcedObject[], namespace: string): ClusterView {
  const services: Service[] = [];
  const namespaces: Namespace[] = [];
  const nodes: Node[] = [];
  for (const { object } of objects) {
    if (object.apiVersion !== 'v1' && object.apiVersion !== undefined) continue;
    if (object.kind === 'Service') services.push(withNamespace(object, namespace) as unknown as Service);
    else if (object.kind === 'Namespace') namespaces.push(object as unknown as Namespace);
    else if (object.kind === 'Node') nodes.push(object as unknown as Node);
  }
  return { services, namespaces, nodes };
}

function describe(source: SourcedObject, namespace: string): string {
  const object = source.object;
  const ns = object.metadata?.namespace || namespace;
  return `${object.kind ?? '<no kind>'} ${ns}/${object.metadata?.name ?? object.metadata?.generateName ?? '<unnamed>'}`;
}

function where(source: SourcedObject): string {
  return `${source.file}:${source.line}`;
}

/** A document as printed: the object injected (or unchanged), a List with its items in place. */
function printedDocument(document: SourcedDocument, outcomes: ReadonlyMap<SourcedObject, Outcome>): KubeObject {
  if (document.type === 'object') return outcomes.get(document.entry)!.object;
  return { ...document.list, items: document.items.map((item) => printedDocument(item, outcomes)) } as KubeObject;
}

function printDocuments(documents: readonly SourcedDocument[], outcomes: ReadonlyMap<SourcedObject, Outcome>, format: 'yaml' | 'json', io: CommandIo): void {
  const printed = documents.map((document) => printedDocument(document, outcomes));
  if (format === 'json') {
    // One JSON value: the document itself, or a List of them (kubectl flattens Lists held in a List).
    const value = printed.length === 1 ? printed[0] : { apiVersion: 'v1', kind: 'List', items: printed };
    io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  io.stdout.write(printed.map((object) => toKubernetesYaml(object)).join('---\n'));
}

function explainText(outcomes: readonly Outcome[], namespace: string): string {
  const blocks: string[] = [];
  for (const outcome of outcomes) {
    const result = outcome.result;
    if (!result) continue;
    const header = `${describe(outcome.source, namespace)} (${where(outcome.source)})`;
    const lines: string[] = [];
    if (result.action === 'inject') lines.push(`${header}: injected`);
    else if (result.action === 'skip') {
      lines.push(`${header}: not injected: ${result.reason}`);
      if (result.decidedBy) lines.push(`  decided by: ${describeDecidedBy(result.decidedBy)}`);
    } else lines.push(`${header}: REJECTED: ${result.message}`);
    const notes: readonly Note[] = result.action === 'skip' ? [] : result.notes;
    for (const n of notes) {
      lines.push(`  ${n.severity === 'warning' ? '! ' : '- '}${n.change}`);
      lines.push(`      why: ${n.reason}`);
      if (n.decidedBy) lines.push(`      decided by: ${describeDecidedBy(n.decidedBy)}`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.length === 0 ? 'No workloads in the input.\n' : `${blocks.join('\n\n')}\n`;
}

function explainJson(outcomes: readonly Outcome[], namespace: string): string {
  const workloads = outcomes
    .filter((o) => o.result !== undefined)
    .map((o) => {
      const result = o.result!;
      return {
        kind: o.source.object.kind,
        namespace: o.source.object.metadata?.namespace || namespace,
        name: o.source.object.metadata?.name ?? null,
        file: o.source.file,
        line: o.source.line,
        action: result.action,
        ...(result.action === 'skip' ? { reason: result.reason, decidedBy: result.decidedBy ?? null } : {}),
        ...(result.action === 'reject' ? { message: result.message, annotation: result.annotation ?? null } : {}),
        changes: result.notes.map((n) => ({ change: n.change, reason: n.reason, severity: n.severity, ...(n.decidedBy ? { decidedBy: n.decidedBy } : {}) })),
      };
    });
  return `${JSON.stringify({ workloads }, null, 2)}\n`;
}

export const injectCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, FLAGS);
  if (booleanFlag(args, 'help')) {
    io.stdout.write(formatHelp(USAGE, SUMMARY, FLAGS.filter((f) => f.name !== 'help')));
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" (input files go after -f)`);
  const paths = stringFlags(args, 'filename');
  if (paths.length === 0) throw new UsageError('missing -f PATH (a file, a directory, or - for stdin)');
  const namespace = stringFlag(args, 'namespace') ?? 'default';
  const format = (stringFlag(args, 'output') ?? 'yaml') as 'yaml' | 'json';
  const explain = booleanFlag(args, 'explain');

  let config: MeshgateConfig;
  try {
    config = await loadCommandConfig(args, 'inject', io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`meshgate inject: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const input = await loadObjects(paths, io.stdin);
  if (input.errors.length > 0) {
    for (const error of input.errors) io.stderr.write(`meshgate inject: ${error.message}\n`);
    return 2;
  }

  const cluster = clusterViewFrom(input.objects, namespace);
  const outcomes: Outcome[] = input.objects.map((source) => {
    if (!isWorkloadKind(source.object.kind)) return { source, object: source.object, result: undefined };
    const result = injectWorkload({ object: source.object, namespace, config, cluster });
    return { source, object: result.action === 'inject' ? result.object : source.object, result };
  });

  let rejected = 0;
  for (const outcome of outcomes) {
    const result = outcome.result;
    if (result?.action === 'reject') {
      rejected++;
      io.stderr.write(`meshgate inject: ${where(outcome.source)}: ${describe(outcome.source, namespace)} rejected: ${result.message}\n`);
    } else if (result?.action === 'skip' && !explain) {
      io.stderr.write(`meshgate inject: ${where(outcome.source)}: ${describe(outcome.source, namespace)} not injected: ${result.reason}\n`);
    }
  }

  if (explain) {
    io.stdout.write(format === 'json' ? explainJson(outcomes, namespace) : explainText(outcomes, namespace));
  } else if (rejected > 0) {
    // All or nothing, as for unreadable input: printing the rest would let a pipe into kubectl apply
    // deploy part of an application, and an empty input makes kubectl apply fail too.
    io.stderr.write(`meshgate inject: ${rejected} workload${rejected === 1 ? '' : 's'} rejected, so no objects are printed\n`);
  } else {
    printDocuments(input.documents, new Map(outcomes.map((outcome) => [outcome.source, outcome])), format, io);
  }
  return rejected > 0 ? 1 : 0;
};
