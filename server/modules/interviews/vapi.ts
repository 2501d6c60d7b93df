// The Vapi REST client behind a small interface: the official @vapi-ai/server-sdk
// VapiClient (Bearer private key, configurable base URL). Tests point it at the loopback
// fake in test/fakes/vapi-server.ts; nothing here knows it is a fake.
import type * as VapiSdkModule from '@vapi-ai/server-sdk';
import type { Vapi, VapiClient } from '@vapi-ai/server-sdk';
import type { CallVerdict, CircuitBreaker } from '../../core/circuit-breaker.js';

export interface CallSummary {
  id: string;
  status: string | null;
  endedReason: string | null;
  transcript: string | null;
  recordingRef: string | null;
  /** The live-call control URL (monitor.controlUrl): a capability URL, never stored or logged. */
  controlUrl: string | null;
}

/** A call as GET /call lists it: only what adopting an orphaned call needs (ids from our own metadata, never PII). */
export interface ListedCall {
  id: string;
  status: string | null;
  createdAt: string;
  /** assistantOverrides.metadata as hirebox sent it with POST /call. */
  metadata: { orgId?: unknown; interviewId?: unknown; attempt?: unknown };
}

export interface VapiApi {
  /** GET /call (SDK calls.list): calls of one phone number created after a time, newest first as Vapi answers. */
  listCalls(filter: { phoneNumberId: string; createdAtGt: Date; limit?: number }): Promise<ListedCall[]>;
  createCall(request: Vapi.CreateCallDto): Promise<{ id: string; status: string | null }>;
  getCall(id: string): Promise<CallSummary>;
  /** POST /assistant: returns the new assistant's id. */
  createAssistant(request: Vapi.CreateAssistantDto): Promise<{ id: string }>;
  /** PATCH /assistant/:id. */
  updateAssistant(id: string, request: Vapi.CreateAssistantDto): Promise<{ id: string }>;
  /** Ends a live call: GET /call/:id for its monitor.controlUrl, then POST {type: 'end-call'} there. */
  endCall(id: string): Promise<'ended' | 'not_live'>;
  /** POST /credential (provider webhook): how Vapi authenticates the messages it sends to a server URL. */
  createWebhookCredential(request: { name: string; authenticationPlan: WebhookAuthenticationPlan }): Promise<{ id: string }>;
  /** DELETE /credential/:id (best effort: a credential nobody references). */
  deleteCredential(id: string): Promise<void>;
  /** DELETE /call/:id (SDK calls.delete): 'not_found' when Vapi holds no such call any more. */
  deleteCall(id: string): Promise<'deleted' | 'not_found'>;
  /** True when GET /call/:id answers 404: how a deletion is confirmed. */
  callGone(id: string): Promise<boolean>;
}

export type WebhookAuthenticationPlan =
  | ({ type: 'hmac' } & Pick<Vapi.HmacAuthenticationPlan, 'secretKey' | 'signatureHeader' | 'timestampHeader' | 'payloadFormat'> & { algorithm: 'sha256'; signatureEncoding: 'hex' })
  | ({ type: 'bearer' } & Vapi.BearerAuthenticationPlan);

export class VapiControlError extends Error {
  constructor(readonly statusCode: number | null) {
    super(statusCode === null ? 'the call control URL could not be reached' : `the call control URL answered ${statusCode}`);
    this.name = 'VapiControlError';
  }
}

// The SDK takes ~0.8 s to import (more than the rest of the app together), and the app
// process only reaches Vapi from a few routes: it is loaded on first use. No VapiError can
// exist before then, so the checks below need not load it.
type VapiSdk = typeof VapiSdkModule;
let sdk: VapiSdk | undefined;
async function loadSdk(): Promise<VapiSdk> {
  sdk ??= await import('@vapi-ai/server-sdk');
  return sdk;
}

export function vapiStatusOf(err: unknown): number | undefined {
  return sdk && err instanceof sdk.VapiError ? err.statusCode : undefined;
}

/** 4xx other than 408/429 will not get better by retrying. */
export function isPermanentVapiError(err: unknown): boolean {
  const status = vapiStatusOf(err);
  return typeof status === 'number' && status >= 400 && status < 500 && ![408, 429].includes(status);
}

/** The recording reference from an artifact: current `recording` shape first, then the deprecated `recordingUrl`. */
export function recordingRefOf(artifact: Partial<Vapi.Artifact> | undefined, legacy?: unknown): string | null {
  const rec = artifact?.recording;
  const candidates = [rec?.mono?.combinedUrl, rec?.stereoUrl, artifact?.recordingUrl, artifact?.stereoRecordingUrl, legacy];
  for (const c of candidates) if (typeof c === 'string' && c.length > 0 && c.length <= 4096) return c;
  return null;
}

