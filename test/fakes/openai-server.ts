// A fake OpenAI-compatible HTTP server on 127.0.0.1 (random port) that the real `openai`
// SDK talks to. It speaks the real Chat Completions wire format (POST /v1/chat/completions:
// id, object, created, model, choices[].message{role, content, refusal}, finish_reason,
// usage, x-request-id header; errors as {"error": {message, type, code}}) and plays a script
// of behaviours: valid JSON (per the requested json_schema, or given content), invalid
// JSON, schema-violating JSON, a refusal, an HTTP status (429 with Retry-After, 500),
// a slow response, or no response at all (the client's timeout fires). Every request is
// logged with its headers and parsed body, so tests can assert what reached "the model".
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  store?: boolean;
  temperature?: number;
  seed?: number;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: JsonSchema } };
  [key: string]: unknown;
}

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  [key: string]: unknown;
};

export type Behaviour =
  /** 200 with JSON content: the given content (or a function of the request), else generated from the requested schema. */
  | { kind: 'valid'; content?: string | ((body: ChatRequestBody) => string); delayMs?: number }
  | { kind: 'invalid_json'; delayMs?: number }
  /** Parses as JSON but breaks the schema (missing fields, wrong types, out of range). */
  | { kind: 'schema_violation'; delayMs?: number }
  | { kind: 'refusal'; message?: string; delayMs?: number }
  /** An error status; Retry-After (seconds) when given. */
  | { kind: 'status'; status: number; retryAfter?: string; retryAfterMs?: string; delayMs?: number }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: 'hang' };

export interface LoggedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: ChatRequestBody | null;
  rawBody: string;
  at: number;
  requestId: string;
  behaviour: Behaviour['kind'];
}

export interface FakeOpenAI {
  baseUrl: string;
  port: number;
  requests: LoggedRequest[];
  /** Behaviours used in order, one per request; when empty, `fallback` answers. */
  script(...behaviours: Behaviour[]): void;
  /** The behaviour once the script is used up (default: valid). */
  setFallback(b: Behaviour | ((body: ChatRequestBody) => Behaviour)): void;
  /**
   * How the separate prompt-injection check (json_schema cv_injection_check) is answered. It
   * never consumes the script, so scripted screening answers stay in order. Default: valid,
   * i.e. an empty list (a check that found nothing).
   */
  setCheckFallback(b: Behaviour | ((body: ChatRequestBody) => Behaviour)): void;
  /** Added to every response (benchmarks: provider latency). */
  setLatency(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

let seq = 0;

/** A value that satisfies a JSON schema (the subset structured outputs use). */
export function sampleFromSchema(s: JsonSchema, path = ''): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length) return s.enum[0];
  if (s.anyOf && s.anyOf[0]) return sampleFromSchema(s.anyOf[0], path);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sampleFromSchema(v, `${path}.${k}`);
      return out;
    }
    case 'array': {
      // minItems 0 (an optional list, e.g. instructions_found) samples as empty: a clean answer.
      const n = s.minItems ?? 1;
      return Array.from({ length: n }, (_, i) => sampleFromSchema(s.items ?? {}, `${path}[${i}]`));
    }
    case 'integer':
    case 'number':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return `sample${path}`;
  }
}

/** The separate prompt-injection check call of a CV screening (server/modules/screening/injection-check.ts). */
export function isInjectionCheck(body: ChatRequestBody | null): boolean {
  return body?.response_format?.json_schema?.name === 'cv_injection_check';
}

