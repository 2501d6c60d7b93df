// AI and processing documentation generated from live configuration (issue 18 item 10;
// EU AI Act Art. 13/26 deployer information, GDPR Art. 28 subprocessors and Art. 30 record
// of processing). Nothing here is written by hand per org: every fact comes from the
// operator's config (AI provider, endpoint and model, Vapi, SMTP) and the org's settings
// (pinned model, retention, interviews, bias thresholds), so the documents change when the
// configuration does. Admins download Markdown or PDF; candidates get a public summary.
import type { Config } from '../../core/config.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import type { BiasReport } from '../bias/index.js';
import { assistantPayload, voiceFor } from '../interviews/index.js';
import type { Ctx } from '../../core/context.js';
import { findOrgBySlug } from '../orgs/index.js';
import { getRetention } from '../retention/index.js';
import { getAiSettings } from '../screening/index.js';
import { interviewFacts, latestStability, orgProfile, oversightCounts, type StabilitySummary } from './repo.js';

export const DOCUMENTS = ['system-card', 'subprocessors', 'processing-record'] as const;
export type DocumentKind = (typeof DOCUMENTS)[number];
const TITLES: Readonly<Record<DocumentKind, string>> = {
  'system-card': 'AI system card',
  subprocessors: 'Subprocessors',
  'processing-record': 'Record of processing activities',
};

export interface Subprocessor {
  name: string;
  purpose: string;
  /** Host or service the data goes to. */
  location: string;
  data: string;
  /** What kind of recipient it is: the candidate page words purpose and data in the candidate's language (issue 22). */
  kind: 'screening' | 'vapi' | 'interviewLlm' | 'transcriber' | 'voice' | 'mail';
  /** The model, voice or host the purpose names. */
  detail: string;
}

export interface DocFacts {
  org: { id: string; name: string; slug: string };
  generatedAt: string;
  screening: { provider: string; model: string; modelSource: 'org setting' | 'operator default'; endpoint: string | null; paused: boolean };
  interviews: { enabled: boolean; ownAssistant: boolean; llm: string; transcriber: string; voices: string[] } | null;
  retentionDays: number;
  mail: { host: string | null; from: string };
  subprocessors: Subprocessor[];
  stability: StabilitySummary | null;
  oversight: { screened: number; decided: number; overrode: number };
}

/** Host of a URL without credentials, path or query (an endpoint may carry a token). */
function hostOf(raw: string | null): string | null {
  if (!raw) return null;
  try {
    return new URL(raw).host || null;
  } catch {
    return null;
  }
}

export function providerName(p: string): string {
  const names: Record<string, string> = { openai: 'OpenAI', deepgram: 'Deepgram', azure: 'Microsoft Azure (Speech)', '11labs': 'ElevenLabs', elevenlabs: 'ElevenLabs', cartesia: 'Cartesia', playht: 'PlayHT', vapi: 'Vapi' };
  return names[p] ?? p;
}

