// Multi-document YAML/JSON reading with file:line origins for every object.
// Used by every shell (inject, validate, analyze) so that messages can name file and line.
import jsyaml from 'js-yaml';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, stringify, type Node as YamlNode } from 'yaml';
import type { KubeObject } from './objects.js';

/** One Kubernetes object and where it came from (1-based line of its first key). */
export interface SourcedObject {
  readonly object: KubeObject;
  readonly file: string;
  readonly line: number;
}

/** A problem reading input: names file and line, never carries a stack trace to the user. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
    this.name = 'InputError';
  }
}

/**
 * A document as written: one object, or a List (`List`, `PodList`, ...) whose items are documents again
 * (a List may hold Lists; kubectl flattens them all).
 */
export type SourcedDocument =
  | { readonly type: 'object'; readonly entry: SourcedObject }
  | { readonly type: 'list'; readonly list: KubeObject; readonly file: string; readonly line: number; readonly items: readonly SourcedDocument[] };

export interface ParsedInput {
  /** Every object, the items of Lists in place of their List: what validation and analysis read. */
  readonly objects: SourcedObject[];
  /** The same objects as documents, Lists kept: what `meshgate inject` prints back. */
  readonly documents: SourcedDocument[];
  readonly errors: InputError[];
}

function lineOf(node: YamlNode | null | undefined, counter: LineCounter): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : counter.linePos(offset).line;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One document of a multi-document text, with the line (1-based) its text starts on. */
interface DocumentChunk {
  readonly text: string;
  readonly firstLine: number;
}

// A line starting with `---` or `...` at column 0 always ends the document (YAML 1.2, section 9.1:
// such a line cannot belong to any scalar), so splitting on it needs no parser.
const DOCUMENT_MARKER = /^(---|\.\.\.)(?=\s|$)/;

function splitDocuments(text: string): DocumentChunk[] {
  const lines = text.split('\n');
  const chunks: DocumentChunk[] = [];
  let start = 0;
  let content: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (DOCUMENT_MARKER.test(line)) {
      chunks.push({ text: content.join('\n'), firstLine: start + 1 });
      // Content may follow the marker on the same line (`--- !tag` or `--- {a: 1}`): keep it.
      const rest = line.startsWith('---') ? line.slice(3) : '';
      content = [rest];
      start = i;
      continue;
    }
    content.push(line);
  }
  chunks.push({ text: content.join('\n'), firstLine: start + 1 });
  return chunks;
}

/** Line of the first line holding content (not blank, not a comment, not a directive). */
function contentLine(chunk: DocumentChunk): number {
  const lines = chunk.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed !== '' && !trimmed.startsWith('#') && !trimmed.startsWith('%')) return chunk.firstLine + i;
  }
  return chunk.firstLine;
}

/**
 * Integers as Kubernetes reads them (sigs.k8s.io/yaml, YAML 1.1 rules): `0644` is octal (420), as are
 * `0o644`; `0x1F` hex, `0b101` binary, `_` separators allowed. YAML 1.2's core schema would read
 * `defaultMode: 0644` as 644, a different file mode, so `meshgate inject` would print a changed value.
 */
const KUBERNETES_INT = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && /^[-+]?(0b[01]+|0o?[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$/.test(data.replace(/_/g, '')),
  construct: (data: string) => {
    const text = data.replace(/_/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const digits = /^[-+]/.test(text) ? text.slice(1) : text;
    if (digits.startsWith('0b')) return sign * parseInt(digits.slice(2), 2);
    if (digits.startsWith('0x')) return sign * parseInt(digits.slice(2), 16);
    if (digits.startsWith('0o')) return sign * parseInt(digits.slice(2), 8);
    if (/^0[0-7]+$/.test(digits)) return sign * parseInt(digits.slice(1), 8);
    return sign * parseInt(digits, 10);
  },
  predicate: (value: unknown) => Number.isInteger(value),
});

// Kubernetes reads YAML into JSON: no timestamps or other YAML-only types. The int type above replaces
// the core schema's (same tag). A key given twice in one mapping is an error (js-yaml's default; its
// `json` option would keep the last value silently).
const LOAD_OPTIONS: jsyaml.LoadOptions = { schema: jsyaml.CORE_SCHEMA.extend({ implicit: [KUBERNETES_INT] }) };

/** js-yaml's reason for a key given twice in one mapping. */
const DUPLICATE_KEY_REASON = 'duplicated mapping key';

function isList(value: Record<string, unknown>): boolean {
  const kind = value['kind'];
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items']);
}

/**
 * In a flow list such as `addresses: [1.2.3.4, 2001:db8::]`, Go's YAML reader (kubectl's and the API
 * server's) reads `2001:db8::` as one string, while YAML 1.2 reads its last `:` (followed by `]` or
 * `,`) as a key indicator and gives the mapping `{"2001:db8:": null}`. Where the text has that shape,
 * such one-key mappings in lists are turned back into the string Kubernetes would see.
 */
const FLOW_ITEM_ENDING_IN_COLON = /:[ \t]*[\],]/;

function restoreColonItems(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (isPlainObject(item)) {
        const keys = Object.keys(item);
        if (keys.length === 1 && keys[0]!.endsWith(':') && item[keys[0]!] === null) return `${keys[0]}:`;
      }
      return restoreColonItems(item);
    });
  }
  if (isPlainObject(value)) {
    for (const [key, field] of Object.entries(value)) value[key] = restoreColonItems(field);
  }
  return value;
}

