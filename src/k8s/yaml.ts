// Multi-document YAML/JSON reading with file:line origins for every object.
// Used by every shell (inject, validate, analyze) so that messages can name file and line.
import jsyaml from 'js-yaml';
import { LineCounter, isMap, isSeq, parseDocument, stringify, type Node as YamlNode } from 'yaml';
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

export interface ParsedInput {
  readonly objects: SourcedObject[];
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

// Kubernetes reads YAML into JSON: no timestamps or other YAML-only types, later duplicate keys win.
// The int type above replaces the core schema's (same tag).
const LOAD_OPTIONS: jsyaml.LoadOptions = { schema: jsyaml.CORE_SCHEMA.extend({ implicit: [KUBERNETES_INT] }), json: true };

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
 * Parses a multi-document YAML (or JSON) text. Kubernetes `List` kinds (`List`, `PodList`, ...)
 * are expanded into their items, each keeping its own line. Documents that fail to parse, or that
 * are not objects, become errors; the other documents are still returned.
 *
 * Each document is parsed with js-yaml (several times faster than a parser that keeps a syntax tree,
 * which matters for clusters of tens of thousands of objects); only `List` documents are parsed again
 * with the `yaml` package, whose syntax tree gives each item's line.
 */
export function parseDocuments(text: string, file: string): ParsedInput {
  const objects: SourcedObject[] = [];
  const errors: InputError[] = [];
  if (text.includes('\u0000')) {
    return { objects, errors: [new InputError(file, 1, 'not a text file (contains NUL bytes)')] };
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
      errors.push(new InputError(file, line, `invalid YAML: ${yamlError.reason ?? yamlError.message.split('\n')[0]}`));
      continue;
    }
    if (value === null || value === undefined) continue;
    if (FLOW_ITEM_ENDING_IN_COLON.test(chunk.text)) value = restoreColonItems(value);
    const line = contentLine(chunk);
    if (!isPlainObject(value)) {
      errors.push(new InputError(file, line, `expected a Kubernetes object (a mapping), got ${Array.isArray(value) ? 'a list' : typeof value}`));
      continue;
    }
    const kind = value['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items'])) {
      objects.push(...listItems(chunk, value, kind, file, errors));
      continue;
    }
    objects.push({ object: value as KubeObject, file, line });
  }
  return { objects, errors };
}

/** Items of a `List` document, each with the line of its own first key. */
function listItems(chunk: DocumentChunk, value: Record<string, unknown>, kind: string, file: string, errors: InputError[]): SourcedObject[] {
  const counter = new LineCounter();
  const document = parseDocument(chunk.text, { lineCounter: counter, uniqueKeys: false });
  const itemNodes = isMap(document.contents) ? document.contents.get('items', true) : undefined;
  const items = value['items'] as unknown[];
  const found: SourcedObject[] = [];
  items.forEach((item, index) => {
    const itemNode = isSeq(itemNodes) ? (itemNodes.items[index] as YamlNode | undefined) : undefined;
    const itemLine = chunk.firstLine - 1 + (itemNode ? lineOf(itemNode, counter) : 1);
    if (isPlainObject(item)) found.push({ object: item as KubeObject, file, line: itemLine });
    else errors.push(new InputError(file, itemLine, `items[${index}] of ${kind} is not an object`));
  });
  return found;
}

/**
 * YAML that kubectl reads back as the same values. kubectl follows YAML 1.1, where unquoted `yes`,
 * `off`, `y`, `NO`, `0644` or `1_000` are booleans and numbers; writing with the 1.1 rules quotes such
 * strings, so a value that passes through meshgate never changes type.
 */
export function toKubernetesYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0 });
}

