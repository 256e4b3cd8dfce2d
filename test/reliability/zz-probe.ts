import { startSelfSignedWebhook, tlsConnect, receive } from './support.js';
const w = await startSelfSignedWebhook(['--max-body-bytes', String(1024*1024)]);
for (const gap of [0, 1, 5]) {
const s = await tlsConnect(w.meshgate.port, w.ca);
let text = '';
s.on('data', (c) => text += c);
let err = '';
s.on('error', (e) => err = e.message);
const closed = new Promise((r) => s.on('close', r));
let done = false; closed.then(() => done = true);
s.write('POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
const chunk = Buffer.alloc(64 * 1024, 0x20);
let sent = 0;
while (!done && text === '' && sent < 16*1024*1024) {
  const ok = s.write(chunk.length.toString(16) + '\r\n' + chunk.toString() + '\r\n');
  sent += chunk.length;
  if (!ok) await Promise.race([new Promise((r) => s.once('drain', r)), closed]);
  if (gap) await new Promise((r) => setTimeout(r, gap));
}
await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
console.log('gap', gap, 'sent', sent, 'err', err, 'text', JSON.stringify(text.slice(0, 40)));
s.destroy();
}
await w.close();
