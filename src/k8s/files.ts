// Reads the `-f` inputs of the CLI: files, directories (recursively, .yaml/.yml/.json) and `-` (stdin).
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, parseDocuments, type ParsedInput, type SourcedDocument, type SourcedObject } from './yaml.js';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

async function listManifestFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await listManifestFiles(child)));
    else if (MANIFEST_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) files.push(child);
  }
  return files;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (error as Error).message;
}

/**
 * Loads every object from the given paths, in the order given (directory entries sorted by name).
 * Unreadable paths and unparsable documents become errors naming file and line; the rest still load.
 */
export async function loadObjects(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<ParsedInput> {
  const objects: SourcedObject[] = [];
  const documents: SourcedDocument[] = [];
  const errors: InputError[] = [];
  const add = (parsed: ParsedInput): void => {
    objects.push(...parsed.objects);
    documents.push(...parsed.documents);
    errors.push(...parsed.errors);
  };
  for (const path of paths) {
    if (path === '-') {
      add(parseDocuments(await readStdin(stdin), '<stdin>'));
      continue;
    }
    let files: string[];
    try {
      files = await listManifestFiles(path);
    } catch (error) {
      errors.push(new InputError(path, 0, describeFsError(error)));
      continue;
    }
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        errors.push(new InputError(file, 0, describeFsError(error)));
        continue;
      }
      add(parseDocuments(text, file));
    }
  }
  return { objects, documents, errors };
}