export function createVapiApi(options: { apiKey: string; baseUrl: string; timeoutSeconds?: number; maxRetries?: number }): VapiApi {
  const timeoutMs = (options.timeoutSeconds ?? 15) * 1000;
  // The SDK has no credentials client: the same Bearer key and base URL, with fetch.
  async function rest(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(new URL(path.replace(/^\//, ''), options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`), {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new (await loadSdk()).VapiError({ message: `${method} ${path} answered ${res.status}`, statusCode: res.status });
    return text ? (JSON.parse(text) as unknown) : null;
  }
  // The SDK retries 408/429/5xx with exponential backoff (maxRetries); BullMQ retries the job on top.
  let clientReady: Promise<VapiClient> | undefined;
  const sdkClient = (): Promise<VapiClient> =>
    (clientReady ??= loadSdk().then(({ VapiClient }) => new VapiClient({ token: options.apiKey, baseUrl: options.baseUrl, timeoutInSeconds: options.timeoutSeconds ?? 15, maxRetries: options.maxRetries ?? 2 })));
  return {
    async listCalls(filter) {
      const calls = await (await sdkClient()).calls.list({ phoneNumberId: filter.phoneNumberId, createdAtGt: filter.createdAtGt.toISOString(), limit: filter.limit ?? 100 });
      return calls.map((c) => ({ id: c.id, status: c.status ?? null, createdAt: c.createdAt, metadata: (c.assistantOverrides?.metadata ?? {}) as ListedCall['metadata'] }));
    },
    async createCall(request) {
      const created = (await (await sdkClient()).calls.create(request)) as { id?: string; status?: string };
      if (!created || typeof created.id !== 'string') throw new Error('Vapi did not return a call id');
      return { id: created.id, status: created.status ?? null };
    },
    async createAssistant(request) {
      const a = await (await sdkClient()).assistants.create(request);
      if (!a || typeof a.id !== 'string') throw new Error('Vapi did not return an assistant id');
      return { id: a.id };
    },
    async updateAssistant(id, request) {
      const a = await (await sdkClient()).assistants.update({ id, ...request });
      return { id: a.id };
    },
    async getCall(id) {
      const call = await (await sdkClient()).calls.get({ id });
      return {
        id: call.id,
        status: call.status ?? null,
        endedReason: call.endedReason ?? null,
        transcript: call.artifact?.transcript ?? null,
        recordingRef: recordingRefOf(call.artifact),
        controlUrl: typeof call.monitor?.controlUrl === 'string' ? call.monitor.controlUrl : null,
      };
    },
    async createWebhookCredential(request) {
      const created = (await rest('POST', '/credential', { provider: 'webhook', ...request })) as { id?: unknown } | null;
      if (!created || typeof created.id !== 'string') throw new Error('Vapi did not return a credential id');
      return { id: created.id };
    },
    async deleteCredential(id) {
      await rest('DELETE', `/credential/${encodeURIComponent(id)}`);
    },
    async deleteCall(id) {
      try {
        await (await sdkClient()).calls.delete({ id });
        return 'deleted';
      } catch (err) {
        if (vapiStatusOf(err) === 404) return 'not_found';
        throw err;
      }
    },
    async callGone(id) {
      try {
        await (await sdkClient()).calls.get({ id });
        return false;
      } catch (err) {
        if (vapiStatusOf(err) === 404) return true;
        throw err;
      }
    },
    async endCall(id) {
      const call = await this.getCall(id);
      if (call.status === 'ended' || !call.controlUrl) return 'not_live';
      // The control URL is the credential (Vapi's live-call control; no control
      // authentication is enabled on hirebox's assistants), so the private key is not sent.
      let res: Response;
      try {
        res = await fetch(call.controlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'end-call' }), signal: AbortSignal.timeout(timeoutMs) });
      } catch {
        throw new VapiControlError(null);
      }
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new VapiControlError(res.status);
      return 'ended';
    },
  };
}

/**
 * For the breaker: 5xx, 408 and network/timeout errors mean Vapi is failing; a 429 is
 * throttling and a 4xx means Vapi answered, so both are neutral.
 */
export function classifyVapiError(err: unknown): { verdict: CallVerdict; code: string | null } {
  const status = err instanceof VapiControlError ? (err.statusCode ?? undefined) : vapiStatusOf(err);
  if (status === undefined) return { verdict: 'failure', code: 'network' };
  if (status >= 500 || status === 408) return { verdict: 'failure', code: `http_${status}` };
  return { verdict: 'neutral', code: `http_${status}` };
}

/** Every Vapi REST call through the shared 'vapi' breaker: while it is open, calls throw CircuitOpenError without reaching Vapi. */
export function withVapiBreaker(api: VapiApi, breaker: CircuitBreaker): VapiApi {
  return {
    listCalls: (filter) => breaker.run(() => api.listCalls(filter), classifyVapiError),
    createCall: (request) => breaker.run(() => api.createCall(request), classifyVapiError),
    getCall: (id) => breaker.run(() => api.getCall(id), classifyVapiError),
    createAssistant: (request) => breaker.run(() => api.createAssistant(request), classifyVapiError),
    updateAssistant: (id, request) => breaker.run(() => api.updateAssistant(id, request), classifyVapiError),
    endCall: (id) => breaker.run(() => api.endCall(id), classifyVapiError),
    createWebhookCredential: (request) => breaker.run(() => api.createWebhookCredential(request), classifyVapiError),
    deleteCredential: (id) => breaker.run(() => api.deleteCredential(id), classifyVapiError),
    deleteCall: (id) => breaker.run(() => api.deleteCall(id), classifyVapiError),
    callGone: (id) => breaker.run(() => api.callGone(id), classifyVapiError),
  };
}