// GlobalDb: public AI docs resolve the org from its slug before any tenant is known.
export function createAiDocsService(deps: { db: TenantDb & GlobalDb; config: Pick<Config, 'aiProvider' | 'openai' | 'vapi' | 'smtpUrl' | 'mailFrom'>; clock: () => Date }) {
  const { config } = deps;

  async function facts(orgId: string): Promise<DocFacts> {
    const loaded = await deps.db.withTenant(orgId, async (q) => ({
      org: await orgProfile(q, orgId),
      ai: await getAiSettings(q),
      retention: await getRetention(q),
      interviews: await interviewFacts(q),
      stability: await latestStability(q),
      oversight: await oversightCounts(q),
    }));
    if (!loaded.org) throw new NotFoundError({ resource: 'Organisation' });
    const simulated = config.aiProvider === 'simulated';
    const endpointHost = simulated ? null : (hostOf(config.openai.baseUrl) ?? 'api.openai.com');
    const screening = {
      provider: simulated ? 'simulated (no external model: deterministic test scorer)' : config.openai.baseUrl ? `OpenAI-compatible endpoint at ${endpointHost}` : 'OpenAI',
      model: simulated ? 'none' : (loaded.ai.model ?? config.openai.model),
      modelSource: loaded.ai.model ? ('org setting' as const) : ('operator default' as const),
      endpoint: endpointHost,
      paused: loaded.ai.paused,
    };
    // The managed assistant definition is the source of truth for the voice stack: read it, never restate it.
    let interviews: DocFacts['interviews'] = null;
    if (loaded.interviews.enabled) {
      const plans = loaded.interviews.plans.length ? loaded.interviews.plans : [{ language: 'en', voice: null }];
      const sample = assistantPayload(orgId, { job_id: '00000000-0000-0000-0000-000000000000', language: plans[0]?.language ?? 'en', max_duration_seconds: 900, voice: plans[0]?.voice ?? null });
      const model = sample.model as { provider?: string; model?: string } | undefined;
      const transcriber = sample.transcriber as { provider?: string; model?: string } | undefined;
      const voices = [...new Set(plans.map((p) => providerName(String((voiceFor(p.language, p.voice) as { provider?: string }).provider ?? 'unknown'))))].sort();
      interviews = {
        enabled: true,
        ownAssistant: loaded.interviews.ownAssistant,
        llm: `${providerName(model?.provider ?? 'unknown')} ${model?.model ?? ''}`.trim(),
        transcriber: `${providerName(transcriber?.provider ?? 'unknown')} ${transcriber?.model ?? ''}`.trim(),
        voices,
      };
    }
    const mailHost = config.smtpUrl ? hostOf(config.smtpUrl.reveal()) : null;
    const subprocessors: Subprocessor[] = [];
    if (!simulated) {
      subprocessors.push({
        name: config.openai.baseUrl ? `OpenAI-compatible model endpoint (${endpointHost})` : 'OpenAI',
        purpose: `AI-assisted CV screening${interviews ? ' and interview transcript scoring' : ''} (model ${screening.model})`,
        location: endpointHost ?? 'api.openai.com',
        data: 'CV text with names, contact details and demographic hints removed; job criteria; interview transcripts',
        kind: 'screening',
        detail: screening.model,
      });
    }
    if (interviews) {
      subprocessors.push({ name: 'Vapi', purpose: 'AI voice interviews (calls, transcription, voice)', location: hostOf(config.vapi.baseUrl) ?? 'api.vapi.ai', data: 'Phone number, call audio (only with recording consent), transcript, interview questions', kind: 'vapi', detail: '' });
      subprocessors.push({ name: interviews.llm.split(' ')[0] ?? 'OpenAI', purpose: `Language model of the voice interviewer (${interviews.llm}), via Vapi`, location: 'via Vapi', data: 'The spoken conversation as text', kind: 'interviewLlm', detail: interviews.llm });
      subprocessors.push({ name: interviews.transcriber.split(' ')[0] ?? 'Deepgram', purpose: `Speech-to-text of interviews (${interviews.transcriber}), via Vapi`, location: 'via Vapi', data: 'Call audio', kind: 'transcriber', detail: interviews.transcriber });
      for (const v of interviews.voices) subprocessors.push({ name: v, purpose: 'Text-to-speech voice of the interviewer, via Vapi', location: 'via Vapi', data: 'The interviewer\'s questions (no candidate data)', kind: 'voice', detail: v });
    }
    if (mailHost) subprocessors.push({ name: `E-mail relay (${mailHost})`, purpose: 'Messages to candidates and members', location: mailHost, data: 'E-mail address, message text', kind: 'mail', detail: mailHost });
    return {
      org: { id: orgId, ...loaded.org },
      generatedAt: deps.clock().toISOString(),
      screening,
      interviews,
      retentionDays: loaded.retention.days,
      mail: { host: mailHost, from: config.mailFrom },
      subprocessors,
      stability: loaded.stability,
      oversight: loaded.oversight,
    };
  }

  return {
    facts,
    async document(ctx: Ctx, kind: DocumentKind, bias: BiasReport | null): Promise<{ title: string; markdown: string }> {
      const f = await facts(ctx.orgId);
      const markdown = kind === 'system-card' ? renderSystemCard(f, bias) : kind === 'subprocessors' ? renderSubprocessors(f) : renderProcessingRecord(f);
      return { title: `${TITLES[kind]} — ${f.org.name}`, markdown };
    },
    /** The public summary's facts by org slug; 404 for an unknown or offboarding org. */
    async publicFacts(slug: string): Promise<DocFacts> {
      const org = await findOrgBySlug(deps.db.pool, slug);
      if (!org) throw new NotFoundError({ resource: 'Organisation' });
      return facts(org.id);
    },
  };
}
export type AiDocsService = ReturnType<typeof createAiDocsService>;

// --- Markdown ---------------------------------------------------------------------------

