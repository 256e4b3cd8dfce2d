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

  it('reads `2001:db8::` at the end of a flow list as the string Go YAML (kubectl) reads', () => {
    const { objects } = parseDocuments('kind: ServiceEntry\nspec:\n  addresses: [1.2.3.4, 2001:db8::]\n  hosts: [a.example.com]\n', 'se.yaml');
    assert.deepEqual((objects[0]!.object as unknown as { spec: unknown }).spec, { addresses: ['1.2.3.4', '2001:db8::'], hosts: ['a.example.com'] });
  });

  it('reads values as Kubernetes does: octal file modes, no timestamps, later duplicate keys win', () => {
    const text = 'defaultMode: 0644\nmode: 0o600\nport: 8080\nhex: 0x1F\nquoted: "0644"\nwhen: 2024-01-01\nflag: true\nname: a\nname: b\n';
    const [object] = parseDocuments(text, 'v.yaml').objects;
    assert.deepEqual(object!.object, { defaultMode: 420, mode: 384, port: 8080, hex: 31, quoted: '0644', when: '2024-01-01', flag: true, name: 'b' });
  });

  it('splits documents only on markers at the start of a line, and keeps CRLF files and a BOM readable', () => {
    const text = '\ufeffkind: A\r\ndata:\r\n  script: |\r\n    echo ---\r\n    --- not a marker\r\n---\r\nkind: B\r\n';
    const { objects, errors } = parseDocuments(text, 'c.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(objects.map((o) => [o.object.kind, o.line]), [['A', 1], ['B', 7]]);
    assert.equal((objects[0]!.object['data'] as { script: string }).script, 'echo ---\n--- not a marker\n');
  });
});
