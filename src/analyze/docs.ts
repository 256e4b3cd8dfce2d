// Generates docs/rules.md from rules/*.yaml. Run: node --import tsx src/analyze/docs.ts
// (a test checks the committed file is up to date).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleDefinition } from './engine/rule.js';
import { packageRoot } from '../config/package.js';
import { builtinRulesDir, loadRuleDirectory } from './sources/rules.js';

const HEADER = `# meshgate analyze: rules

Generated from \`rules/*.yaml\` by \`node --import tsx src/analyze/docs.ts\`; do not edit by hand.

\`meshgate analyze\` asks meshgate's injector for the injection plan of each workload (Pod, Deployment,
StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), as the webhook would make it,
then runs every rule below over the objects it reads (files or a live cluster); the rules about life in
the mesh read the same plans. A namespace without an injection label is planned as if it were enrolled
(its \`namespace-not-enrolled\` finding and the plans say so). Pods owned by a workload are reported
once, under it.

## Workload status

| Status | Meaning |
|---|---|
| \`skipped\` | The injector would not inject the workload: host network, \`sidecar.istio.io/inject: "false"\`, a namespace labelled \`istio-injection\` other than \`enabled\` or selecting another revision, an ambient namespace, a namespace Istio never injects (kube-system, kube-public, kube-node-lease, local-path-storage), \`injection.neverInjectSelector\`, or \`injection.policy: disabled\` without an opt-in. |
| \`blocked\` | An error finding names the workload or applies to it (a Namespace label, a NetworkPolicy, a quota that affects it), or the injector would reject the pod. |
| \`ready-with-changes\` | Warnings only, or meshgate's injection adapts the pod beyond the standard sidecar (a warning in its plan). |
| \`ready\` | Nothing above: only information findings, if any. |

## Readiness score

Per namespace and overall: \`score = round(100 x (ready + 0.5 x readyWithChanges) / (workloads - skipped))\`,
and no score (\`n/a\`, \`null\` in JSON) when every workload is skipped: there is nothing to onboard, which is
not the same as ready. A blocked workload counts 0, one that meshgate adapts or that has warnings counts
half: it will run in the mesh, but someone should look at it.

## Reading the report

The text, markdown and HTML reports open with the summary and the findings grouped by rule, most urgent
first: errors, then warnings, then information, and within each the rules that touch the most workloads.
The details follow by namespace (text) or as a workload table with the workloads that need attention
first (HTML: blocked, then ready with changes, ready, skipped; then by their most severe findings). The
text report lists each workload's injection plan only with \`--show-plan\`; the other formats always
carry it.

## Rule files

One YAML file per rule: \`id\` (the file name), \`severity\` (\`error\`, \`warning\`, \`info\`), \`title\`,
\`message\` and \`remediation\` (\`{{name}}\` placeholders are filled by the rule), \`docs\` (URL),
\`targetKinds\` (\`Workload\` means every kind with a pod template), optional \`istioCode\` (the
\`istioctl analyze\` code), and exactly one of:

- \`check: <name>\`: a rule written in code, \`src/analyze/rules/<name>.ts\` (for rules that join objects);
- \`match:\` a JSON Schema compiled by ajv: \`on\` (\`object\`, the default, or \`podSpec\`: a workload's pod
  spec, so one schema covers Pods, Deployments and CronJobs), \`when\` (\`matches\`: the finding fires when
  the target is valid against the schema; \`fails\`: when it is not), \`path\` (the field reported) and \`schema\`.

\`--rules DIR\` adds a team's own rule files (same format; \`check:\` may name only built-in rules in code).

## Suppressing findings

On the object a finding names (for workloads also on the pod template):
\`meshgate.io/ignore: "<rule>,<rule>"\` (or \`"*"\`), or Istio's \`galley.istio.io/analyze-suppress: "IST0102,IST0107"\`
(or \`"*"\`), which suppresses findings by their Istio code.
`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

export function renderRulesDoc(rules: readonly RuleDefinition[]): string {
  const sorted = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  const out = [HEADER, '## Summary', '', '| Rule | Severity | Istio code | Targets | Title |', '|---|---|---|---|---|'];
  for (const rule of sorted) {
    out.push(`| [\`${rule.id}\`](#${rule.id}) | ${rule.severity} | ${rule.istioCode ?? ''} | ${rule.targetKinds.join(', ')} | ${cell(rule.title)} |`);
  }
  out.push('');
  for (const rule of sorted) {
    out.push(`## ${rule.id}`, '');
    out.push(`**${cell(rule.title)}** (${rule.severity}${rule.istioCode ? `, \`istioctl analyze\` ${rule.istioCode}` : ''}; targets: ${rule.targetKinds.join(', ')})`, '');
    out.push(cell(rule.message), '');
    out.push(`Remediation: ${cell(rule.remediation)}`, '');
    if (rule.match) {
      out.push(`Declarative: fires when the ${rule.match.on === 'podSpec' ? "workload's pod spec" : 'object'} ${rule.match.when === 'matches' ? 'matches' : 'does not match'} the JSON Schema in \`rules/${rule.id}.yaml\` (field \`${rule.match.path}\`).`, '');
    } else {
      out.push(`Implemented in \`src/analyze/rules/${rule.check}.ts\`.`, '');
    }
    out.push(`Docs: <${rule.docs}>`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export async function rulesDocFromRepository(): Promise<string> {
  return renderRulesDoc(await loadRuleDirectory(builtinRulesDir()));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = join(packageRoot(), 'docs', 'rules.md');
  await writeFile(target, await rulesDocFromRepository());
  process.stdout.write(`wrote ${target}\n`);
}
