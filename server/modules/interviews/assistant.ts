// The Vapi assistant hirebox manages per job when the org has not configured its own
// assistantId: built from the job's interview plan (language -> transcriber language and
// voice, max duration), created once with POST /assistant and PATCHed when the plan's
// relevant fields change (a hash of the last payload sent is stored with the plan).
// The first message always says the caller is an AI; recording is off on the assistant
// and switched on per call only with the candidate's consent (assistantOverrides).
// When the worker knows the public URL, the assistant's server is the org's newest live
// webhook endpoint, with a Vapi credential that signs the way the endpoint verifies, so
// Vapi's messages for its calls reach hirebox without any setup in Vapi's dashboard.
import { createHash } from 'node:crypto';
import type { Vapi } from '@vapi-ai/server-sdk';
import type { TenantDb } from '../../core/db.js';
import { type Keyring } from '../../core/crypto.js';
import { type EndpointRow } from '../webhooks/index.js';
import { liveEndpointForAssistant, recordEndpointCredential } from '../webhooks/index.js';
import { claimAssistantSync, ensurePlan, findPlan, releaseAssistantSync, savePlanAssistant, type InterviewRow, type PlanRow, type VoiceSetting } from './repo.js';
import { vapiStatusOf, type VapiApi, type WebhookAuthenticationPlan } from './vapi.js';

/** The AI disclosure the agent speaks first, per language (English when none is known). */
export const AI_DISCLOSURES: Record<string, string> = {
  en: 'Hello, I am an AI interviewer, not a person. I will ask a few questions about your experience; you can ask for a human interviewer at any time.',
  de: 'Hallo, ich bin ein KI-Interviewer, kein Mensch. Ich stelle Ihnen einige Fragen zu Ihrer Erfahrung; Sie können jederzeit ein Gespräch mit einem Menschen verlangen.',
  fr: "Bonjour, je suis un intervieweur IA, pas une personne. Je vais vous poser quelques questions sur votre expérience ; vous pouvez demander un intervieweur humain à tout moment.",
  es: 'Hola, soy un entrevistador de IA, no una persona. Le haré algunas preguntas sobre su experiencia; puede pedir un entrevistador humano en cualquier momento.',
  nl: 'Hallo, ik ben een AI-interviewer, geen persoon. Ik stel u enkele vragen over uw ervaring; u kunt op elk moment om een menselijke interviewer vragen.',
};

/** Azure neural voices per base language; multilingual English voice otherwise. */
const VOICES: Record<string, string> = {
  en: 'en-US-AndrewNeural',
  'en-GB': 'en-GB-RyanNeural',
  de: 'de-DE-ConradNeural',
  fr: 'fr-FR-HenriNeural',
  es: 'es-ES-AlvaroNeural',
  nl: 'nl-NL-MaartenNeural',
  it: 'it-IT-DiegoNeural',
  pt: 'pt-PT-DuarteNeural',
  pl: 'pl-PL-MarekNeural',
};

const baseLanguage = (language: string): string => language.split('-')[0] ?? 'en';

export function firstMessageFor(language: string): string {
  return AI_DISCLOSURES[baseLanguage(language)] ?? (AI_DISCLOSURES.en as string);
}

export function voiceFor(language: string, configured: VoiceSetting | null): Vapi.CreateAssistantDtoVoice {
  if (configured) return { provider: configured.provider, voiceId: configured.voiceId } as Vapi.CreateAssistantDtoVoice;
  const voiceId = VOICES[language] ?? VOICES[baseLanguage(language)] ?? 'en-US-AndrewMultilingualNeural';
  return { provider: 'azure', voiceId };
}

const SYSTEM_PROMPT = [
  'You are an AI interviewer conducting a structured job interview on behalf of a hiring team. You are not a person and never claim to be one.',
  'Ask the following questions one at a time, in order, and let the candidate answer fully before moving on. Ask at most one short follow-up per question if an answer is unclear.',
  'Questions:\n{{questions}}',
  'Conduct the whole interview in the language with code {{language}}.',
  'Do not evaluate, score or comment on the answers, and never comment on the candidate\'s voice, accent, tone or emotions.',
  'If the candidate asks for a human interviewer, confirm that the hiring team will arrange one and end the call politely.',
  'When all questions are answered, thank the candidate, say the hiring team will be in touch, and end the call.',
].join('\n\n');

