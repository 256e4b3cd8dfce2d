// The HTML report in a real browser (headless Chromium): it renders, the DOM holds the summary, the
// chart and the workload table (most urgent first), the docs links do not wrap even in a narrow
// window, and a screenshot is taken (kept in the temp directory for a look).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../src/analyze/reports/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { scratchDir } from '../helpers/scratch.js';
import { analyzeFiles } from './helpers.js';

const run = promisify(execFile);
const CHROMIUM = process.env['MESHGATE_CHROMIUM'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found; HTML browser test skipped`;

function chromiumArgs(profile: string, extra: string[], url: string, windowSize = '1280,2000'): string[] {
  return [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--window-size=${windowSize}`, ...extra, url,
  ];
}

// Measures, in the page as laid out, on how many lines each docs link of the rules table sits (the
// report itself has no scripts; this copy gets one that writes the answer into the DOM).
const MEASURE_DOCS_LINKS = `<script>
document.body.dataset.docsLines = [...document.querySelectorAll('#rules a')].map((a) => a.getClientRects().length).join(',');
</script></body>`;

describe('html report in headless Chromium', { skip }, () => {
  it('renders the summary, the namespace chart and the workload table', async () => {
    const analyzeDir = join(fixturesDir, 'analyze');
    const report = await analyzeFiles([
      join(analyzeDir, 'existing-sidecar', 'invalid', 'linkerd-proxy.yaml'),
      join(analyzeDir, 'headless-undeclared-ports', 'invalid', 'peer-ports.yaml'),
      join(analyzeDir, 'namespace-not-enrolled', 'invalid', 'no-label.yaml'),
      join(analyzeDir, 'injection-disabled', 'invalid', 'namespace-disabled.yaml'),
      join(analyzeDir, 'strict-mtls-control-plane-client', 'invalid', 'admission-webhooks.yaml'),
    ]);
    const dir = scratchDir('meshgate-html-');
    const page = join(dir, 'report.html');
    await writeFile(page, renderReport(report, 'html', { color: false }));
    const url = `file://${page}`;

    const dom = await run(CHROMIUM, chromiumArgs(join(dir, 'profile-dom'), ['--dump-dom'], url), { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
    const html = dom.stdout;
    assert.match(html, new RegExp(`Readiness score</span><b class="score">${report.summary.score}/100</b>`));
    assert.match(html, /<svg[^>]*aria-label="Readiness by namespace"/);
    assert.match(html, /<rect [^>]*fill="#d64545"><title>shop: 1 blocked<\/title>/);
    assert.match(html, /<table id="workloads">/);
    for (const workload of report.workloads) assert.ok(html.includes(`<b>${workload.name}</b>`), workload.name);
    assert.match(html, /<span class="status blocked">blocked<\/span>/);
    assert.match(html, /Linkerd is already part of this pod/);
    // A caller without a mesh certificate, with its fixes folded under the finding, YAML kept as written.
    assert.match(html, /<code>strict-mtls-control-plane-client<\/code>/);
    assert.match(html, /<details class="fixes"><summary>2 fixes ready to apply<\/summary><ol><li>Accept connections without mTLS on port 8443 of Deployment policy\/policy-webhook only/);
    assert.match(html, /<pre>\$ kubectl apply -f -\napiVersion: security\.istio\.io\/v1\nkind: PeerAuthentication\nmetadata:\n {2}name: policy-webhook-permissive\n/);

    const order = [...html.matchAll(/<span class="status ([a-z-]+)">/g)].map((m) => m[1]);
    const rank = ['blocked', 'ready-with-changes', 'ready', 'skipped'];
    assert.deepEqual(order, [...order].sort((a, b) => rank.indexOf(a!) - rank.indexOf(b!)), 'workloads most urgent first');
    assert.match(html, /n\/a \(1\)<\/text>/, 'a namespace with nothing to inject has no score');

    const measured = join(dir, 'measured.html');
    await writeFile(measured, renderReport(report, 'html', { color: false }).replace('</body>', MEASURE_DOCS_LINKS));
    const narrow = await run(CHROMIUM, chromiumArgs(join(dir, 'profile-narrow'), ['--dump-dom'], `file://${measured}`, '640,2000'), { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
    const lines = /data-docs-lines="([\d,]*)"/.exec(narrow.stdout)?.[1];
    assert.ok(lines !== undefined && lines !== '', 'the page measured its docs links');
    assert.deepEqual(lines.split(',').filter((n) => n !== '1'), [], `docs links broken over several lines: ${lines}`);

    const png = join(dir, 'report.png');
    await run(CHROMIUM, chromiumArgs(join(dir, 'profile-shot'), [`--screenshot=${png}`], url), { timeout: 90_000 });
    const info = await stat(png);
    assert.ok(info.size > 20_000, `screenshot is ${info.size} bytes`);
    const header = (await readFile(png)).subarray(0, 8);
    assert.deepEqual([...header], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    process.stdout.write(`# screenshot: ${png}\n`);
  });
});
