// File source: `-f` files, directories (recursively) and `-`, every kind kept with file and line.
import { loadObjects } from '../../k8s/files.js';
import type { InputError } from '../../k8s/yaml.js';
import type { SourcedResource } from '../types.js';

export interface FileSourceResult {
  readonly resources: SourcedResource[];
  readonly errors: readonly InputError[];
}

export async function readFileSources(paths: readonly string[], stdin: NodeJS.ReadableStream): Promise<FileSourceResult> {
  const parsed = await loadObjects(paths, stdin);
  return {
    resources: parsed.objects.map((o) => ({ object: o.object, file: o.file, line: o.line })),
    errors: parsed.errors,
  };
}
