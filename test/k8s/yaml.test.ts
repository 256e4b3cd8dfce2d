// Multi-document reading with file:line origins (used by every message that names a file and line).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocuments } from '../../src/k8s/yaml.js';

describe('parseDocuments', () => {
  it('gives each object the line of its first key, across documents and comments', () => {
    const text = '# header\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n# second\nkind: Secret\nmetadata: {name: b}\n';
    const { objects, errors } = parseDocuments(text, 'in.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(objects.map((o) => [o.object.kind, o.line, o.file]), [['ConfigMap', 2, 'in.yaml'], ['Secret', 8, 'in.yaml']]);
  });

  it('expands Lists, each item with its own line', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - kind: Service\n    metadata: {name: s}\n  - kind: Pod\n    metadata: {name: p}\n';
    const { objects } = parseDocuments(text, 'l.yaml');
    assert.deepEqual(objects.map((o) => [o.object.kind, o.line]), [['Service', 4], ['Pod', 6]]);
  });

  it('skips empty documents and reports bad ones with their line, keeping the good ones', () => {
    const text = 'kind: A\n---\n---\nkind: [broken\n---\n- not\n- an object\n---\nkind: B\n';
    const { objects, errors } = parseDocuments(text, 'x.yaml');
    assert.deepEqual(objects.map((o) => o.object.kind), ['A', 'B']);
    assert.equal(errors.length, 2);
    assert.match(errors[0]!.message, /^x\.yaml:[45]: invalid YAML/);
    assert.match(errors[1]!.message, /^x\.yaml:6: expected a Kubernetes object \(a mapping\), got a list/);
  });

  it('reads JSON and refuses binary input', () => {
    assert.equal(parseDocuments('{"kind":"Pod","metadata":{"name":"p"}}', 'p.json').objects[0]!.object.kind, 'Pod');
    assert.match(parseDocuments('kind: A\u0000', 'b.bin').errors[0]!.message, /not a text file/);
  });
});
