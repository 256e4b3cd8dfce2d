// Differential injection: the pod of every workload of the shared corpus and of our fixtures, plus
// seeded variations of each (test/cluster/peer/pod-variations.ts), sent as the same AdmissionReview to
// istiod's /inject and meshgate's /mutate (`meshgate serve` over HTTPS, configured with
// --istio-values and --mesh-config from the very ConfigMaps istiod reads). Each answer's patch is
// applied to the pod and the two pods are compared by meaning (test/cluster/peer/injection-compare.ts
// lists every normalisation). The suite prints "N identical / M compared", writes the differences
// grouped by field path to a file whose path it prints, and fails on any difference that
// test/cluster/peer/injection-differences.ts does not explain by a row of docs/compatibility.md.
// Runs when ISTIOD_BIN and ISTIOCTL_BIN are set.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readConfigInputs, resolveInputs } from '../../../src/cli/config-file.js';
import { keepAliveAgent } from '../../helpers/https-client.js';
import { knownDifferenceNames } from '../../inject/compatibility-doc.js';
import { peerSkip, peerVersion } from '../harness/peer-binaries.js';
import { startPeer, type PeerSetup } from '../harness/peer.js';
import { collectPods, type InjectionCase } from '../peer/injection-cases.js';
import { apiServerAccepts, askInjector, comparePods, engineNotes, groupKey, podReview, type ComparedPod } from '../peer/injection-compare.js';
import { DOCUMENTED_DIFFERENCES, explainDifference } from '../peer/injection-differences.js';
import { variations } from '../peer/pod-variations.js';
import { inParallel } from '../peer/verdicts.js';

const skip = peerSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

