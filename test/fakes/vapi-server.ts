// A fake Vapi on 127.0.0.1 (random port) that the real `@vapi-ai/server-sdk` VapiClient
// talks to, plus a driver that plays a call's lifecycle against hirebox by sending real
// signed server messages to its webhook URL.
//
// REST (Bearer private key checked on every request; 401 otherwise):
//   POST /assistant, GET /assistant/:id, PATCH /assistant/:id
//   POST /credential (provider webhook: hmac or bearer plan), DELETE /credential/:id
//   POST /call (phoneNumberId, customer, assistantId + assistantOverrides) -> 201 Call
//   GET /call?phoneNumberId&assistantId&id&createdAtGt|Ge|Lt|Le&limit -> Call[] (the list
//   endpoint the SDK's calls.list speaks: filters as query parameters, newest first, limit 100)
//   GET /call/:id -> Call (status, endedReason, artifact once the call has ended, and
//   monitor.controlUrl)
// Live-call control (no key: the URL is the credential, as Vapi's controlUrl is):
//   POST /control/:callId {type: 'end-call'} ends a live call ('manually-canceled') and
//   delivers status-update(ended) + end-of-call-report with what was said so far.
//   DELETE /call/:id -> 200 Call, recorded in `deletes`; GET /call/:id answers 404 afterwards
// Recordings: setRecording(callId, bytes) serves them (no key: a presigned URL, as Vapi's
// storage is) at GET /recordings/:callId.wav on the fake itself, and the call's artifact
// names that URL; a GET after the call was deleted answers 404.
// Faults: holdCreates() makes POST /call store the call and then wait before answering
// (a worker can be killed between Vapi accepting a call and learning its id; `accepted`
// resolves with the call id); holdDeletes() does the same for the next DELETE /call/:id
// (the call is gone at Vapi, the worker never hears so); failNext(status, times) answers the next REST requests with that status;
// failDeletes(status, times) only the next DELETE /call requests.
//
// Where messages go: a call whose assistant names a server (url + credentialId) gets its
// messages there, authenticated by that credential as Vapi does (HMAC over
// `{timestamp}.{body}` with the plan's headers, or the bearer header); otherwise to the
// URL and secret given to setWebhook.
//
// Driver: play(callId, options) sends status-update(ringing) -> status-update(in-progress)
// -> transcript (one per turn) -> status-update(ended) -> end-of-call-report, signed with
// HMAC-SHA256 over `${timestamp}.${body}` (x-signature / x-timestamp), optionally with
// duplicates, shuffled order, a bad signature, a stale replay, a lost report, and either
// the current `artifact.recording` shape or the deprecated `recordingUrl`.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export function signHmac(secret: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
}

export interface Turn {
  role: 'assistant' | 'user';
  text: string;
}

export interface FakeCall {
  id: string;
  orgId: string;
  type: 'outboundPhoneCall';
  status: 'queued' | 'ringing' | 'in-progress' | 'ended';
  endedReason?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
  assistantId?: string;
  assistantOverrides?: { variableValues?: Record<string, unknown>; metadata?: Record<string, unknown>; [k: string]: unknown };
  phoneNumberId?: string;
  customer?: { number?: string; name?: string };
  artifact?: Record<string, unknown>;
  monitor?: { listenUrl: string; controlUrl: string };
  /** The conversation the driver will play (and GET /call/:id reports once ended). */
  script: Turn[];
}

