// Differential validation: every Istio resource of the shared corpus and of our fixtures, plus damaged
// copies of the valid ones (test/cluster/peer/mutations.ts), sent as the same AdmissionReview to
// istiod's /validate and to meshgate's (`meshgate serve` over HTTPS). Each is also created in a
// server-side dry run on the API server with Istio's CRDs and no webhook registered: what a cluster
// refuses before any validating webhook is called. Istio's decision is the API server's and then
// istiod's; meshgate's /validate checks both layers in one (so that `meshgate validate` can on files).
// Agreement must be at least 99%, and every disagreement with istiod must be a known difference that
// docs/compatibility.md explains. Runs when ISTIOD_BIN and ISTIOCTL_BIN are set.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMeshKind } from '../../../src/validate/index.js';
import { keepAliveAgent } from '../../helpers/https-client.js';
import { repoRoot } from '../../helpers/paths.js';
import { peerSkip, peerVersion } from '../harness/peer-binaries.js';
import { startPeer, type PeerSetup } from '../harness/peer.js';
import { explain, KNOWN_DIFFERENCES, type JudgedCase } from '../peer/known-differences.js';
import { mutate } from '../peer/mutations.js';
import { collectCases, type Json, type ValidationCase } from '../peer/validation-cases.js';
import { askApiServer, askIstioctl, askWebhook, inParallel, resourceNamesOf, reviewFor } from '../peer/verdicts.js';

const skip = peerSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