const say = (line: string): void => void process.stdout.write(`# ${line}\n`);
const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(2)}%`;

/** Generated variations per base pod: with the corpus and fixtures, several hundred pods in all. */
const VARIATIONS_PER_POD = 4;

function countBy<T>(items: readonly T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ');
}

/** The differences grouped by field path (list positions generic), biggest group first, with examples. */
function groupedReport(compared: readonly ComparedPod[]): string {
  const groups = new Map<string, { pods: Set<string>; explained: string | undefined; examples: string[] }>();
  for (const pod of compared) {
    for (const difference of pod.differences) {
      const explained = explainDifference(difference, pod)?.row;
      const key = `${groupKey(difference.path)}${explained ? `  [documented: ${explained}]` : '  [NOT DOCUMENTED]'}`;
      const group = groups.get(key) ?? { pods: new Set<string>(), explained, examples: [] };
      group.pods.add(pod.case.id);
      if (group.examples.length < 3) group.examples.push(`${pod.case.id}\n      meshgate: ${difference.meshgate.slice(0, 400)}\n      istiod:   ${difference.istiod.slice(0, 400)}`);
      groups.set(key, group);
    }
  }
  return [...groups]
    .sort((a, b) => b[1].pods.size - a[1].pods.size)
    .map(([key, group]) => `${key}: ${group.pods.size} pod(s)\n${group.examples.map((e) => `    ${e}`).join('\n')}`)
    .join('\n');
}

describe('differential injection: istiod /inject and meshgate /mutate', { skip, timeout: 900_000 }, () => {
  let peer: PeerSetup;
  let compared: ComparedPod[] = [];
  let unreadable: string[] = [];
  let corpusPresent = false;
  let reportFile = '';
  /** For each pod both inject differently: whether the API server accepts istiod's pod and meshgate's. */
  let admitted: { pod: ComparedPod; istiod: { accepted: boolean; message: string }; meshgate: { accepted: boolean; message: string } }[] = [];

  before(async () => {
    const started = Date.now();
    // meshgate reads the two ConfigMaps istiod reads, as the rendered installation writes them.
    peer = await startPeer({ log: say, meshgate: { istioConfig: true } });
    const version = await peerVersion(peer.binaries.istiod);
    say(`peer: istiod ${version.version} (${version.revision})`);
    const collected = await collectPods();
    unreadable = collected.unreadable;
    corpusPresent = collected.corpusPresent;
    const cases: InjectionCase[] = [...collected.cases, ...variations(collected.cases, VARIATIONS_PER_POD)];
    // istiod reads the pod's Namespace from the API server (its labels can name the network).
    for (const namespace of new Set(cases.map((one) => one.namespace))) {
      const json = await peer.plane.kubectlOk(['create', 'namespace', namespace, '--dry-run=client', '-o', 'json']);
      await peer.plane.kubectlOk(['apply', '--server-side', '--field-manager=meshgate-peer', '-f', '-'], { stdin: json });
    }
    const istiodAgent = keepAliveAgent(peer.caPem, 4);
    const meshgateAgent = keepAliveAgent(peer.caPem, 4);
    try {
      compared = await inParallel(cases, 4, async (one) => {
        const review = podReview(one);
        const [istiod, meshgate] = await Promise.all([
          askInjector(`${peer.istiod.url}/inject`, one, review, peer.caPem, istiodAgent),
          askInjector(`${peer.meshgate!.url}/mutate`, one, review, peer.caPem, meshgateAgent),
        ]);
        return comparePods(one, istiod, meshgate);
      });
    } finally {
      istiodAgent.destroy();
      meshgateAgent.destroy();
    }
    // meshgate's account of each pod that differs, from its engine with the configuration serve was given.
    const config = resolveInputs(await readConfigInputs(peer.meshgateIstioFiles!)).config;
    compared = compared.map((pod) => (pod.differences.length > 0 ? { ...pod, notes: engineNotes(config, pod.case) } : pod));
    // Where both injected and the pods differ, would the API server store each? (A dry run, no webhook.)
    admitted = await inParallel(
      compared.filter((pod) => pod.differences.length > 0 && pod.istiod.kind === 'patched' && pod.meshgate.kind === 'patched'),
      4,
      async (pod) => ({
        pod,
        istiod: await apiServerAccepts(peer.plane, (pod.istiod as { pod: Record<string, unknown> }).pod, pod.case.namespace),
        meshgate: await apiServerAccepts(peer.plane, (pod.meshgate as { pod: Record<string, unknown> }).pod, pod.case.namespace),
      }),
    );
    const verdictOf = (pod: ComparedPod): string => {
      const found = admitted.find((one) => one.pod === pod);
      return found ? `\n    API server (dry run): istiod's pod ${found.istiod.accepted ? 'accepted' : `refused (${found.istiod.message})`}, meshgate's ${found.meshgate.accepted ? 'accepted' : `refused (${found.meshgate.message})`}` : '';
    };
    const reportDir = await mkdtemp(join(tmpdir(), 'meshgate-peer-injection-'));
    reportFile = join(reportDir, 'differences.txt');
    // Each pod that differs in full (sent, istiod's, meshgate's, meshgate's notes), to read a difference whole.
    await mkdir(join(reportDir, 'pods'));
    let n = 0;
    for (const pod of compared.filter((one) => one.differences.length > 0)) {
      await writeFile(join(reportDir, 'pods', `${String(++n).padStart(4, '0')}.json`), JSON.stringify({ id: pod.case.id, namespace: pod.case.namespace, sent: podReview(pod.case).request['object'], istiod: pod.istiod, meshgate: pod.meshgate, notes: pod.notes, differences: pod.differences }, null, 2));
    }
    const identical = compared.filter((pod) => pod.differences.length === 0).length;
    const perPod = compared
      .filter((pod) => pod.differences.length > 0)
      .map((pod) => `${pod.case.id} (namespace ${pod.case.namespace})${verdictOf(pod)}\n${pod.differences.map((d) => `    ${d.path}${explainDifference(d, pod) ? '' : ' [NOT DOCUMENTED]'}\n      meshgate: ${d.meshgate}\n      istiod:   ${d.istiod}`).join('\n')}`);
    await writeFile(reportFile, `${identical} identical / ${compared.length} compared (istiod ${version.version} ${version.revision})\n\nBy field path:\n${groupedReport(compared)}\n\nBy pod:\n${perPod.join('\n')}\n`);
    say(`compared in ${((Date.now() - started) / 1000).toFixed(0)}s; differences grouped by field path written to ${reportFile}`);
  });

  after(async () => {
    await peer?.stop();
  });

  it('compares the pods of every workload of the corpus and our fixtures, and variations of them', () => {
    const bases = compared.filter((pod) => pod.case.origin !== 'generated');
    say(`compared ${compared.length} pods: ${countBy(compared, (pod) => pod.case.origin)}`);
    say(`workload kinds: ${countBy(compared, (pod) => pod.case.kind)}`);
    say(`namespaces: ${countBy(compared, (pod) => pod.case.namespace)}`);
    say(`istiod: ${countBy(compared, (pod) => pod.istiod.kind)}; meshgate: ${countBy(compared, (pod) => pod.meshgate.kind)}`);
    if (unreadable.length > 0) say(`not compared (do not parse, on purpose): ${unreadable.length}`);
    if (corpusPresent) assert.ok(bases.filter((pod) => pod.case.origin === 'corpus').length >= 40, 'the corpus holds workloads');
    assert.ok(bases.filter((pod) => pod.case.origin === 'fixture').length >= 40, 'the fixtures hold workloads');
    assert.ok(compared.length >= 300, `only ${compared.length} pods`);
    assert.ok(compared.filter((pod) => pod.istiod.kind === 'patched').length >= compared.length / 2, 'most pods are injected by istiod');
  });

  it('prints the agreement: pods identical / pods compared', () => {
    const identical = compared.filter((pod) => pod.differences.length === 0).length;
    say(`differential injection: ${identical} identical / ${compared.length} compared (${percent(identical, compared.length)})`);
    for (const documented of DOCUMENTED_DIFFERENCES) {
      const count = compared.filter((pod) => pod.differences.some((d) => explainDifference(d, pod) === documented)).length;
      say(`  documented difference "${documented.row}": ${count} pod(s)`);
    }
    assert.ok(identical > 0);
  });

  it('differs from istiod only where docs/compatibility.md says why', () => {
    const unexplained = compared.filter((pod) => pod.differences.some((d) => !explainDifference(d, pod)));
    const shown = unexplained.slice(0, 15).map((pod) => `${pod.case.id}\n${pod.differences.filter((d) => !explainDifference(d, pod)).slice(0, 6).map((d) => `    ${d.path}: meshgate ${d.meshgate.slice(0, 200)} / istiod ${d.istiod.slice(0, 200)}`).join('\n')}`);
    assert.equal(unexplained.length, 0, `${unexplained.length} pod(s) differ in ways neither fixed nor documented (all in ${reportFile}):\n${shown.join('\n')}`);
  });

  it('gives a pod the API server accepts wherever it differs from an istiod pod the API server accepts', () => {
    const refused = admitted.filter((one) => one.istiod.accepted && !one.meshgate.accepted);
    const istiodRefused = admitted.filter((one) => !one.istiod.accepted && one.meshgate.accepted);
    say(`pods that differ, both injected: ${admitted.length}; the API server refuses istiod's and accepts meshgate's: ${istiodRefused.length}${istiodRefused.length > 0 ? ` (${istiodRefused.map((one) => `${one.pod.case.id}: ${one.istiod.message}`).join('; ')})` : ''}`);
    assert.deepEqual(refused.map((one) => `${one.pod.case.id}: ${one.meshgate.message}`), []);
  });

  it('names only rows of docs/compatibility.md\'s known differences', () => {
    const rows = knownDifferenceNames();
    for (const documented of DOCUMENTED_DIFFERENCES) assert.ok(rows.includes(documented.row), `docs/compatibility.md has no known difference "${documented.row}"`);
  });
});