function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * `keepAliveMs`: how long an idle connection stays open (the server's Keep-Alive hint). Tests
 * keep the short default; the screening bench keeps connections as a hosted provider does,
 * since undici drops a connection whose hint is under its 2 s margin and would reconnect
 * for every call.
 */
export async function startFakeOpenAI(options: { latencyMs?: number; keepAliveMs?: number } = {}): Promise<FakeOpenAI> {
  const requests: LoggedRequest[] = [];
  let queue: Behaviour[] = [];
  let fallback: Behaviour | ((body: ChatRequestBody) => Behaviour) = { kind: 'valid' };
  let checkFallback: Behaviour | ((body: ChatRequestBody) => Behaviour) = { kind: 'valid' };
  let latency = options.latencyMs ?? 0;
  const hanging = new Set<ServerResponse>();

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function completion(body: ChatRequestBody, requestId: string, message: { content: string | null; refusal: string | null }): unknown {
    const prompt = body.messages.map((m) => m.content).join('\n');
    const promptTokens = approxTokens(prompt);
    const completionTokens = approxTokens(message.content ?? message.refusal ?? '');
    return {
      id: `chatcmpl-${requestId}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, message: { role: 'assistant', content: message.content, refusal: message.refusal }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    seq += 1;
    const requestId = `req_fake_${process.pid}_${seq}`;
    let body: ChatRequestBody | null = null;
    try {
      body = JSON.parse(rawBody) as ChatRequestBody;
    } catch {
      body = null;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      requests.push({ method: req.method ?? '', path, headers: req.headers, body, rawBody, at: Date.now(), requestId, behaviour: 'status' });
      sendJson(res, 404, { error: { message: `Unknown route ${req.method} ${path}`, type: 'invalid_request_error', code: 'unknown_url' } }, { 'x-request-id': requestId });
      return;
    }
    if (!body || !Array.isArray(body.messages) || typeof body.model !== 'string') {
      sendJson(res, 400, { error: { message: 'Invalid request body', type: 'invalid_request_error', code: null } }, { 'x-request-id': requestId });
      return;
    }
    const parsed = body;
    const next = isInjectionCheck(parsed)
      ? typeof checkFallback === 'function'
        ? checkFallback(parsed)
        : checkFallback
      : (queue.shift() ?? (typeof fallback === 'function' ? fallback(parsed) : fallback));
    requests.push({ method: 'POST', path, headers: req.headers, body: parsed, rawBody, at: Date.now(), requestId, behaviour: next.kind });
    if (next.kind === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const schema = parsed.response_format?.json_schema?.schema;
    // The answer is made before the latency runs, so it goes out when the latency ends: the
    // fake's own CPU (a few ms per answer) is not spent at the moment the caller's answers
    // are all due, as a remote provider's is not.
    const content = next.kind === 'valid' ? (typeof next.content === 'function' ? next.content(parsed) : (next.content ?? JSON.stringify(schema ? sampleFromSchema(schema) : {}))) : null;
    const wait = latency + (next.delayMs ?? 0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const headers = { 'x-request-id': requestId, 'openai-processing-ms': String(wait) };
    switch (next.kind) {
      case 'valid': {
        sendJson(res, 200, completion(parsed, requestId, { content, refusal: null }), headers);
        return;
      }
      case 'invalid_json':
        sendJson(res, 200, completion(parsed, requestId, { content: '{"criteria": {"c1": {"score": 4, "verdict": "met", ', refusal: null }), headers);
        return;
      case 'schema_violation': {
        const sample = (schema ? sampleFromSchema(schema) : {}) as Record<string, unknown>;
        const broken: Record<string, unknown> = { ...sample, recommendation: 'hire immediately', extra: true };
        delete broken.summary;
        sendJson(res, 200, completion(parsed, requestId, { content: JSON.stringify(broken), refusal: null }), headers);
        return;
      }
      case 'refusal':
        sendJson(res, 200, completion(parsed, requestId, { content: null, refusal: next.message ?? "I'm sorry, I can't help with that." }), headers);
        return;
      case 'status': {
        const h: Record<string, string> = { ...headers };
        if (next.retryAfter !== undefined) h['retry-after'] = next.retryAfter;
        if (next.retryAfterMs !== undefined) h['retry-after-ms'] = next.retryAfterMs;
        const type = next.status === 429 ? 'rate_limit_exceeded' : next.status >= 500 ? 'server_error' : 'invalid_request_error';
        sendJson(res, next.status, { error: { message: `fake ${next.status}`, type, code: type } }, h);
        return;
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = options.keepAliveMs ?? 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    script(...behaviours) {
      queue.push(...behaviours);
    },
    setFallback(b) {
      fallback = b;
    },
    setCheckFallback(b) {
      checkFallback = b;
    },
    setLatency(ms) {
      latency = ms;
    },
    reset() {
      queue = [];
      requests.length = 0;
      fallback = { kind: 'valid' };
      checkFallback = { kind: 'valid' };
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
