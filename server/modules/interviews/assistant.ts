// The Vapi assistant hirebox manages per job when the org has not configured its own
// assistantId: built from the job's interview plan (language -> transcriber language and
// voice, max duration), created once with POST /assistant and PATCHed when the plan's
// relevant fields change (a hash of the last payload sent is stored with the plan).
// The first message always says the caller is an AI; recording is off on the assistant
// and switched on per call only with the candidate's consent (assistantOverrides).
import { createHash } from 'node:crypto';
import type { Vapi } from '@vapi-ai/server-sdk';
import type { Db } from '../../core/db.js';
import { ensurePlan, findPlan, savePlanAssistant, type InterviewRow, type PlanRow, type VoiceSetting } from './repo.js';
import { vapiStatusOf, type VapiApi } from './vapi.js';

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

/** The assistant payload for a job's plan. Field order is fixed so the hash is stable. */
export function assistantPayload(orgId: string, plan: Pick<PlanRow, 'job_id' | 'language' | 'max_duration_seconds' | 'voice'>): Vapi.CreateAssistantDto {
  return {
    name: `hirebox interview ${plan.job_id.slice(0, 8)}`,
    firstMessage: firstMessageFor(plan.language),
    firstMessageMode: 'assistant-speaks-first',
    model: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'system', content: SYSTEM_PROMPT }] },
    transcriber: { provider: 'deepgram', model: 'nova-2', language: plan.language as Vapi.DeepgramTranscriberLanguage },
    voice: voiceFor(plan.language, plan.voice),
    maxDurationSeconds: plan.max_duration_seconds,
    // Off by default: a call records only when its overrides say so (candidate consent).
    artifactPlan: { recordingEnabled: false },
    metadata: { managedBy: 'hirebox', orgId, jobId: plan.job_id },
  };
}

export function payloadHash(payload: Vapi.CreateAssistantDto): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}

/**
 * The assistant id for this interview's job, creating or updating the managed assistant
 * first when needed. HTTP happens outside any transaction; two concurrent first calls for
 * the same job may each create one (the later id wins and the other is unused).
 */
export async function ensureJobAssistant(deps: { db: Db; vapi: VapiApi }, orgId: string, row: InterviewRow): Promise<{ assistantId: string; action: 'kept' | 'created' | 'updated' }> {
  const plan = await deps.db.withTenantTx(orgId, async (tx) => {
    await ensurePlan(tx, orgId, row.job_id, { questions: row.questions, maxDurationSeconds: row.max_duration_seconds, language: row.language });
    return findPlan(tx, row.job_id);
  });
  if (!plan) throw new Error('interview plan vanished');
  const payload = assistantPayload(orgId, plan);
  const hash = payloadHash(payload);
  if (plan.vapi_assistant_id && plan.assistant_hash === hash) return { assistantId: plan.vapi_assistant_id, action: 'kept' };
  let assistantId: string;
  let action: 'created' | 'updated';
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
  await deps.db.withTenantTx(orgId, (tx) => savePlanAssistant(tx, row.job_id, assistantId, hash));
  return { assistantId, action };
}
