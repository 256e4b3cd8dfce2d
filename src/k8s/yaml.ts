// Multi-document YAML/JSON reading with file:line origins for every object.
// Used by every shell (inject, validate, analyze) so that messages can name file and line.
import { LineCounter, parseAllDocuments, isMap, isSeq, type Node as YamlNode } from 'yaml';
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

/**
 * Parses a multi-document YAML (or JSON) text. Kubernetes `List` kinds (`List`, `PodList`, ...)
 * are expanded into their items, each keeping its own line. Documents that fail to parse, or that
 * are not objects, become errors; the other documents are still returned.
 */
export function parseDocuments(text: string, file: string): ParsedInput {
  const counter = new LineCounter();
  const objects: SourcedObject[] = [];
  const errors: InputError[] = [];
  if (text.includes('\u0000')) {
    return { objects, errors: [new InputError(file, 1, 'not a text file (contains NUL bytes)')] };
  }
  const documents = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false, prettyErrors: false });
  const docList = Array.isArray(documents) ? documents : [documents];
  for (const doc of docList) {
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0]?.line ?? lineOf(doc.contents, counter);
      errors.push(new InputError(file, line, `invalid YAML: ${first.message.split('\n')[0]}`));
      continue;
    }
    if (doc.contents === null) continue; // empty document between '---' separators
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    const line = lineOf(doc.contents, counter);
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value)) {
      errors.push(new InputError(file, line, `expected a Kubernetes object (a mapping), got ${Array.isArray(value) ? 'a list' : typeof value}`));
      continue;
    }
    const kind = value['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items'])) {
      const itemNodes = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
      const items = value['items'] as unknown[];
      items.forEach((item, index) => {
        const itemNode = isSeq(itemNodes) ? (itemNodes.items[index] as YamlNode | undefined) : undefined;
        const itemLine = itemNode ? lineOf(itemNode, counter) : line;
        if (isPlainObject(item)) objects.push({ object: item as KubeObject, file, line: itemLine });
        else errors.push(new InputError(file, itemLine, `items[${index}] of ${kind} is not an object`));
      });
      continue;
    }
    objects.push({ object: value as KubeObject, file, line });
  }
  return { objects, errors };
}