/** The voice assistant's language model: the operator's default, unless the org chose another (issue 18). */
export interface AssistantModel {
  provider: string;
  model: string;
}
export const DEFAULT_ASSISTANT_MODEL: AssistantModel = { provider: 'openai', model: 'gpt-4o' };

/** The org's choice when it made one, else the operator's. */
export function effectiveAssistantModel(settings: { assistant_model_provider: string | null; assistant_model: string | null } | null, operator: AssistantModel = DEFAULT_ASSISTANT_MODEL): AssistantModel {
  return settings?.assistant_model_provider && settings.assistant_model ? { provider: settings.assistant_model_provider, model: settings.assistant_model } : operator;
}

/** Where Vapi sends the assistant's server messages, and the credential it signs them with. */
export interface AssistantServer {
  url: string;
  credentialId: string;
}

/** The Vapi credential plan that makes Vapi authenticate the way the endpoint verifies (verify.ts). */
export function credentialPlanFor(endpoint: Pick<EndpointRow, 'auth_mode' | 'signature_header' | 'timestamp_header'>, secret: string): WebhookAuthenticationPlan {
  if (endpoint.auth_mode === 'bearer') return { type: 'bearer', token: secret };
  if (endpoint.auth_mode === 'x-vapi-secret') return { type: 'bearer', token: secret, headerName: 'x-vapi-secret', bearerPrefixEnabled: false };
  return { type: 'hmac', secretKey: secret, algorithm: 'sha256', signatureHeader: endpoint.signature_header, timestampHeader: endpoint.timestamp_header, payloadFormat: '{timestamp}.{body}', signatureEncoding: 'hex' };
}

/**
 * The org's newest live webhook endpoint as an assistant server: its URL and the Vapi
 * credential for it, created on first use (POST /credential with the endpoint's secret)
 * and kept with the endpoint. Null when the org has no live endpoint. If two workers
 * create one at once, the first recorded wins and the other is deleted again.
 */
export async function ensureAssistantServer(deps: { db: TenantDb; vapi: VapiApi; keyring: Keyring; publicUrl: URL }, orgId: string): Promise<AssistantServer | null> {
  const live = await liveEndpointForAssistant(deps, orgId);
  if (!live) return null;
  const row = live.endpoint;
  const found = { id: row.id, credentialId: row.vapi_credential_id, plan: live.secret === null ? null : credentialPlanFor(row, live.secret) };
  const url = new URL(`/webhooks/vapi/${found.id}`, deps.publicUrl).toString();
  if (found.credentialId) return { url, credentialId: found.credentialId };
  const created = await deps.vapi.createWebhookCredential({ name: `hirebox ${found.id.slice(0, 8)}`, authenticationPlan: found.plan as WebhookAuthenticationPlan });
  const held = await recordEndpointCredential(deps.db, orgId, found.id, created.id);
  if (held !== created.id) await deps.vapi.deleteCredential(created.id).catch(() => undefined);
  return { url, credentialId: held ?? created.id };
}

/** The assistant payload for a job's plan. Field order is fixed so the hash is stable. */
export function assistantPayload(
  orgId: string,
  plan: Pick<PlanRow, 'job_id' | 'language' | 'max_duration_seconds' | 'voice'>,
  server: AssistantServer | null = null,
  llm: AssistantModel = DEFAULT_ASSISTANT_MODEL,
): Vapi.CreateAssistantDto {
  return {
    name: `hirebox interview ${plan.job_id.slice(0, 8)}`,
    firstMessage: firstMessageFor(plan.language),
    firstMessageMode: 'assistant-speaks-first',
    // Provider and model names are Vapi's (validated in config and the settings API); Vapi rejects an unknown pair.
    model: { provider: llm.provider, model: llm.model, messages: [{ role: 'system', content: SYSTEM_PROMPT }] } as Vapi.CreateAssistantDtoModel,
    transcriber: { provider: 'deepgram', model: 'nova-2', language: plan.language as Vapi.DeepgramTranscriberLanguage },
    voice: voiceFor(plan.language, plan.voice),
    maxDurationSeconds: plan.max_duration_seconds,
    // Off by default: a call records only when its overrides say so (candidate consent).
    artifactPlan: { recordingEnabled: false },
    metadata: { managedBy: 'hirebox', orgId, jobId: plan.job_id },
    ...(server ? { server: { url: server.url, credentialId: server.credentialId, timeoutSeconds: 20 } } : {}),
  };
}

