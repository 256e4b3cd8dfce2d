// Baselines for the webhook benchmark: a bare Node HTTPS server with the same TLS setup that reads and
// parses the same body. Without an answers file it answers a fixed `allowed: true` (echoing uid, as any
// webhook must); with one (`{"<path>": "<body>"}`) it answers each path with that body, which the
// benchmark fills with meshgate's own answer to the same review, so it costs the I/O meshgate cannot avoid.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [port, certFile, keyFile, answersFile] = process.argv.slice(2);
const answers = answersFile ? (JSON.parse(readFileSync(answersFile, 'utf8')) as Record<string, string>) : undefined;
const server = createServer({ cert: readFileSync(certFile!), key: readFileSync(keyFile!) }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { apiVersion?: string; request?: { uid?: string } };
    const body =
      answers?.[req.url ?? ''] ??
      JSON.stringify({
        apiVersion: review.apiVersion ?? 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: review.request?.uid ?? '', allowed: true },
      });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
