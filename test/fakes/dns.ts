// A tiny authoritative DNS server on loopback (UDP, RFC 1035 wire format) that answers TXT
// queries from a map, so tests drive the real node:dns Resolver the app uses in production
// (pointed here with setServers). Unknown names get NXDOMAIN, which node reports as ENOTFOUND.
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';

export interface FakeDns {
  /** name (lower case, no trailing dot) -> TXT records, each a list of character-strings. */
  records: Map<string, string[][]>;
  /** Names asked for, in order. */
  queries: string[];
  /** A system resolver that asks only this server. */
  resolver(): Resolver;
  close(): Promise<void>;
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  for (;;) {
    const len = msg[i] ?? 0;
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: i + 1 };
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
}

function txtRdata(chunks: string[]): Buffer {
  return Buffer.concat(
    chunks.map((c) => {
      const bytes = Buffer.from(c, 'utf8');
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
  );
}

export async function startFakeDns(): Promise<FakeDns> {
  const records = new Map<string, string[][]>();
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const id = msg.readUInt16BE(0);
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push(name);
    const question = msg.subarray(12, end + 4);
    const found = records.get(name);
    const answers = found && qtype === 16 ? found : [];
    const rcode = found ? 0 : 3; // NXDOMAIN when the name has no records at all
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    header.writeUInt16BE(0x8400 | 0x0100 | rcode, 2); // response, authoritative, recursion desired echoed
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((chunks) => {
      const rdata = txtRdata(chunks);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(16, 2); // TXT
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    socket.send(Buffer.concat([header, question, ...rrs]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    records,
    queries,
    resolver() {
      const r = new Resolver({ timeout: 2_000, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      return r;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
