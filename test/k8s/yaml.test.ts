// Multi-document reading with file:line origins (used by every message that names a file and line).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocuments, type SourcedDocument } from '../../src/k8s/yaml.js';

describe('parseDocuments', () => {
  it('gives each object the line of its first key, across documents and comments', () => {
    const text = '# header\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n# second\nkind: Secret\nmetadata: {name: b}\n';
    const { objects, errors } = parseDocuments(text, 'in.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(objects.map((o) => [o.object.kind, o.line, o.file]), [['ConfigMap', 2, 'in.yaml'], ['Secret', 8, 'in.yaml']]);
  });

  it('expands Lists, each item with its own line, and keeps the List as a document', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - kind: Service\n    metadata: {name: s}\n  - kind: Pod\n    metadata: {name: p}\nmetadata:\n  resourceVersion: ""\n';
    const { objects, documents, errors } = parseDocuments(text, 'l.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(objects.map((o) => [o.object.kind, o.line]), [['Service', 4], ['Pod', 6]]);
    assert.equal(documents.length, 1);
    const [list] = documents;
    assert.ok(list?.type === 'list');
    assert.deepEqual([list.list.kind, list.list.metadata, list.line, list.file], ['List', { resourceVersion: '' }, 1, 'l.yaml']);
    assert.deepEqual(list.items.map((item) => (item.type === 'object' ? item.entry : undefined)), objects, 'the items are the same entries as the objects');
  });

  it('expands Lists held in Lists (as kubectl does), keeps their nesting, and keeps empty Lists', () => {
    const text = [
      'kind: Service',
      'metadata: {name: before}',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: List',
      '  items:',
      '  - kind: Pod',
      '    metadata: {name: inner}',
      '- kind: ConfigMap',
      '  metadata: {name: outer}',
      '---',
      'kind: PodList',
      'items: []',
      '',
    ].join('\n');
    const { objects, documents, errors } = parseDocuments(text, 'n.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(objects.map((o) => [o.object.kind, o.object.metadata?.name, o.line]), [['Service', 'before', 1], ['Pod', 'inner', 10], ['ConfigMap', 'outer', 12]]);
    const shape = (document: SourcedDocument): unknown =>
      document.type === 'object' ? `${document.entry.object.kind}@${document.entry.line}` : { [`${document.list.kind}@${document.line}`]: document.items.map(shape) };
    assert.deepEqual(documents.map(shape), ['Service@1', { 'List@4': [{ 'List@7': ['Pod@10'] }, 'ConfigMap@12'] }, { 'PodList@15': [] }]);
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

  it('reads values as Kubernetes does: octal file modes, no timestamps', () => {
    const text = 'defaultMode: 0644\nmode: 0o600\nport: 8080\nhex: 0x1F\nquoted: "0644"\nwhen: 2024-01-01\nflag: true\nname: a\n';
    const [object] = parseDocuments(text, 'v.yaml').objects;
    assert.deepEqual(object!.object, { defaultMode: 420, mode: 384, port: 8080, hex: 31, quoted: '0644', when: '2024-01-01', flag: true, name: 'a' });
  });

  it('refuses a key given twice in one mapping, naming its line, the mapping and the first line; the other documents still load', () => {
    const text = [
      'kind: ConfigMap', // 1
      'metadata:',
      '  name: settings',
      '  labels: {tier: web, tier: api}', // 4: in a flow mapping
      'data:',
      '  LOG_LEVEL: info',
      'data:', // 7
      '  LOG_LEVEL: debug',
      '---',
      'kind: Secret', // 10
      'metadata: {name: kept}',
      '---',
      '{"kind": "Pod", "metadata": {"name": "p", "name": "q"}}', // 13: JSON too
      '---',
      'kind: List',
      'items:',
      '- kind: Service',
      '  metadata:',
      '    name: s',
      '    name: t', // 20: inside a List item
      '',
    ].join('\n');
    const { objects, documents, errors } = parseDocuments(text, 'd.yaml');
    assert.deepEqual(objects.map((o) => [o.object.kind, o.line]), [['Secret', 10]]);
    assert.equal(documents.length, 1);
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        'd.yaml:4: duplicate key "tier" in metadata.labels (first at line 4)',
        'd.yaml:7: duplicate key "data" (first at line 5)',
        'd.yaml:13: duplicate key "name" in metadata (first at line 13)',
        'd.yaml:20: duplicate key "name" in items[0].metadata (first at line 19)',
      ],
    );
  });

  it('tells keys apart as Kubernetes does: the same text under different parents, or different text, is no duplicate', () => {
    const text = 'metadata:\n  name: a\nspec:\n  name: a\n  Name: b\n  "name-x": c\n';
    const { objects, errors } = parseDocuments(text, 'ok.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(objects[0]!.object['spec'], { name: 'a', Name: 'b', 'name-x': 'c' });
  });

  it('splits documents only on markers at the start of a line, and keeps CRLF files and a BOM readable', () => {
    const text = '\ufeffkind: A\r\ndata:\r\n  script: |\r\n    echo ---\r\n    --- not a marker\r\n---\r\nkind: B\r\n';
    const { objects, errors } = parseDocuments(text, 'c.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(objects.map((o) => [o.object.kind, o.line]), [['A', 1], ['B', 7]]);
    assert.equal((objects[0]!.object['data'] as { script: string }).script, 'echo ---\n--- not a marker\n');
  });
});