export interface RestRequest {
  method: string;
  path: string;
  /** The query string's parameters (GET /call filters). */
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

export interface PlayOptions {
  turns?: Turn[];
  duplicate?: boolean;
  shuffle?: boolean;
  /** Do not deliver the end-of-call-report (the call still ends on the fake's REST side). */
  loseReport?: boolean;
  /** Use the deprecated top-level/artifact `recordingUrl` instead of artifact.recording. */
  legacyRecording?: boolean;
  endedReason?: string;
}

export interface Delivery {
  type: string;
  status: number;
  body: string;
}

export interface FakeVapi {
  url: string;
  apiKey: string;
  /** The restricted public key the web SDK uses (only POST /call/web accepts it). */
  publicKey: string;
  orgId: string;
  requests: RestRequest[];
  calls: Map<string, FakeCall>;
  /** Credentials created through POST /credential, by id. */
  credentials: Map<string, { id: string; provider: string; authenticationPlan: Record<string, unknown> }>;
  failNext(status: number, times?: number): void;
  /** The next POST /call is stored, then its answer is held until release() (or forever). */
  holdCreates(): { accepted: Promise<string>; release(): void };
  /** The next DELETE /call/:id deletes the call, then its answer is held until release(). */
  holdDeletes(): { accepted: Promise<string>; release(): void };
  /** Answers the next `times` DELETE /call/:id requests with `status` (other requests unaffected). */
  failDeletes(status: number, times?: number): void;
  /** Call ids deleted through DELETE /call/:id, in order. */
  deletes: string[];
  /** Serves `bytes` as the call's recording (artifact URL on the fake itself). */
  setRecording(callId: string, bytes: Buffer, contentType?: string): void;
  /** How many times each recording was downloaded. */
  recordingFetches: Map<string, number>;
  /** Where and how the driver signs: set once hirebox has created the endpoint. */
  setWebhook(w: { url: string; secret: string }): void;
  send(message: Record<string, unknown>, options?: { tsMs?: number; secret?: string }): Promise<Delivery>;
  play(callId: string, options?: PlayOptions): Promise<Delivery[]>;
  /** Ends a call on the REST side only (as if every webhook were lost). */
  endSilently(callId: string, options?: PlayOptions): void;
  /** The candidate picks up: ringing + in-progress status updates and the given turns; the call stays live. */
  answer(callId: string, turns?: Turn[]): Promise<Delivery[]>;
  /**
   * A call nobody talked on (no answer, busy, voicemail, failed to connect): status-update
   * ringing -> status-update ended(endedReason) -> end-of-call-report with an empty
   * artifact; `lose: true` ends it on the REST side only.
   */
  unanswered(callId: string, endedReason: string, options?: { lose?: boolean; reportFirst?: boolean }): Promise<Delivery[]>;
  /** Assistants created through POST /assistant (and PATCHed), by id. */
  assistants: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export const DEFAULT_TURNS: Turn[] = [
  { role: 'assistant', text: 'Hello, I am an AI interviewer for hirebox. This call is recorded with your consent.' },
  { role: 'assistant', text: 'Tell me about a system you designed.' },
  { role: 'user', text: 'I designed the billing ledger at my last company, with idempotent writes and nightly reconciliation.' },
  { role: 'assistant', text: 'How do you handle an incident?' },
  { role: 'user', text: 'I page the on-call, write a timeline and run a blameless review within a week.' },
];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startFakeVapi(options: { apiKey?: string; publicKey?: string } = {}): Promise<FakeVapi> {
  const apiKey = options.apiKey ?? `vapi-private-${randomUUID()}`;
  const publicKey = options.publicKey ?? `vapi-public-${randomUUID()}`;
  const orgId = randomUUID();
  const calls = new Map<string, FakeCall>();
  const assistants = new Map<string, Record<string, unknown>>();
  const credentials = new Map<string, { id: string; provider: string; authenticationPlan: Record<string, unknown> }>();
  const requests: RestRequest[] = [];
  let faults: { status: number; left: number } | null = null;
  let deleteFaults: { status: number; left: number } | null = null;
  const deletes: string[] = [];
  const recordings = new Map<string, { bytes: Buffer; contentType: string }>();
  const recordingFetches = new Map<string, number>();
  let webhook: { url: string; secret: string } | null = null;
  let hold: { accepted: (id: string) => void; released: Promise<void> } | null = null;
  let deleteHold: { accepted: (id: string) => void; released: Promise<void> } | null = null;
  const holder = (): { h: { accepted: (id: string) => void; released: Promise<void> }; accepted: Promise<string>; release(): void } => {
    let accepted!: (id: string) => void;
    let release!: () => void;
    const acceptedP = new Promise<string>((resolve) => (accepted = resolve));
    return { h: { accepted, released: new Promise<void>((resolve) => (release = resolve)) }, accepted: acceptedP, release };
  };
  let clockMs = Date.now();
  const tick = (): number => {
    clockMs = Math.max(clockMs + 1, Date.now());
    return clockMs;
  };

  const publicCall = (c: FakeCall): Omit<FakeCall, 'script'> => {
    const { script: _script, ...rest } = c;
    return rest;
  };

  function artifactOf(c: FakeCall, o: PlayOptions = {}): Record<string, unknown> {
    const turns = c.script;
    const transcript = turns.map((t) => `${t.role === 'assistant' ? 'AI' : 'User'}: ${t.text}`).join('\n');
    const messages = turns.map((t, i) => ({ role: t.role === 'assistant' ? 'bot' : 'user', message: t.text, time: 1000 * i, secondsFromStart: i }));
    const recordingUrl = recordings.has(c.id) ? `http://127.0.0.1:${port}/recordings/${c.id}.wav?sig=presigned` : `https://storage.vapi.test/recordings/${c.id}-mono.wav?sig=presigned`;
    return o.legacyRecording ? { transcript, messages, recordingUrl } : { transcript, messages, recording: { mono: { combinedUrl: recordingUrl }, stereoUrl: recordingUrl.replace('mono', 'stereo') } };
  }

  function end(c: FakeCall, o: PlayOptions = {}): void {
    c.status = 'ended';
    c.endedReason = o.endedReason ?? 'customer-ended-call';
    c.endedAt = new Date().toISOString();
    c.updatedAt = c.endedAt;
    c.artifact = artifactOf(c, o);
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      // Browsers call the web-call endpoint cross-origin, as they call api.vapi.ai.
      res.setHeader('access-control-allow-origin', '*');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, PATCH', 'access-control-allow-headers': 'authorization, content-type' });
        return res.end();
      }
      const body = await readBody(req);
      requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, body });
      if (req.method === 'POST' && url.pathname === '/call/web') {
        if (req.headers.authorization !== `Bearer ${publicKey}`) return json(res, 401, { message: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.', statusCode: 401 });
        // Vapi would answer with a Daily room (webCallUrl); there is no media server on loopback.
        return json(res, 400, { message: 'the fake has no media server for web calls', statusCode: 400 });
      }
      const recording = /^\/recordings\/([^/]+)\.wav$/.exec(url.pathname);
      if (req.method === 'GET' && recording) {
        const id = recording[1] as string;
        const rec = calls.has(id) ? recordings.get(id) : undefined;
        if (!rec) return json(res, 404, { message: 'no such recording' });
        recordingFetches.set(id, (recordingFetches.get(id) ?? 0) + 1);
        res.writeHead(200, { 'content-type': rec.contentType, 'content-length': String(rec.bytes.length) });
        return res.end(rec.bytes);
      }
      const control = /^\/control\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && control) {
        const c = calls.get(control[1] as string);
        if (!c) return json(res, 404, { message: 'no such call' });
        if ((body as { type?: unknown } | null)?.type !== 'end-call') return json(res, 400, { message: 'unsupported control message' });
        if (c.status === 'ended') return json(res, 200, { ok: true });
        end(c, { endedReason: 'manually-canceled' });
        json(res, 200, { ok: true });
        // Vapi then reports the end as for any call.
        void (async () => {
          await send({ type: 'status-update', status: 'ended', endedReason: c.endedReason, timestamp: tick(), call: callRef(c) });
          await send({ type: 'end-of-call-report', endedReason: c.endedReason, timestamp: tick(), startedAt: c.startedAt, endedAt: c.endedAt, artifact: c.artifact, analysis: {}, call: callRef(c) });
        })().catch(() => undefined);
        return;
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { message: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.', statusCode: 401 });
      if (faults && faults.left > 0) {
        faults.left -= 1;
        return json(res, faults.status, { message: 'fault injected', statusCode: faults.status });
      }
      const now = new Date().toISOString();
      if (req.method === 'POST' && url.pathname === '/credential') {
        const b = body as { provider?: unknown; authenticationPlan?: { type?: unknown } & Record<string, unknown> } | null;
        if (b?.provider !== 'webhook' || !b.authenticationPlan || !['hmac', 'bearer'].includes(String(b.authenticationPlan.type))) {
          return json(res, 400, { message: ['provider must be webhook with an hmac or bearer authenticationPlan'], statusCode: 400 });
        }
        const cred = { id: randomUUID(), provider: 'webhook', authenticationPlan: b.authenticationPlan, orgId, createdAt: now, updatedAt: now };
        credentials.set(cred.id, cred);
        return json(res, 201, cred);
      }
      const credentialMatch = /^\/credential\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'DELETE' && credentialMatch) {
        const existed = credentials.delete(credentialMatch[1] as string);
        return existed ? json(res, 200, { id: credentialMatch[1] }) : json(res, 404, { message: 'Couldn\'t Find Credential', statusCode: 404 });
      }
      if (req.method === 'POST' && url.pathname === '/assistant') {
        const a = { ...(body as Record<string, unknown>), id: randomUUID(), orgId, createdAt: now, updatedAt: now };
        assistants.set(a.id, a);
        return json(res, 201, a);
      }
      const assistantMatch = /^\/assistant\/([^/]+)$/.exec(url.pathname);
      if (assistantMatch) {
        const a = assistants.get(assistantMatch[1] as string);
        if (!a) return json(res, 404, { message: 'Couldn\'t Find Assistant', statusCode: 404 });
        if (req.method === 'PATCH') Object.assign(a, body as Record<string, unknown>, { updatedAt: now });
        return json(res, 200, a);
      }
      if (req.method === 'POST' && url.pathname === '/call') {
        const b = body as Partial<FakeCall> & { assistantId?: string; phoneNumberId?: string };
        if (!b || !b.phoneNumberId || !b.customer?.number || !(b.assistantId || (b as { assistant?: unknown }).assistant)) {
          return json(res, 400, { message: ['phoneNumberId, customer.number and an assistant are required'], error: 'Bad Request', statusCode: 400 });
        }
        const c: FakeCall = {
          id: randomUUID(),
          orgId,
          type: 'outboundPhoneCall',
          status: 'queued',
          createdAt: now,
          updatedAt: now,
          assistantId: b.assistantId,
          assistantOverrides: b.assistantOverrides,
          phoneNumberId: b.phoneNumberId,
          customer: b.customer,
          script: DEFAULT_TURNS,
        };
        c.monitor = { listenUrl: `ws://127.0.0.1:${port}/listen/${c.id}`, controlUrl: `http://127.0.0.1:${port}/control/${c.id}` };
        calls.set(c.id, c);
        if (hold) {
          const h = hold;
          hold = null;
          h.accepted(c.id);
          await h.released;
        }
        return json(res, 201, publicCall(c));
      }
      if (req.method === 'GET' && url.pathname === '/call') {
        const q = url.searchParams;
        const time = (k: string): number | null => (q.has(k) ? Date.parse(q.get(k) as string) : null);
        const [gt, ge, lt, le] = [time('createdAtGt'), time('createdAtGe'), time('createdAtLt'), time('createdAtLe')];
        const limit = Math.min(1000, Number(q.get('limit') ?? '100') || 100);
        const listed = [...calls.values()]
          .filter((c) => (!q.has('id') || c.id === q.get('id')) && (!q.has('assistantId') || c.assistantId === q.get('assistantId')) && (!q.has('phoneNumberId') || c.phoneNumberId === q.get('phoneNumberId')))
          .filter((c) => {
            const at = Date.parse(c.createdAt);
            return (gt === null || at > gt) && (ge === null || at >= ge) && (lt === null || at < lt) && (le === null || at <= le);
          })
          .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
          .slice(0, limit);
        return json(res, 200, listed.map(publicCall));
      }
      const callMatch = /^\/call\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'DELETE' && callMatch) {
        if (deleteFaults && deleteFaults.left > 0) {
          deleteFaults.left -= 1;
          return json(res, deleteFaults.status, { message: 'fault injected', statusCode: deleteFaults.status });
        }
        const c = calls.get(callMatch[1] as string);
        if (!c) return json(res, 404, { message: 'Couldn\'t Get Call. Call Not Found.', statusCode: 404 });
        calls.delete(c.id);
        deletes.push(c.id);
        if (deleteHold) {
          const h = deleteHold;
          deleteHold = null;
          h.accepted(c.id);
          await h.released;
        }
        return json(res, 200, publicCall(c));
      }
      if (req.method === 'GET' && callMatch) {
        const c = calls.get(callMatch[1] as string);
        if (!c) return json(res, 404, { message: 'Couldn\'t Get Call. Call Not Found.', statusCode: 404 });
        return json(res, 200, publicCall(c));
      }
      return json(res, 404, { message: `Cannot ${req.method} ${url.pathname}`, statusCode: 404 });
    })().catch(() => json(res, 500, { message: 'fake error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  /** The server and credential of the call's assistant, when it names them. */
  function assistantServer(message: Record<string, unknown>): { url: string; plan: Record<string, unknown> } | null {
    const assistantId = (message.call as { assistantId?: unknown } | undefined)?.assistantId;
    const server = typeof assistantId === 'string' ? (assistants.get(assistantId)?.server as { url?: unknown; credentialId?: unknown } | undefined) : undefined;
    const cred = typeof server?.credentialId === 'string' ? credentials.get(server.credentialId) : undefined;
    return typeof server?.url === 'string' && cred ? { url: server.url, plan: cred.authenticationPlan } : null;
  }

  async function send(message: Record<string, unknown>, o: { tsMs?: number; secret?: string } = {}): Promise<Delivery> {
    const raw = JSON.stringify({ message });
    const ts = String(o.tsMs ?? Date.now());
    const routed = assistantServer(message);
    let target: string;
    let headers: Record<string, string>;
    if (routed && routed.plan.type === 'bearer') {
      const name = String(routed.plan.headerName ?? 'authorization');
      target = routed.url;
      headers = { [name]: `${routed.plan.bearerPrefixEnabled === false ? '' : 'Bearer '}${String(routed.plan.token)}` };
    } else if (routed) {
      target = routed.url;
      headers = { [String(routed.plan.timestampHeader ?? 'x-timestamp')]: ts, [String(routed.plan.signatureHeader ?? 'x-signature')]: signHmac(o.secret ?? String(routed.plan.secretKey), ts, Buffer.from(raw)) };
    } else {
      if (!webhook) throw new Error('setWebhook first');
      target = webhook.url;
      headers = { 'x-timestamp': ts, 'x-signature': signHmac(o.secret ?? webhook.secret, ts, Buffer.from(raw)) };
    }
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
    return { type: String(message.type), status: res.status, body: await res.text() };
  }

  function callRef(c: FakeCall): Record<string, unknown> {
    return { id: c.id, orgId: c.orgId, type: c.type, status: c.status, assistantId: c.assistantId, assistantOverrides: c.assistantOverrides, phoneNumberId: c.phoneNumberId };
  }

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    publicKey,
    orgId,
    requests,
    calls,
    assistants,
    credentials,
    deletes,
    recordingFetches,
    failDeletes(status, times = 1) {
      deleteFaults = { status, left: times };
    },
    setRecording(callId, bytes, contentType = 'audio/wav') {
      recordings.set(callId, { bytes, contentType });
    },
    holdCreates() {
      const x = holder();
      hold = x.h;
      return { accepted: x.accepted, release: x.release };
    },
    holdDeletes() {
      const x = holder();
      deleteHold = x.h;
      return { accepted: x.accepted, release: x.release };
    },
    failNext(status, times = 1) {
      faults = { status, left: times };
    },
    setWebhook(w) {
      webhook = w;
    },
    send,
    async play(callId, o = {}) {
      const c = calls.get(callId);
      if (!c) throw new Error(`unknown call ${callId}`);
      if (o.turns) c.script = o.turns;
      const messages: Record<string, unknown>[] = [];
      c.status = 'ringing';
      messages.push({ type: 'status-update', status: 'ringing', timestamp: tick(), call: callRef(c) });
      c.status = 'in-progress';
      c.startedAt = new Date().toISOString();
      messages.push({ type: 'status-update', status: 'in-progress', timestamp: tick(), call: callRef(c) });
      for (const turn of c.script) {
        messages.push({ type: 'transcript', role: turn.role, transcriptType: 'final', transcript: turn.text, timestamp: tick(), call: callRef(c) });
      }
      end(c, o);
      messages.push({ type: 'status-update', status: 'ended', endedReason: c.endedReason, timestamp: tick(), call: callRef(c) });
      if (!o.loseReport) {
        const artifact = c.artifact as Record<string, unknown>;
        const report: Record<string, unknown> = {
          type: 'end-of-call-report',
          endedReason: c.endedReason,
          timestamp: tick(),
          startedAt: c.startedAt,
          endedAt: c.endedAt,
          artifact,
          analysis: {},
          call: callRef(c),
        };
        if (o.legacyRecording) {
          report.recordingUrl = artifact.recordingUrl;
          report.transcript = artifact.transcript;
        }
        messages.push(report);
      }
      let plan = o.duplicate ? messages.flatMap((m) => [m, m]) : messages;
      if (o.shuffle) plan = [...plan].reverse();
      const out: Delivery[] = [];
      for (const m of plan) out.push(await send(m));
      return out;
    },
    async unanswered(callId, endedReason, o = {}) {
      const c = calls.get(callId);
      if (!c) throw new Error(`unknown call ${callId}`);
      c.script = [];
      c.status = 'ended';
      c.endedReason = endedReason;
      c.endedAt = new Date().toISOString();
      c.updatedAt = c.endedAt;
      c.artifact = { transcript: '', messages: [] };
      if (o.lose) return [];
      const messages: Record<string, unknown>[] = [
        { type: 'status-update', status: 'ringing', timestamp: tick(), call: { ...callRef(c), status: 'ringing' } },
        { type: 'status-update', status: 'ended', endedReason, timestamp: tick(), call: callRef(c) },
        { type: 'end-of-call-report', endedReason, timestamp: tick(), endedAt: c.endedAt, artifact: c.artifact, analysis: {}, call: callRef(c) },
      ];
      const plan = o.reportFirst ? [...messages].reverse() : messages;
      const out: Delivery[] = [];
      for (const m of plan) out.push(await send(m));
      return out;
    },
    async answer(callId, turns = []) {
      const c = calls.get(callId);
      if (!c) throw new Error(`unknown call ${callId}`);
      c.script = turns;
      c.status = 'ringing';
      const out = [await send({ type: 'status-update', status: 'ringing', timestamp: tick(), call: callRef(c) })];
      c.status = 'in-progress';
      c.startedAt = new Date().toISOString();
      out.push(await send({ type: 'status-update', status: 'in-progress', timestamp: tick(), call: callRef(c) }));
      for (const turn of turns) out.push(await send({ type: 'transcript', role: turn.role, transcriptType: 'final', transcript: turn.text, timestamp: tick(), call: callRef(c) }));
      return out;
    },
    endSilently(callId, o = {}) {
      const c = calls.get(callId);
      if (!c) throw new Error(`unknown call ${callId}`);
      if (o.turns) c.script = o.turns;
      c.startedAt = new Date().toISOString();
      end(c, o);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