const say = (line: string): void => void process.stdout.write(`# ${line}\n`);
const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(2)}%`;

function namespaceOf(object: Json): string {
  return String((object['metadata'] as Json)['namespace']);
}

/** Kinds meshgate's validator checks (others pass its webhook unchecked: a known difference). */
function validated(one: JudgedCase): boolean {
  return isMeshKind(String(one.object['apiVersion']), String(one.object['kind']));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ');
}

describe('differential validation: istiod /validate and meshgate /validate', { skip, timeout: 900_000 }, () => {
  let peer: PeerSetup;
  let judged: JudgedCase[] = [];
  let unreadable: string[] = [];
  let corpusPresent = false;

  before(async () => {
    peer = await startPeer({ log: say });
    const version = await peerVersion(peer.binaries.istiod);
    say(`peer: istiod ${version.version} (${version.revision})`);
    const names = resourceNamesOf(peer.config.crds as Json[]);
    const collected = await collectCases();
    unreadable = collected.unreadable;
    corpusPresent = collected.corpusPresent;
    const istiodAgent = keepAliveAgent(peer.caPem, 8);
    const meshgateAgent = keepAliveAgent(peer.caPem, 8);
    const judge = (cases: readonly ValidationCase[]): Promise<Omit<JudgedCase, 'apiServer'>[]> =>
      inParallel(cases, 8, async (one) => {
        const review = reviewFor(one.object, names);
        const [istiod, meshgate] = await Promise.all([
          askWebhook(`${peer.istiod.url}/validate`, review, peer.caPem, istiodAgent),
          askWebhook(`${peer.meshgate!.url}/validate`, review, peer.caPem, meshgateAgent),
        ]);
        return { ...one, istiod, meshgate };
      });
    const bases = await judge(collected.cases);
    const mutants = await judge(mutate(bases.filter((one) => one.istiod.allowed)));
    istiodAgent.destroy();
    meshgateAgent.destroy();
    const all = [...bases, ...mutants];
    for (const namespace of new Set(all.map((one) => namespaceOf(one.object)))) {
      await peer.plane.kubectlOk(['create', 'namespace', namespace, '--dry-run=client', '-o', 'json']).then((json) =>
        peer.plane.kubectlOk(['apply', '--server-side', '--field-manager=meshgate-peer', '-f', '-'], { stdin: json }),
      );
    }
    judged = await inParallel(all, 8, async (one) => ({ ...one, apiServer: await askApiServer(peer.plane, one.object, names) }));
    const report = process.env['MESHGATE_PEER_REPORT'];
    if (report) {
      await writeFile(report, JSON.stringify(judged.filter((one) => one.istiod.allowed !== one.meshgate.allowed || one.apiServer.allowed !== one.meshgate.allowed), null, 2));
      say(`disagreements written to ${report}`);
    }
  });

  after(async () => {
    await peer?.stop();
  });

  it('compares every Istio resource of the corpus and our fixtures, and mutants of the valid ones', () => {
    const bases = judged.filter((one) => one.origin !== 'mutant');
    const mutants = judged.filter((one) => one.origin === 'mutant');
    say(`compared ${judged.length}: ${countBy(bases, (one) => one.origin)}, mutant ${mutants.length}`);
    say(`kinds: ${countBy(judged, (one) => String(one.object['kind']))}`);
    say(`mutations: ${countBy(mutants, (one) => one.mutation!.kind)}`);
    if (unreadable.length > 0) say(`not compared (do not parse, on purpose): ${unreadable.join('; ')}`);
    if (corpusPresent) assert.ok(bases.filter((one) => one.origin === 'corpus').length >= 50, 'the corpus holds Istio resources');
    assert.ok(bases.filter((one) => one.origin === 'fixture').length >= 100, 'the fixtures hold Istio resources');
    assert.ok(mutants.length >= 1000, `only ${mutants.length} mutants`);
  });

  it('agrees with Istio on allow/deny for at least 99%', () => {
    const withIstiod = judged.filter((one) => one.istiod.allowed === one.meshgate.allowed).length;
    const withChain = judged.filter((one) => (one.apiServer.allowed && one.istiod.allowed) === one.meshgate.allowed).length;
    say(`meshgate /validate vs istiod /validate: ${withIstiod}/${judged.length} agree (${percent(withIstiod, judged.length)})`);
    say(`meshgate /validate vs Istio's admission (API server with Istio's CRDs, then istiod): ${withChain}/${judged.length} agree (${percent(withChain, judged.length)})`);
    for (const difference of KNOWN_DIFFERENCES) {
      const count = judged.filter((one) => one.istiod.allowed !== one.meshgate.allowed && explain(one) === difference).length;
      say(`known difference "${difference.heading}": ${count}`);
    }
    assert.ok(withChain / judged.length >= 0.99, `agreement ${percent(withChain, judged.length)} is below 99%`);
  });

  it('disagrees with istiod only where docs/compatibility.md says why', () => {
    const unexplained = judged.filter((one) => one.istiod.allowed !== one.meshgate.allowed && !explain(one));
    const shown = unexplained.slice(0, 40).map(
      (one) => `${one.id}\n    istiod: ${one.istiod.allowed ? 'allowed' : `denied: ${one.istiod.message}`}\n    meshgate: ${one.meshgate.allowed ? 'allowed' : `denied: ${one.meshgate.message}`}\n    API server: ${one.apiServer.allowed ? 'allowed' : one.apiServer.message}`,
    );
    assert.equal(unexplained.length, 0, `${unexplained.length} disagreement(s) neither fixed nor documented:\n${shown.join('\n')}`);
  });

  it('refuses what the API server refuses, where istiod is never asked (kinds meshgate validates)', () => {
    const missed = judged.filter((one) => validated(one) && !one.apiServer.allowed && one.meshgate.allowed && one.istiod.allowed);
    assert.deepEqual(missed.map((one) => `${one.id}: ${one.apiServer.message}`), []);
  });

  it('explains every known difference in docs/compatibility.md', async () => {
    const document = await readFile(join(repoRoot, 'docs', 'compatibility.md'), 'utf8');
    for (const difference of KNOWN_DIFFERENCES) assert.ok(document.includes(`### ${difference.heading}\n`), `docs/compatibility.md has no section "### ${difference.heading}"`);
  });

  it('refuses unknown fields inside spec as istioctl validate and the API server do (istiod\'s /validate allows them)', async () => {
    const unknown = judged.filter((one) => validated(one) && one.mutation?.kind === 'unknown-field' && one.mutation.path.startsWith('spec'));
    assert.ok(unknown.length > 0);
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-istioctl-'));
    try {
      const istioctl = await inParallel(unknown, 2, (one, index) => askIstioctl(peer.binaries.istioctl, one.object, dir, index));
      const istiodAllowed = unknown.filter((one) => one.istiod.allowed).length;
      say(`unknown fields inside spec (${unknown.length}): istiod /validate allowed ${istiodAllowed}, istioctl validate refused ${istioctl.filter((v) => !v.allowed).length}, API server refused ${unknown.filter((one) => !one.apiServer.allowed).length}, meshgate refused ${unknown.filter((one) => !one.meshgate.allowed).length}`);
      // A `bogusField` added to a map (labels, headers, ports by name) is an entry, not a field: all accept it.
      const differ = unknown
        .map((one, index) => ({ one, ctl: istioctl[index]! }))
        .filter(({ one, ctl }) => one.meshgate.allowed !== ctl.allowed || one.meshgate.allowed !== one.apiServer.allowed)
        .map(({ one, ctl }) => `${one.id}: meshgate ${one.meshgate.allowed}, istioctl ${ctl.allowed} ${ctl.message}, API server ${one.apiServer.allowed}`);
      assert.deepEqual(differ, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
