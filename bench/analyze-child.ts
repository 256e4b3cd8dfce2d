// Runs one measured job in a fresh process and prints {wallMs, peakRssMb} as JSON:
// `analyze DIR` runs `meshgate analyze` on it in-process; `parse DIR` only reads and parses the same YAML.
import { PassThrough } from 'node:stream';
import { loadObjects } from '../src/k8s/files.js';
import { run } from '../src/cli/main.js';

const [mode, dir] = process.argv.slice(2);
const sink = new PassThrough();
sink.resume();
const started = process.hrtime.bigint();
let exitCode = 0;
let objects = 0;
if (mode === 'parse') {
  const parsed = await loadObjects([dir!]);
  objects = parsed.objects.length;
} else {
  exitCode = await run(['analyze', '-f', dir!, '-o', 'json', '--fail-on', 'none'], { stdout: sink, stderr: sink, stdin: process.stdin });
}
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(`${JSON.stringify({ wallMs, peakRssMb: process.resourceUsage().maxRSS / 1024, exitCode, objects })}\n`);
