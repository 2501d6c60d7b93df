// A loopback HTTP receiver that records every request (headers and body) and answers 204:
// the webhook endpoint a team would run, for tests of outbound deliveries.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedHit {
  headers: IncomingMessage['headers'];
  body: string;
}

export async function startRecordingReceiver(t: { teardown(fn: () => unknown): void }, path: string): Promise<{ url: string; hits: RecordedHit[] }> {
  const hits: RecordedHit[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`, hits };
}
