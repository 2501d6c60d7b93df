// A tiny SMTP server speaking enough of RFC 5321 for nodemailer (EHLO, MAIL, RCPT, DATA,
// QUIT; no STARTTLS, no AUTH). `failing` makes it answer MAIL FROM with a 451 (a
// temporary failure, as a down relay would), so tests can fail and then recover a send.
import net from 'node:net';

export interface FakeSmtp {
  url: string;
  /** Messages accepted, raw DATA (headers + body). */
  received: { from: string; to: string[]; data: string }[];
  failing: boolean;
  close(): Promise<void>;
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const state: FakeSmtp = { url: '', received: [], failing: false, close: async () => undefined };
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    let current: { from: string; to: string[]; data: string } = { from: '', to: [], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 fake-smtp ready');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          state.received.push(current);
          current = { from: '', to: [], data: '' };
          reply('250 OK queued');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl === -1) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 fake-smtp');
        else if (verb === 'MAIL') {
          if (state.failing) reply('451 4.3.0 relay unavailable, try again later');
          else {
            current.from = line.slice(10);
            reply('250 OK');
          }
        } else if (verb === 'RCPT') {
          current.to.push(line.slice(8));
          reply('250 OK');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'RSET') {
          current = { from: '', to: [], data: '' };
          reply('250 OK');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 OK');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.unref();
    });
  return state;
}