/** Markdown-safe text: org names and settings are tenant-controlled. */
function md(s: string): string {
  return s.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

function header(f: DocFacts, title: string): string[] {
  return [`# ${title} — ${md(f.org.name)}`, '', `Generated ${f.generatedAt} from the live configuration of hirebox for ${md(f.org.name)}.`, ''];
}

export function renderSystemCard(f: DocFacts, bias: BiasReport | null): string {
  const lines = header(f, 'AI system card');
  lines.push(
    '## Intended purpose',
    '',
    `hirebox assists ${md(f.org.name)}'s recruiters in reviewing job applications. It suggests, per job criterion, a score and a recommendation (advance, review, not advance) with quotes from the CV as evidence${f.interviews ? ', and runs structured voice interviews whose transcripts are scored per question' : ''}. It does not decide: every stage move and outcome is a person's decision. Not intended for: emotion, voice-trait or personality inference; decisions without human review; any use outside recruitment.`,
    '',
    '## Models and providers in use',
    '',
    `- CV screening: ${md(f.screening.provider)}; model **${md(f.screening.model)}** (${f.screening.modelSource})${f.screening.paused ? ' — screening is currently paused by the org' : ''}. Temperature 0 and a fixed seed.`,
  );
  if (f.interviews) {
    lines.push(`- Voice interviews (Vapi): language model ${md(f.interviews.llm)}; speech-to-text ${md(f.interviews.transcriber)}; voice ${f.interviews.voices.map(md).join(', ')}${f.interviews.ownAssistant ? ' (the org also names its own Vapi assistant, whose providers are set at Vapi)' : ''}.`);
    lines.push('- Interview scoring: the CV screening model above, on the transcript only.');
  } else {
    lines.push('- Voice interviews: off for this org.');
  }
  lines.push(
    '',
    '## Inputs',
    '',
    '- The CV text, with names, e-mail addresses, phone numbers, links and demographic hints removed before the model sees it (blinded).',
    '- The job\'s criteria (name, description, weight, must-have) as set by the recruiters.',
    ...(f.interviews ? ['- Interview transcripts (what the candidate said; no audio features).'] : []),
    '- Never: self-identified demographics, photos, age, or anything from outside the application.',
    '',
    '## Human oversight',
    '',
    '- Every decision is made and recorded by a person; the AI output is a suggestion with evidence.',
    '- Recruiters can contest a screening, re-run it, or review without it; the org can pause AI screening at any time.',
    `- So far: ${f.oversight.screened} completed screenings, ${f.oversight.decided} recorded decisions, ${f.oversight.overrode} of them recorded as not following the AI recommendation.`,
    '',
    '## Measured score stability',
    '',
  );
  if (f.stability) {
    const s = f.stability;
    lines.push(`Latest check ${s.at.toISOString()}: ${s.sampled} applications re-scored ${s.runsPerApplication} times each with ${md(s.provider)} ${md(s.model)}; ${s.stable ? 'all scores identical and verdicts unanimous' : 'scores varied'}.`, '');
    lines.push('| Criterion | Largest spread (points) | Mean std. dev. | Mean verdict agreement |', '| --- | --- | --- | --- |');
    for (const c of s.criteria) lines.push(`| ${md(c.name)} | ${c.maxSpread} | ${c.meanStdev} | ${Math.round(c.meanVerdictAgreement * 100)}% |`);
  } else {
    lines.push('No stability check has been run yet (`hirebox screening stability --job ID`).');
  }
  lines.push('', '## Latest bias report', '');
  if (bias && bias.totals.applications > 0) {
    const min = bias.settings.minSampleSize;
    lines.push(
      `Generated ${bias.generatedAt}: ${bias.totals.applications} applications, ${bias.totals.withDemographics} with self-identified demographics. Impact ratios below ${bias.settings.impactRatioThreshold} are flagged. Categories with fewer than ${min} people, or under ${bias.settings.minSampleShare * 100}% of those assessed, are suppressed (shown as "suppressed") so that no individual can be singled out.`,
      '',
      '| Dimension | Category | Applicants | Advanced rate | Impact ratio |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const d of bias.dimensions) {
      for (const c of d.categories) {
        // A count under the minimum is hidden; a rate or ratio is hidden when its own sample is small.
        const fewPeople = c.applicants < min;
        const small = fewPeople || c.advanced.smallSample;
        lines.push(
          `| ${md(d.label)} | ${md(c.category)} | ${fewPeople ? `suppressed (<${min})` : c.applicants} | ${small || c.advanced.rate === null ? 'suppressed' : `${Math.round(c.advanced.rate * 100)}%`} | ${small || c.advanced.impactRatio === null ? 'suppressed' : c.advanced.impactRatio.toFixed(2)} |`,
        );
      }
    }
    lines.push('', `Flagged: ${bias.breaches.length === 0 ? 'none' : bias.breaches.map((b) => `${md(b.dimension)} / ${md(b.category)} (${b.metric}, ratio ${b.impactRatio.toFixed(2)})`).join('; ')}.`);
  } else {
    lines.push('No applications with outcomes yet: no bias figures.');
  }
  lines.push(
    '',
    '## Known limits',
    '',
    '- Language models can misread CVs (unusual layouts, scanned PDFs without text, languages other than the job\'s) and score two equivalent CVs differently; the stability figures above measure this.',
    '- Blinding removes direct identifiers but cannot remove every proxy (schools, places, gaps in employment).',
    '- Bias figures need enough self-identified answers; small groups are suppressed and cannot be judged.',
    ...(f.interviews ? ['- Speech-to-text errors (accents, noise, line quality) flow into the transcript that is scored; recruiters should read the transcript, not only the score.'] : []),
    '- The AI never sees information a candidate did not submit, and never makes or records a decision.',
    '',
  );
  return lines.join('\n');
}

export function renderSubprocessors(f: DocFacts): string {
  const lines = header(f, 'Subprocessors');
  lines.push('Processors hirebox hands personal data to on behalf of this org (GDPR Art. 28). The hirebox server itself, its database and its backups run on the operator\'s own infrastructure.', '');
  if (f.subprocessors.length === 0) {
    lines.push('None: no AI provider, voice interviews or external mail relay is configured.');
  } else {
    lines.push('| Subprocessor | Purpose | Where | Data |', '| --- | --- | --- | --- |');
    for (const s of f.subprocessors) lines.push(`| ${md(s.name)} | ${md(s.purpose)} | ${md(s.location)} | ${md(s.data)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

export function renderProcessingRecord(f: DocFacts): string {
  const lines = header(f, 'Record of processing activities (GDPR Art. 30)');
  lines.push(
    `- **Controller:** ${md(f.org.name)}.`,
    '- **Processing activity:** recruitment — receiving and assessing job applications, AI-assisted screening' + (f.interviews ? ', AI voice interviews' : '') + ', communication with applicants, decisions.',
    '',
    '## Purposes',
    '',
    '- Assessing applications for open jobs and deciding on them.',
    '- Communicating with applicants (acknowledgements, interview invitations, outcomes).',
    '- Monitoring the fairness of the process (bias report on voluntary, self-identified demographics).',
    '- Security and accountability (audit log of who viewed, changed or exported what).',
    '',
    '## Categories of data subjects',
    '',
    '- Job applicants (candidates).',
    '- Members of the hiring team (recruiters, hiring managers, admins, auditors).',
    '',
    '## Categories of personal data',
    '',
    '- Identity and contact: name, e-mail address, phone number, location, links.',
    '- Application content: CV file and text, answers, notes and ratings by the hiring team, decisions.',
    '- AI outputs: scores, recommendations and quoted evidence.',
    ...(f.interviews ? ['- Interviews: phone number, transcript, recording (only with consent).'] : []),
    '- Voluntary, self-identified demographics (special categories where they reveal racial or ethnic origin or health), kept separately and used only in aggregate.',
    '',
    '## Recipients',
    '',
    `- The org's hiring team, by role. Subprocessors: ${f.subprocessors.length ? f.subprocessors.map((s) => md(s.name)).join(', ') : 'none'}.`,
    '',
    '## Retention',
    '',
    `- Candidate data is erased ${f.retentionDays} days after an application's final decision (org setting), by destroying the candidate's encryption key; applications without personal data stay for statistics.`,
    '- The audit log is kept without personal data for the org\'s lifetime.',
    '',
    '## Security measures',
    '',
    '- Personal data encrypted per candidate (AES-256-GCM, keys wrapped by an org key and a master key); erasure destroys the key.',
    '- Tenant isolation in the database (row-level security), role-based access, MFA, audit log with a signed hash chain.',
    '- Encrypted backups; outbound requests to tenant-set URLs restricted to public addresses.',
    '',
  );
  return lines.join('\n');
}
