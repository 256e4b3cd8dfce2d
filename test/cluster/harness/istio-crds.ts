// Istio's CRDs, taken at run time from the istio.io/api Go module (its generated CRD file) at the Istio
// release meshgate injects by default, through the Go module cache; nothing of them is kept in the
// project. MESHGATE_ISTIO_CRDS names a file to use instead (a machine without Go).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_ISTIO_TAG } from '../../../src/config/defaults.js';

const run = promisify(execFile);

export const ISTIO_API_MODULE = `istio.io/api@v${DEFAULT_ISTIO_TAG}`;
const CRD_FILE = join('kubernetes', 'customresourcedefinitions.gen.yaml');

let cached: Promise<string> | undefined;

async function download(): Promise<string> {
  const fromEnv = process.env['MESHGATE_ISTIO_CRDS'];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`MESHGATE_ISTIO_CRDS=${fromEnv}: no such file`);
    return fromEnv;
  }
  let stdout: string;
  try {
    // Outside any module, so the project's directory never matters.
    ({ stdout } = await run('go', ['mod', 'download', '-json', ISTIO_API_MODULE], { cwd: tmpdir(), timeout: 120_000, env: { ...process.env, GOFLAGS: '-mod=mod' } }));
  } catch (error) {
    const detail = (error as { stdout?: string; stderr?: string; message: string }).stdout || (error as { stderr?: string }).stderr || (error as Error).message;
    throw new Error(`cannot get Istio's CRDs from ${ISTIO_API_MODULE} through the Go module proxy (set MESHGATE_ISTIO_CRDS to the file instead): ${detail.trim()}`);
  }
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${ISTIO_API_MODULE}: ${info.Error ?? 'no directory'}`);
  const file = join(info.Dir, CRD_FILE);
  if (!existsSync(file)) throw new Error(`${ISTIO_API_MODULE} has no ${CRD_FILE}`);
  return file;
}

/** Path of the CRD file (downloaded once per process). */
export function istioCrdFile(): Promise<string> {
  cached ??= download();
  return cached;
}
