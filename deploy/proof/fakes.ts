// The paid APIs for the compose proof: the same fakes the test suite uses (test/fakes),
// run in one container on the egress network. The fakes listen on loopback with random
// ports; fixed ports on all interfaces forward to them, so the worker can reach
// http://fakes:8001/v1 (OpenAI), http://fakes:8002 (Vapi) and smtp://fakes:2525.
// A state port (9000, loopback only) tells the proof what the fakes received.
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect } from 'node:net';
import { startFakeOpenAI } from '../../test/fakes/openai-server.js';
import { startFakeSmtp } from '../../test/fakes/smtp-server.js';
import { startFakeVapi } from '../../test/fakes/vapi-server.js';

function forward(listenPort: number, targetPort: number): void {
  createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    inbound.pipe(outbound).pipe(inbound);
    const close = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close);
    outbound.on('error', close);
  }).listen(listenPort, '0.0.0.0');
}

const openai = await startFakeOpenAI();
const vapi = await startFakeVapi({ apiKey: process.env.FAKE_VAPI_API_KEY ?? 'proof-vapi-key' });
const smtp = await startFakeSmtp();
forward(8001, openai.port);
forward(8002, Number(new URL(vapi.url).port));
forward(2525, Number(new URL(smtp.url).port));

createHttpServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      openai: openai.requests.map((r) => ({ path: r.path, model: r.body?.model ?? null })),
      smtp: smtp.received.map((m) => ({ to: m.to })),
    }),
  );
}).listen(9000, '127.0.0.1');

process.stdout.write('fakes ready: openai 8001, vapi 8002, smtp 2525\n');
