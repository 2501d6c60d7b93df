// The Vapi REST client behind a small interface: the official @vapi-ai/server-sdk
// VapiClient (Bearer private key, configurable base URL). Tests point it at the loopback
// fake in test/fakes/vapi-server.ts; nothing here knows it is a fake.
import { VapiClient, VapiError, type Vapi } from '@vapi-ai/server-sdk';
import type { CallVerdict, CircuitBreaker } from '../../core/circuit-breaker.js';

export interface CallSummary {
  id: string;
  status: string | null;
  endedReason: string | null;
  transcript: string | null;
  recordingRef: string | null;
}

export interface VapiApi {
  createCall(request: Vapi.CreateCallDto): Promise<{ id: string; status: string | null }>;
  getCall(id: string): Promise<CallSummary>;
  /** POST /assistant: returns the new assistant's id. */
  createAssistant(request: Vapi.CreateAssistantDto): Promise<{ id: string }>;
  /** PATCH /assistant/:id. */
  updateAssistant(id: string, request: Vapi.CreateAssistantDto): Promise<{ id: string }>;
}

export function vapiStatusOf(err: unknown): number | undefined {
  return err instanceof VapiError ? err.statusCode : undefined;
}

/** 4xx other than 408/429 will not get better by retrying. */
export function isPermanentVapiError(err: unknown): boolean {
  return err instanceof VapiError && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 && ![408, 429].includes(err.statusCode);
}

/** The recording reference from an artifact: current `recording` shape first, then the deprecated `recordingUrl`. */
export function recordingRefOf(artifact: Partial<Vapi.Artifact> | undefined, legacy?: unknown): string | null {
  const rec = artifact?.recording;
  const candidates = [rec?.mono?.combinedUrl, rec?.stereoUrl, artifact?.recordingUrl, artifact?.stereoRecordingUrl, legacy];
  for (const c of candidates) if (typeof c === 'string' && c.length > 0 && c.length <= 4096) return c;
  return null;
}

export function createVapiApi(options: { apiKey: string; baseUrl: string; timeoutSeconds?: number; maxRetries?: number }): VapiApi {
  // The SDK retries 408/429/5xx with exponential backoff (maxRetries); BullMQ retries the job on top.
  const client = new VapiClient({ token: options.apiKey, baseUrl: options.baseUrl, timeoutInSeconds: options.timeoutSeconds ?? 15, maxRetries: options.maxRetries ?? 2 });
  return {
    async createCall(request) {
      const created = (await client.calls.create(request)) as { id?: string; status?: string };
      if (!created || typeof created.id !== 'string') throw new Error('Vapi did not return a call id');
      return { id: created.id, status: created.status ?? null };
    },
    async createAssistant(request) {
      const a = await client.assistants.create(request);
      if (!a || typeof a.id !== 'string') throw new Error('Vapi did not return an assistant id');
      return { id: a.id };
    },
    async updateAssistant(id, request) {
      const a = await client.assistants.update({ id, ...request });
      return { id: a.id };
    },
    async getCall(id) {
      const call = await client.calls.get({ id });
      return {
        id: call.id,
        status: call.status ?? null,
        endedReason: call.endedReason ?? null,
        transcript: call.artifact?.transcript ?? null,
        recordingRef: recordingRefOf(call.artifact),
      };
    },
  };
}

/**
 * For the breaker: 5xx, 408 and network/timeout errors mean Vapi is failing; a 429 is
 * throttling and a 4xx means Vapi answered, so both are neutral.
 */
export function classifyVapiError(err: unknown): { verdict: CallVerdict; code: string | null } {
  const status = vapiStatusOf(err);
  if (status === undefined) return { verdict: 'failure', code: 'network' };
  if (status >= 500 || status === 408) return { verdict: 'failure', code: `http_${status}` };
  return { verdict: 'neutral', code: `http_${status}` };
}

/** Every Vapi REST call through the shared 'vapi' breaker: while it is open, calls throw CircuitOpenError without reaching Vapi. */
export function withVapiBreaker(api: VapiApi, breaker: CircuitBreaker): VapiApi {
  return {
    createCall: (request) => breaker.run(() => api.createCall(request), classifyVapiError),
    getCall: (id) => breaker.run(() => api.getCall(id), classifyVapiError),
    createAssistant: (request) => breaker.run(() => api.createAssistant(request), classifyVapiError),
    updateAssistant: (id, request) => breaker.run(() => api.updateAssistant(id, request), classifyVapiError),
  };
}
