// The validating webhook as `kubectl apply` reaches it: every validator fixture sent to the real
// `meshgate serve` as a CREATE and as an UPDATE (v1 and v1beta1), over HTTPS verified against the CA.
// Invalid resources are denied with `<Kind> <ns>/<name> is invalid:` and one `path: reason` line per
// error (kubectl prints it after `admission webhook "validation.meshgate.io" denied the request:`);
// valid ones are allowed and carry their warnings, which kubectl prints as `Warning:` lines.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { admissionReview, readAnswer } from '../helpers/admission-review.js';
import { keepAliveAgent, send } from '../helpers/https-client.js';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { documentsOf, validateFixturesDir, type FixtureDocument } from '../helpers/validate-fixtures.js';

const PLURALS: Readonly<Record<string, string>> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  Gateway: 'gateways',
  ServiceEntry: 'serviceentries',
  Sidecar: 'sidecars',
  WorkloadEntry: 'workloadentries',
  PeerAuthentication: 'peerauthentications',
  AuthorizationPolicy: 'authorizationpolicies',
  RequestAuthentication: 'requestauthentications',
  Telemetry: 'telemetries',
};

interface Fixture extends FixtureDocument {
  readonly valid: boolean;
}

function fixtures(): Fixture[] {
  const all: Fixture[] = [];
  for (const kind of readdirSync(validateFixturesDir).filter((name) => name !== 'cli' && !name.includes('.'))) {
    for (const verdict of ['valid', 'invalid'] as const) {
      const dir = join(validateFixturesDir, kind, verdict);
      for (const file of readdirSync(dir).sort()) all.push(...documentsOf(join(dir, file)).map((doc) => ({ ...doc, valid: verdict === 'valid' })));
    }
  }
  return all;
}

/** The AdmissionReview kube-apiserver sends for `kubectl apply` of this object. */
function reviewOf(object: unknown, operation: 'CREATE' | 'UPDATE', apiVersion: 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1') {
  const typed = object as { apiVersion: string; kind: string; metadata?: { namespace?: string } };
  const [group, version] = typed.apiVersion.split('/') as [string, string];
  const namespace = typed.metadata?.namespace ?? 'default';
  return admissionReview(object, {
    apiVersion,
    namespace,
    operation,
    ...(operation === 'UPDATE' ? { oldObject: object } : {}),
    kind: { group, version, kind: typed.kind },
    resource: { group, version, resource: PLURALS[typed.kind] ?? `${typed.kind.toLowerCase()}s` },
  });
}

describe('meshgate serve: /validate as kubectl apply reaches it', () => {
  let dir: string;
  let ca: string;
  let meshgate: MeshgateProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-validate-'));
    const caFile = join(dir, 'ca.crt');
    meshgate = await startMeshgate({ args: ['--no-cluster', '--self-signed', '--ca-out', caFile] });
    ca = await meshgate.readCa(caFile);
  });

  after(async () => {
    await meshgate?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('denies every invalid fixture on CREATE and UPDATE, naming each field and reason; allows every valid one with its warnings', async () => {
    const agent = keepAliveAgent(ca, 4);
    const all = fixtures();
    assert.ok(all.filter((f) => !f.valid).length >= 80, `only ${all.length} fixture documents found`);
    const failures: string[] = [];
    let index = 0;
    for (const fixture of all) {
      for (const operation of ['CREATE', 'UPDATE'] as const) {
        const apiVersion = index++ % 2 === 0 ? 'admission.k8s.io/v1' : 'admission.k8s.io/v1beta1';
        const review = reviewOf(fixture.object, operation, apiVersion);
        const answer = readAnswer((await send({ url: `${meshgate.url}/validate`, body: review, ca, agent })).json, review);
        const where = `${fixture.file.slice(validateFixturesDir.length + 1)} ${fixture.name} (${operation})`;
        if (fixture.valid) {
          if (!answer.allowed) failures.push(`${where}: denied: ${answer.status?.message}`);
          for (const warn of fixture.warns) {
            if (!answer.warnings.some((w) => w.startsWith(`${warn.path}: `) && w.includes(warn.fragment))) failures.push(`${where}: missing warning ${warn.path}: ${warn.fragment} in ${JSON.stringify(answer.warnings)}`);
          }
          continue;
        }
        const message = answer.status?.message ?? '';
        const kind = (fixture.object as { kind: string }).kind;
        if (answer.allowed) failures.push(`${where}: allowed`);
        else if (!new RegExp(`^${kind} (\\S+/)?\\S+ is invalid:\\n`).test(message)) failures.push(`${where}: denial does not start with "${kind} <ns>/<name> is invalid:": ${message}`);
        else if (answer.status?.code === 500) failures.push(`${where}: internal error`);
        for (const expected of fixture.expects) {
          const lines = message.split('\n').slice(1);
          if (!lines.some((line) => line.startsWith(`${expected.path}: `) && line.includes(expected.fragment))) failures.push(`${where}: missing line ${expected.path}: ${expected.fragment} in ${JSON.stringify(message)}`);
        }
      }
    }
    agent.destroy();
    assert.deepEqual(failures, []);
  });
});
