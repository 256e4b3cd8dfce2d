// Istio's own validation dataset and every Istio resource in the shared corpus of real manifests:
// the `*-invalid.yaml` documents must be rejected, everything else accepted (precision matters as
// much as recall: no valid real-world resource may be denied).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { loadObjects } from '../../src/k8s/files.js';
import type { SourcedObject } from '../../src/k8s/yaml.js';
import { isMeshKind, validateResource } from '../../src/validate/index.js';
import { corpusDir, corpusSkip } from '../helpers/paths.js';

const validationDir = join(corpusDir, 'istio-validation');

function withoutExpectation(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  delete copy['_err'];
  return copy;
}

function label(entry: SourcedObject): string {
  return `${relative(corpusDir, entry.file)}:${entry.line} ${entry.object.kind} ${entry.object.metadata?.name ?? ''}`;
}

function issues(result: ReturnType<typeof validateResource>): string {
  return (result?.errors ?? []).map((found) => `${found.path}: ${found.message}`).join('; ');
}

describe('Istio validation dataset (corpus istio-validation)', { skip: corpusSkip }, async () => {
  const files = corpusSkip ? [] : readdirSync(validationDir).filter((file) => file.endsWith('.yaml')).sort();
  const invalidFiles = files.filter((file) => file.endsWith('-invalid.yaml'));
  const validFiles = files.filter((file) => file.endsWith('-valid.yaml'));
  const invalid = corpusSkip ? { objects: [], errors: [] } : await loadObjects(invalidFiles.map((file) => join(validationDir, file)));
  const valid = corpusSkip ? { objects: [], errors: [] } : await loadObjects(validFiles.map((file) => join(validationDir, file)));

  it('reads every document', () => {
    assert.deepEqual([...invalid.errors, ...valid.errors].map((error) => error.message), []);
    assert.ok(invalid.objects.length >= 20, `only ${invalid.objects.length} invalid documents`);
    assert.ok(valid.objects.length >= 10, `only ${valid.objects.length} valid documents`);
  });

  for (const entry of invalid.objects) {
    it(`rejects ${label(entry)} (Istio: ${String(entry.object['_err'])})`, () => {
      const result = validateResource(withoutExpectation(entry.object));
      assert.ok(result, 'not recognised as a mesh kind');
      assert.equal(result.valid, false, 'accepted a document Istio rejects');
      assert.ok(result.errors.every((found) => found.path !== '' && found.message !== ''));
    });
  }

  for (const entry of valid.objects) {
    it(`accepts ${label(entry)}`, () => {
      const result = validateResource(entry.object);
      assert.ok(result, 'not recognised as a mesh kind');
      assert.equal(result.valid, true, issues(result));
    });
  }
});

/**
 * Resources elsewhere in the corpus that istiod itself refuses (its /validate answer, seen beside the
 * peer: docs/compatibility.md). Istio's analyzer test inputs are not all valid configuration.
 */
const ISTIO_REFUSES: ReadonlyArray<{ file: string; kind: string; name: string; istiod: string; ours: RegExp }> = [
  {
    file: 'istio-analyzers/authorizationpolicies.yaml',
    kind: 'ServiceEntry',
    name: 'istio',
    istiod: 'hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS, domain name "*.kiali.io" invalid',
    ours: /hosts must be FQDN if no endpoints are provided for resolution mode DNS; a wildcard host resolves nothing/,
  },
];

function refusedByIstio(entry: SourcedObject): (typeof ISTIO_REFUSES)[number] | undefined {
  return ISTIO_REFUSES.find((known) => relative(corpusDir, entry.file) === known.file && entry.object.kind === known.kind && entry.object.metadata?.name === known.name);
}

describe('Istio resources elsewhere in the corpus', { skip: corpusSkip }, async () => {
  const others = corpusSkip
    ? []
    : readdirSync(corpusDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== 'istio-validation')
        .map((entry) => join(corpusDir, entry.name));
  const input = corpusSkip ? { objects: [], errors: [] } : await loadObjects(others);
  const meshObjects = input.objects.filter((entry) => isMeshKind(entry.object.apiVersion, entry.object.kind));

  it('finds the Istio resources, and every one istiod refuses', () => {
    assert.ok(meshObjects.length >= 10, `only ${meshObjects.length} mesh resources found`);
    assert.equal(meshObjects.filter((entry) => refusedByIstio(entry)).length, ISTIO_REFUSES.length);
  });

  for (const entry of meshObjects) {
    const refused = refusedByIstio(entry);
    if (refused) {
      it(`rejects ${label(entry)}, as istiod does (${refused.istiod})`, () => {
        const result = validateResource(entry.object);
        assert.equal(result?.valid, false);
        assert.match(issues(result), refused.ours);
      });
    } else {
      it(`accepts ${label(entry)}`, () => {
        const result = validateResource(entry.object);
        assert.ok(result);
        assert.equal(result.valid, true, issues(result));
      });
    }
  }
});