export function payloadHash(payload: Vapi.CreateAssistantDto): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}

/** How long a sync claim holds (longer than the SDK's timeout x retries), and how a waiting worker polls. */
const SYNC_CLAIM_MS = 60_000;
const SYNC_POLL_MS = 200;

export class AssistantSyncBusyError extends Error {}

/**
 * The assistant id for this interview's job, creating or updating the managed assistant
 * first when needed. The Vapi request happens outside any transaction, under a per-job
 * claim on the plan row (0023), so concurrent first calls of a job create one assistant:
 * the others wait for the stored id (up to `maxWaitMs`, then AssistantSyncBusyError, a
 * retryable failure).
 */
export async function ensureJobAssistant(
  deps: { db: TenantDb; vapi: VapiApi; clock?: () => Date; maxWaitMs?: number; server?: { keyring: Keyring; publicUrl: URL }; model?: AssistantModel },
  orgId: string,
  row: InterviewRow,
): Promise<{ assistantId: string; action: 'kept' | 'created' | 'updated' }> {
  const clock = deps.clock ?? (() => new Date());
  const started = Date.now();
  const server = deps.server ? await ensureAssistantServer({ db: deps.db, vapi: deps.vapi, ...deps.server }, orgId) : null;
  for (;;) {
    const step = await deps.db.withTenantTx(orgId, async (tx) => {
      await ensurePlan(tx, orgId, row.job_id, { questions: row.questions, maxDurationSeconds: row.max_duration_seconds, language: row.language });
      const plan = await findPlan(tx, row.job_id, true);
      if (!plan) throw new Error('interview plan vanished');
      const payload = assistantPayload(orgId, plan, server, deps.model);
      const hash = payloadHash(payload);
      if (plan.vapi_assistant_id && plan.assistant_hash === hash) return { kind: 'kept', assistantId: plan.vapi_assistant_id } as const;
      const now = clock();
      if (!(await claimAssistantSync(tx, row.job_id, now, new Date(now.getTime() + SYNC_CLAIM_MS)))) return { kind: 'busy' } as const;
      return { kind: 'sync', plan, payload, hash } as const;
    });
    if (step.kind === 'kept') return { assistantId: step.assistantId, action: 'kept' };
    if (step.kind === 'busy') {
      if (Date.now() - started >= (deps.maxWaitMs ?? 20_000)) throw new AssistantSyncBusyError('another worker is syncing this job\'s assistant');
      await new Promise((resolve) => setTimeout(resolve, SYNC_POLL_MS));
      continue;
    }
    const { plan, payload, hash } = step;
    let assistantId: string;
    let action: 'created' | 'updated';
    try {
      if (plan.vapi_assistant_id) {
        try {
          assistantId = (await deps.vapi.updateAssistant(plan.vapi_assistant_id, payload)).id;
          action = 'updated';
        } catch (err) {
          // Deleted in Vapi's dashboard: make a new one rather than failing every interview of the job.
          if (vapiStatusOf(err) !== 404) throw err;
          assistantId = (await deps.vapi.createAssistant(payload)).id;
          action = 'created';
        }
      } else {
        assistantId = (await deps.vapi.createAssistant(payload)).id;
        action = 'created';
      }
    } catch (err) {
      await deps.db.withTenantTx(orgId, (tx) => releaseAssistantSync(tx, row.job_id));
      throw err;
    }
    await deps.db.withTenantTx(orgId, (tx) => savePlanAssistant(tx, row.job_id, assistantId, hash));
    return { assistantId, action };
  }
}
