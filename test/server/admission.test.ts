import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAdmissionReview, encodeAdmissionResponse, serializeAdmissionResponse, type AdmissionDecision } from '../../src/server/admission.js';

const request = {
  uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
  kind: { group: '', version: 'v1', kind: 'Pod' },
  resource: { group: '', version: 'v1', resource: 'pods' },
  namespace: 'shop',
  operation: 'CREATE',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-' }, spec: { containers: [] } },
};

describe('AdmissionReview codec', () => {
  it('decodes v1 and v1beta1 requests, defaulting what may be absent', () => {
    for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
      const decoded = decodeAdmissionReview({ apiVersion, kind: 'AdmissionReview', request });
      assert.ok(decoded.ok);
      assert.equal(decoded.review.apiVersion, apiVersion);
      assert.equal(decoded.review.request.uid, request.uid);
      assert.equal(decoded.review.request.subResource, '');
      assert.equal(decoded.review.request.name, '');
      assert.equal(decoded.review.request.dryRun, false);
      assert.equal(decoded.review.request.oldObject, null);
      assert.deepEqual(decoded.review.request.resource, request.resource);
    }
  });

  it('names the field that is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not a JSON object/],
      [[], /not a JSON object/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'Pod' }, /^kind: expected "AdmissionReview", got "Pod"/],
      [{ apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request }, /^apiVersion: expected one of admission\.k8s\.io\/v1, admission\.k8s\.io\/v1beta1/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /^request: missing/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { ...request, uid: 7 } }, /^request\.uid/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { ...request, operation: undefined } }, /^request\.operation/],
    ];
    for (const [body, reason] of cases) {
      const decoded = decodeAdmissionReview(body);
      assert.equal(decoded.ok, false);
      assert.match((decoded as { reason: string }).reason, reason);
    }
  });

  it('encodes an allowed answer with a base64 JSONPatch in the version asked', () => {
    const patch = [{ op: 'add' as const, path: '/metadata/labels', value: { a: 'b' } }];
    const answer = encodeAdmissionResponse('admission.k8s.io/v1beta1', 'u1', { allowed: true, patch, warnings: ['w'] });
    assert.equal(answer['apiVersion'], 'admission.k8s.io/v1beta1');
    assert.equal(answer['kind'], 'AdmissionReview');
    const response = answer['response'] as Record<string, unknown>;
    assert.equal(response['uid'], 'u1');
    assert.equal(response['allowed'], true);
    assert.equal(response['patchType'], 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(String(response['patch']), 'base64').toString()), patch);
    assert.deepEqual(response['warnings'], ['w']);
  });

  it('the answer on the wire is exactly the encoded answer as JSON, whatever the uid and warnings say', () => {
    const patch = [{ op: 'add' as const, path: '/metadata/annotations/a', value: '"patch":"" <&> \u2028' }];
    const decisions: Array<[string, AdmissionDecision]> = [
      ['u1', { allowed: true, patch, warnings: ['"patch":""', 'w'] }],
      ['"patch":""', { allowed: true, patch }],
      ['u3', { allowed: true }],
      ['u4', { allowed: false, code: 400, message: '"patch":"" is not a port' }],
    ];
    for (const [uid, decision] of decisions) {
      const wire = serializeAdmissionResponse('admission.k8s.io/v1', uid, decision).toString('utf8');
      assert.equal(wire, JSON.stringify(encodeAdmissionResponse('admission.k8s.io/v1', uid, decision)), uid);
    }
  });

  it('leaves patch and patchType out when there is nothing to change', () => {
    const response = encodeAdmissionResponse('admission.k8s.io/v1', 'u2', { allowed: true, patch: [] })['response'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(response).sort(), ['allowed', 'uid']);
  });

  it('encodes a refusal with status code, reason and message', () => {
    const response = encodeAdmissionResponse('admission.k8s.io/v1', 'u3', { allowed: false, code: 400, message: "invalid value 'x' for annotation 'a'" })[
      'response'
    ] as Record<string, unknown>;
    assert.equal(response['allowed'], false);
    assert.deepEqual(response['status'], { code: 400, message: "invalid value 'x' for annotation 'a'", reason: 'BadRequest' });
    assert.equal(response['patch'], undefined);
  });

  it('keeps warnings to single lines, whole, within what the API server passes on whole', () => {
    // The API server cuts every warning of a request to 256 characters once they total over 4096.
    const long = `${'peer ports excluded because '.repeat(20)}declare them on the Service to keep them in the mesh`;
    const warnings = ['line one\nline two', long, ...Array.from({ length: 40 }, (_, i) => `w${i}`)];
    const response = encodeAdmissionResponse('admission.k8s.io/v1', 'u4', { allowed: true, warnings })['response'] as { warnings: string[] };
    assert.equal(response.warnings[0], 'line one line two');
    assert.equal(response.warnings[1], long, 'a long explanation keeps its remedy at the end');
    assert.equal(response.warnings.length, 33);
    assert.equal(response.warnings[32], '10 more warning(s) not shown');
  });

  it('counts the warnings that would take the request past the budget instead of cutting them', () => {
    const paragraph = 'x'.repeat(1000);
    const response = encodeAdmissionResponse('admission.k8s.io/v1', 'u5', { allowed: true, warnings: [paragraph, paragraph, paragraph, paragraph, 'short'] })['response'] as { warnings: string[] };
    assert.deepEqual(response.warnings, [paragraph, paragraph, paragraph, '2 more warning(s) not shown']);
    const total = response.warnings.reduce((sum, w) => sum + [...w].length, 0);
    assert.ok(total <= 4096, `total ${total} stays within the API server's 4096`);
  });

  it('a first warning longer than the budget is cut to it (in characters, not bytes), and says so', () => {
    const response = encodeAdmissionResponse('admission.k8s.io/v1', 'u6', { allowed: true, warnings: ['é'.repeat(5000), 'next'] })['response'] as { warnings: string[] };
    assert.equal(response.warnings.length, 2);
    assert.equal([...response.warnings[0]!].length, 3072);
    assert.ok(response.warnings[0]!.endsWith('é...'));
    assert.equal(response.warnings[1], '1 more warning(s) not shown');
  });
});
