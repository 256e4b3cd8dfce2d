// Temporary directories for a test's files, removed when the test (or the file's suite) ends, passed
// or failed, so that runs leave nothing behind in the temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

interface HasAfter {
  after(fn: () => void): void;
}

/** A new directory under the system's temporary directory, removed after `owner` (a test context) ends, or after the file's tests when none is given. */
export function scratchDir(prefix: string, owner?: HasAfter): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  if (owner) owner.after(remove);
  else after(remove);
  return dir;
}