/**
 * Parses a multi-document YAML (or JSON) text. Kubernetes `List` kinds (`List`, `PodList`, ...) are
 * expanded into their items, each keeping its own line, and also kept as Lists in `documents`.
 * Documents that fail to parse, that give a key twice in one mapping, or that are not objects become
 * errors; the other documents are still returned.
 *
 * Each document is parsed with js-yaml (several times faster than a parser that keeps a syntax tree,
 * which matters for clusters of tens of thousands of objects); only `List` documents, and documents
 * with a duplicate key, are parsed again with the `yaml` package, whose syntax tree gives lines.
 */
export function parseDocuments(text: string, file: string): ParsedInput {
  const objects: SourcedObject[] = [];
  const documents: SourcedDocument[] = [];
  const errors: InputError[] = [];
  if (text.includes('\u0000')) {
    return { objects, documents, errors: [new InputError(file, 1, 'not a text file (contains NUL bytes)')] };
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const chunk of splitDocuments(source.replace(/\r\n/g, '\n'))) {
    if (chunk.text.trim() === '') continue;
    let value: unknown;
    try {
      value = jsyaml.load(chunk.text, LOAD_OPTIONS);
    } catch (error) {
      const yamlError = error as jsyaml.YAMLException;
      const line = chunk.firstLine + (yamlError.mark?.line ?? 0);
      const duplicates = yamlError.reason === DUPLICATE_KEY_REASON ? duplicateKeyErrors(chunk, file) : [];
      if (duplicates.length > 0) errors.push(...duplicates);
      else errors.push(new InputError(file, line, `invalid YAML: ${yamlError.reason ?? yamlError.message.split('\n')[0]}`));
      continue;
    }
    if (value === null || value === undefined) continue;
    if (FLOW_ITEM_ENDING_IN_COLON.test(chunk.text)) value = restoreColonItems(value);
    const line = contentLine(chunk);
    if (!isPlainObject(value)) {
      errors.push(new InputError(file, line, `expected a Kubernetes object (a mapping), got ${Array.isArray(value) ? 'a list' : typeof value}`));
      continue;
    }
    if (isList(value)) {
      const counter = new LineCounter();
      const tree = parseDocument(chunk.text, { lineCounter: counter, uniqueKeys: false });
      const lines: NodeLines = { counter, offset: chunk.firstLine - 1 };
      const list = listDocument(value, tree.contents, line, lines, file, objects, errors);
      documents.push(list);
      continue;
    }
    const entry: SourcedObject = { object: value as KubeObject, file, line };
    objects.push(entry);
    documents.push({ type: 'object', entry });
  }
  return { objects, documents, errors };
}

/** Turns a node's offset in a document's text into a line of the file. */
interface NodeLines {
  readonly counter: LineCounter;
  /** Lines of the file before the document's text. */
  readonly offset: number;
}

function fileLine(node: YamlNode | null | undefined, lines: NodeLines): number {
  return lines.offset + lineOf(node, lines.counter);
}

/** A List with its items, each with the line of its own first key; Lists among the items are expanded too. */
function listDocument(
  value: Record<string, unknown>,
  node: unknown,
  line: number,
  lines: NodeLines,
  file: string,
  objects: SourcedObject[],
  errors: InputError[],
): SourcedDocument {
  const kind = value['kind'] as string;
  const itemNodes = isMap(node) ? node.get('items', true) : undefined;
  const items: SourcedDocument[] = [];
  (value['items'] as unknown[]).forEach((item, index) => {
    const itemNode = isSeq(itemNodes) ? (itemNodes.items[index] as YamlNode | undefined) : undefined;
    const itemLine = itemNode ? fileLine(itemNode, lines) : line;
    if (!isPlainObject(item)) {
      errors.push(new InputError(file, itemLine, `items[${index}] of ${kind} is not an object`));
    } else if (isList(item)) {
      items.push(listDocument(item, itemNode, itemLine, lines, file, objects, errors));
    } else {
      const entry: SourcedObject = { object: item as KubeObject, file, line: itemLine };
      objects.push(entry);
      items.push({ type: 'object', entry });
    }
  });
  return { type: 'list', list: value as KubeObject, file, line, items };
}

/**
 * Every key given twice in one mapping of a document, with its line, the line of the first, and the
 * field path of the mapping: the API server's strict field validation refuses such a document ("key
 * already set in map"), where a reader that keeps the last value would drop the first one unseen.
 */
function duplicateKeyErrors(chunk: DocumentChunk, file: string): InputError[] {
  const counter = new LineCounter();
  const tree = parseDocument(chunk.text, { lineCounter: counter, uniqueKeys: false });
  const lines: NodeLines = { counter, offset: chunk.firstLine - 1 };
  const errors: InputError[] = [];
  const visit = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const seen = new Map<string, YamlNode>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const first = seen.get(key);
        if (first && keyNode) {
          const where = path === '' ? '' : ` in ${path}`;
          errors.push(new InputError(file, fileLine(keyNode, lines), `duplicate key "${key}"${where} (first at line ${fileLine(first, lines)})`));
        } else if (keyNode) {
          seen.set(key, keyNode);
        }
        visit(pair.value, path === '' ? key : `${path}.${key}`);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, `${path}[${index}]`));
    }
  };
  visit(tree.contents, '');
  return errors.sort((a, b) => a.line - b.line);
}

/**
 * YAML that kubectl reads back as the same values. kubectl follows YAML 1.1, where unquoted `yes`,
 * `off`, `y`, `NO`, `0644` or `1_000` are booleans and numbers; writing with the 1.1 rules quotes such
 * strings, so a value that passes through meshgate never changes type.
 */
export function toKubernetesYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0 });
}

