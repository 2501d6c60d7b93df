// Interviews on the application page: invite the candidate to an AI voice interview, the
// interview's status (polled, so consent, the call and its end show up without a reload),
// and once there is a transcript: the speaker-attributed turns beside the advisory
// per-question scores, with each score's evidence quotes marked inside the candidate's own
// turns. Unanswerable questions are shown as "insufficient evidence", never as a score.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, get, post, type Application, type Interview, type InterviewQuestionScore, type InterviewScoring } from '../api.js';
import { highlight } from '../highlight.js';
import { useSession } from '../session.js';
import { ConfirmButton, ErrorBox, Notice, NotLoaded, useAction, useData, when } from '../ui.js';
import { patchAt, removeAt } from '../list-edit.js';
import { parseTranscript } from '../../../core/transcript.js';

const human = (s: string): string => s.replace(/_/g, ' ');

const STATUS_TEXT: Record<string, string> = {
  invited: 'Invitation sent; waiting for the candidate to open it and consent.',
  declined: 'The candidate declined the AI interview.',
  human_requested: 'The candidate asked for a human interviewer: arrange one; no AI call is made.',
  scheduled: 'The candidate consented; the call is being placed.',
  calling: 'Calling the candidate…',
  in_progress: 'The interview is in progress.',
  ended: 'The interview has ended.',
  failed: 'The call could not be completed.',
  cancelled: 'The interview was cancelled.',
  unreachable: 'The candidate could not be reached after every re-dial: contact them another way.',
};
const FINAL = new Set(['declined', 'human_requested', 'failed', 'cancelled', 'unreachable']);
const INSUFFICIENT_TEXT: Record<string, string> = {
  not_asked: 'the question was not asked in the call',
  no_answer: 'the candidate did not answer',
  too_short: 'the answer is too short to judge',
  garbled: 'the transcript of the answer is garbled',
  model: 'the AI found the answer insufficient',
};
const VERDICT_LABEL: Record<string, string> = { met: 'met', partly: 'partly met', not_met: 'not met', insufficient_evidence: 'insufficient evidence' };


/** One call window or weekly-hours row of the plan: what comes first (the day), from, until, and its remove button. */
function RangeRow(props: { what: 'Window' | 'Hours'; i: number; type: 'datetime-local' | 'time'; range: { start: string; end: string }; onChange: (p: { start?: string; end?: string }) => void; onRemove: () => void; children?: ComponentChildren }) {
  const n = props.i + 1;
  return (
    <div class="cols">
      {props.children}
      <label>
        {props.what} {n} from
        <input type={props.type} required value={props.range.start} onInput={(e) => props.onChange({ start: e.currentTarget.value })} />
      </label>
      <label>
        {props.what} {n} until
        <input type={props.type} required value={props.range.end} onInput={(e) => props.onChange({ end: e.currentTarget.value })} />
      </label>
      <button type="button" class="danger" aria-label={`Remove ${props.what.toLowerCase()} ${n}`} onClick={props.onRemove}>
        Remove
      </button>
    </div>
  );
}

/** Interview ids of the application, newest first (from its timeline). */
function interviewIds(a: Application): string[] {
  const ids: string[] = [];
  for (const e of a.timeline) {
    const id = e.type === 'interview.invited' ? e.data.interviewId : undefined;
    if (typeof id === 'string' && !ids.includes(id)) ids.push(id);
  }
  return ids.reverse();
}

export function InterviewsPanel({ a, onChanged }: { a: Application; onChanged: () => void }) {
  const session = useSession();
  const manage = session.can('interviews:manage');
  const ids = interviewIds(a);
  return (
    <section aria-labelledby="int-h" class="card">
      <h2 id="int-h">Interviews</h2>
      {ids.length === 0 ? <p class="muted">No interview yet.{manage ? ' Invite the candidate to an AI voice interview below; they can always ask for a human interviewer instead.' : ''}</p> : null}
      {ids.map((id) => (
        <InterviewView key={id} id={id} manage={manage} onChanged={onChanged} />
      ))}
      {manage ? <InviteForm a={a} onDone={onChanged} /> : null}
    </section>
  );
}

function InviteForm({ a, onDone }: { a: Application; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState('15');
  const [language, setLanguage] = useState('en');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();
  if (!open) {
    return (
      <>
        {sent ? <Notice>Invitation sent. The candidate gets an email with a link valid for 7 days.</Notice> : null}
        <button type="button" class="secondary" onClick={() => (setSent(false), setOpen(true))}>
          Invite to AI interview
        </button>
      </>
    );
  }
  return (
    <form
      class="invite-form"
      aria-label="Invite to AI interview"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await post<Interview>(`/api/v1/applications/${a.id}/interviews`, {
            maxDurationSeconds: Math.round(Number(minutes) * 60),
            language,
          });
          setOpen(false);
          setSent(true);
          onDone();
        });
      }}
    >
      <h3>Invite to AI interview</h3>
      <p class="muted hint">The candidate is emailed a single-use link with the notice (AI interviewer, recording, retention) and can consent, decline or ask for a human.</p>
      <p class="muted hint">The questions are the job's approved interview plan (edit and approve it on the job page).</p>
      <div class="cols">
        <label>
          Maximum length (minutes)
          <input name="maxMinutes" type="number" min={1} max={60} step={1} required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
        </label>
        <label>
          Language
          <input name="language" pattern="[a-z]{2}(-[A-Z]{2})?" required value={language} onInput={(e) => setLanguage(e.currentTarget.value)} />
        </label>
      </div>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>
        Send invitation
      </button>
      <button type="button" class="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

function pollMs(v: Interview | undefined): number | undefined {
  if (!v) return 5000;
  if (v.invite.revokedAt || FINAL.has(v.status)) return undefined;
  if (v.status === 'invited') return 10_000;
  if (v.status !== 'ended') return 3000;
  const s = v.scoring;
  if (!v.transcript || !s || s.status === 'pending') return 3000;
  if (s.status === 'waiting') return 10_000;
  return undefined;
}

function InterviewView({ id, manage, onChanged }: { id: string; manage: boolean; onChanged: () => void }) {
  const iv = useData(() => get<Interview>(`/api/v1/interviews/${id}`), [id], pollMs);
  const revoke = useAction();
  const v = iv.data;
  if (!v) return <NotLoaded error={iv.error} />;
  const revocable = v.status === 'invited' && !v.invite.usedAt && !v.invite.revokedAt;
  const cancellable = !v.cancelled && !v.invite.revokedAt && (v.status === 'invited' || v.status === 'scheduled' || Boolean(v.schedule?.nextAttemptAt));
  const live = (v.status === 'calling' || v.status === 'in_progress') && v.call.status !== 'hanging-up';
  const statusText = v.invite.revokedAt ? 'The invitation was revoked.' : (STATUS_TEXT[v.status] ?? human(v.status));
  return (
    <div class="interview" data-testid="interview" data-status={v.status}>
      <p>
        <span class={`badge iv-${v.status}`} data-testid="interview-status">
          {v.invite.revokedAt ? 'revoked' : human(v.status)}
        </span>{' '}
        <span role="status">{statusText}</span>
      </p>
      <p class="muted">
        Invited {when(v.createdAt)} · {v.questions.length} question(s) · up to {Math.round(v.maxDurationSeconds / 60)} min · {v.language}
        {v.status === 'invited' && !v.invite.revokedAt ? ` · link valid until ${when(v.invite.expiresAt)}` : ''}
        {v.consent?.consentedAt ? ` · consented ${when(v.consent.consentedAt)} (notice ${v.consent.noticeVersion}${v.consent.recording ? ', recording allowed' : ', no recording'})` : ''}
      </p>
      {v.schedule?.display || v.schedule?.scheduledFor ? <p>Scheduled for {v.schedule.display ?? when(v.schedule.scheduledFor)}{v.schedule.timezone ? ` (${v.schedule.timezone})` : ''}.</p> : null}
      {v.schedule?.nextAttemptAt ? <p>Re-dial planned {when(v.schedule.nextAttemptAt)}.</p> : null}
      {v.attempts && v.attempts.length > 1 ? <p class="muted">{v.attempts.length} call attempts: {v.attempts.map((x) => human(x.endedReason ?? 'in progress')).join(', ')}.</p> : null}
      {v.call.error || v.call.endedReason ? <p class={v.status === 'failed' || v.status === 'unreachable' ? 'error' : 'muted'}>Call: {human(v.call.error ?? v.call.endedReason ?? '')}</p> : null}
      {revocable && manage ? (
        <ConfirmButton
          class="danger"
          action={revoke}
          confirm="Revoke this interview invitation? The link stops working."
          onConfirm={async () => {
            await post(`/api/v1/interviews/${v.id}/revoke`);
            await iv.reload();
            onChanged();
          }}
        >
          Revoke invitation
        </ConfirmButton>
      ) : null}
      {cancellable && manage ? (
        <ConfirmButton
          class="danger"
          action={revoke}
          confirm="Cancel this interview? No call is placed afterwards."
          onConfirm={async () => {
            iv.setData(await post<Interview>(`/api/v1/interviews/${v.id}/cancel`));
            onChanged();
          }}
        >
          Cancel interview
        </ConfirmButton>
      ) : null}
      {live && manage ? (
        <ConfirmButton
          class="danger"
          action={revoke}
          confirm="End this call now? The candidate is disconnected; what was said so far is kept."
          onConfirm={async () => {
            iv.setData(await post<Interview>(`/api/v1/interviews/${v.id}/hang-up`));
            onChanged();
          }}
        >
          Hang up
        </ConfirmButton>
      ) : null}
      {v.call.status === 'hanging-up' ? <p class="muted">Ending the call…</p> : null}
      <ErrorBox error={revoke.error ?? (iv.data ? iv.error : null)} />
      {v.assistantModel ? <p class="muted">Voice assistant model: {v.assistantModel.provider}/{v.assistantModel.model}</p> : null}
      {v.recording ? (
        <section aria-labelledby={`rec-${v.id}`}>
          <h3 id={`rec-${v.id}`}>Recording</h3>
          {/* Streamed with range requests from the box; each play is recorded in the audit log. */}
          <audio controls preload="none" src={`/api/v1/interviews/${v.id}/recording`} aria-labelledby={`rec-${v.id}`}>
            <track kind="captions" />
          </audio>
        </section>
      ) : null}
      {v.transcript ? (
        <TranscriptAndScores id={v.id} transcript={v.transcript} scoring={v.scoring} />
      ) : v.status === 'ended' ? (
        <Notice>The call ended; the transcript appears here when Vapi's report arrives. This page updates by itself.</Notice>
      ) : null}
    </div>
  );
}

function TranscriptAndScores({ id, transcript, scoring }: { id: string; transcript: string; scoring: InterviewScoring | null }) {
  const turns = parseTranscript(transcript, 'interviewer');
  const completed = scoring?.status === 'completed';
  const quotes = completed ? scoring.questions.flatMap((q) => q.evidence.filter((e) => e.grounded).map((e) => e.quote)) : [];
  return (
    <div class="interview-grid">
      <section aria-labelledby={`tr-${id}`} class="transcript-col">
        <h3 id={`tr-${id}`}>Transcript</h3>
        <ol class="transcript" aria-label="Transcript" tabIndex={0}>
          {turns.map((t, i) => (
            <li key={i} class={`turn turn-${t.speaker}`}>
              <span class="speaker">{t.speaker === 'candidate' ? 'Candidate' : 'Interviewer (AI)'}</span>
              <p>
                {t.speaker === 'candidate'
                  ? highlight(t.text, quotes).map((p, j) =>
                      p.mark ? (
                        <mark key={j} class="iv-evidence" title="Quoted by the AI scoring as evidence">
                          {p.text}
                        </mark>
                      ) : (
                        p.text
                      ),
                    )
                  : t.text}
              </p>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby={`isc-${id}`} class="scores-col">
        <h3 id={`isc-${id}`}>AI scores per question</h3>
        <ScoringView scoring={scoring} />
      </section>
    </div>
  );
}

function ScoringView({ scoring }: { scoring: InterviewScoring | null }) {
  if (!scoring) return <Notice>Scoring has not started yet; scores appear here when it does. This page updates by itself.</Notice>;
  const advisory = (
    <p class="advisory" data-testid="interview-advisory">
      <span class="badge advisory-badge">Advisory</span>
      {scoring.simulated ? <span class="badge simulated-badge">Simulated</span> : null} AI-generated from the transcript text only (no voice, tone or emotion analysis). A human decides.
      {scoring.simulated ? ' Simulated provider: a length heuristic, not a model judgement.' : ''}
    </p>
  );
  if (scoring.status !== 'completed') {
    const reason = scoring.reason ? human(scoring.reason) : null;
    const text =
      scoring.status === 'pending'
        ? 'Scoring in progress… This page updates by itself.'
        : scoring.status === 'waiting'
          ? `Scoring is waiting${reason ? ` (${reason})` : ''}; it continues by itself.`
          : `Scoring failed${reason ? `: ${reason}` : ''}. Read the transcript and judge it yourself.`;
    return (
      <div data-testid="interview-scoring" data-status={scoring.status}>
        {advisory}
        <Notice>{text}</Notice>
      </div>
    );
  }
  return (
    <div data-testid="interview-scoring" data-status={scoring.status}>
      {advisory}
      <p>
        {scoring.overallScore !== null ? (
          <>
            Overall <strong>{scoring.overallScore}/100</strong>
          </>
        ) : (
          <strong>No overall score</strong>
        )}
        <span class="muted">
          {' '}
          · {scoring.provider ?? 'AI'} {scoring.model ?? ''} · {when(scoring.completedAt)}
        </span>
      </p>
      {scoring.flags.length ? (
        <div class="flag-box">
          <ul class="flags" aria-label="Interview flags">
            {scoring.flags.map((f) => (
              <li key={f} class={`flag flag-${f}`}>
                {human(f)}
              </li>
            ))}
          </ul>
          {scoring.reasons.length ? (
            <ul class="flag-reasons">
              {scoring.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {scoring.summary ? <p>{scoring.summary}</p> : null}
      <ol class="criteria" aria-label="Question scores">
        {scoring.questions.map((q) => (
          <QuestionScore key={q.key} q={q} />
        ))}
      </ol>
    </div>
  );
}

function QuestionScore({ q }: { q: InterviewQuestionScore }) {
  const insufficient = q.status === 'insufficient_evidence';
  return (
    <li class={insufficient ? 'insufficient' : undefined}>
      <p>
        <strong>{q.question}</strong>
      </p>
      {insufficient ? (
        <p>
          <span class="badge verdict-insufficient_evidence">Insufficient evidence</span> <span>Not scored: {INSUFFICIENT_TEXT[q.insufficientReason ?? ''] ?? human(q.insufficientReason ?? 'no scorable answer')}.</span>
        </p>
      ) : (
        <p>
          <span class="score">{q.score ?? '—'}/4</span> <span class={`badge verdict-${q.verdict}`}>{VERDICT_LABEL[q.verdict] ?? human(q.verdict)}</span> {q.confidence ? <span class="muted">confidence {q.confidence}</span> : null}
        </p>
      )}
      <p>{q.reasoning}</p>
      {q.evidence.map((e, i) =>
        e.grounded ? (
          <blockquote key={i} class="evidence">
            <mark>{e.quote}</mark>
          </blockquote>
        ) : (
          <blockquote key={i} class="evidence ungrounded">
            Not said by the candidate (ungrounded): {e.quote}
          </blockquote>
        ),
      )}
    </li>
  );
}

interface PlanQuestion {
  text: string;
  criterion: string | null;
  criterionName: string | null;
  anchor: string | null;
}

interface Plan {
  jobId: string;
  status: 'none' | 'draft' | 'approved';
  source: 'recruiter' | 'ai' | 'legacy' | null;
  questions: PlanQuestion[];
  criteria: { key: string; name: string; mustHave: boolean }[];
  problems: { question: number | null; code: string; detail: string }[];
  draft: { model: string | null; seed: number | null } | null;
  approvedAt: string | null;
  maxDurationSeconds: number;
  language: string;
  availability: { start: string; end: string }[];
  weeklyHours: WeeklyHours | null;
  voice: { provider: string; voiceId: string } | null;
  assistant: { id: string | null; synced: boolean };
}

interface WeeklyHours {
  timezone: string;
  days: { weekday: number; start: string; end: string }[];
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** ISO instant -> the value of a datetime-local input in the browser's time zone. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The job's AI interview plan: questions, length, language, voice and the call windows offered to candidates. */
export function InterviewPlanEditor({ jobId }: { jobId: string }) {
  const plan = useData(() => get<Plan>(`/api/v1/interview-plans/${jobId}`), [jobId]);
  const [form, setForm] = useState<{
    questions: { text: string; criterion: string; anchor: string }[];
    minutes: string;
    language: string;
    voiceProvider: string;
    voiceId: string;
    windows: { start: string; end: string }[];
    hoursTimezone: string;
    hours: { weekday: string; start: string; end: string }[];
  } | null>(null);
  const save = useAction();
  const review = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  if (!plan.data) return <NotLoaded error={plan.error} card />;
  const p = plan.data;
  const f = form ?? {
    questions: p.questions.map((q) => ({ text: q.text, criterion: q.criterion ?? '', anchor: q.anchor ?? '' })),
    minutes: String(Math.round(p.maxDurationSeconds / 60)),
    language: p.language,
    voiceProvider: p.voice?.provider ?? '',
    voiceId: p.voice?.voiceId ?? '',
    windows: p.availability.map((w) => ({ start: toLocalInput(w.start), end: toLocalInput(w.end) })),
    hoursTimezone: p.weeklyHours?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    hours: (p.weeklyHours?.days ?? []).map((d) => ({ weekday: String(d.weekday), start: d.start, end: d.end })),
  };
  const set = (patch: Partial<typeof f>): void => {
    setSaved(null);
    setForm({ ...f, ...patch });
  };
  const setQuestion = (i: number, patch: Partial<(typeof f.questions)[number]>): void => set({ questions: patchAt(f.questions, i, patch) });
  const reviewed = (next: Plan, message: string): void => {
    plan.setData(next);
    setForm(null);
    setSaved(message);
  };
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <form
      class="card"
      aria-labelledby="plan-h"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          const next = await api<Plan>('PUT', `/api/v1/interview-plans/${jobId}`, {
            questions: f.questions.map((q) => ({ text: q.text.trim(), criterion: q.criterion, anchor: q.anchor.trim() })),
            maxDurationSeconds: Math.round(Number(f.minutes) * 60),
            language: f.language.trim(),
            availability: f.windows.filter((w) => w.start && w.end).map((w) => ({ start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString() })),
            weeklyHours: f.hours.length > 0 ? { timezone: f.hoursTimezone.trim(), days: f.hours.map((h) => ({ weekday: Number(h.weekday), start: h.start, end: h.end })) } : null,
            voice: f.voiceProvider.trim() && f.voiceId.trim() ? { provider: f.voiceProvider.trim(), voiceId: f.voiceId.trim() } : null,
          });
          reviewed(next, next.status === 'approved' ? 'Interview plan saved.' : 'Interview plan saved as a draft. Approve it before inviting candidates.');
        });
      }}
    >
      <h2 id="plan-h">AI interview plan</h2>
      <p class="muted">
        What the AI interviewer asks candidates invited for this job, and when it may call. {p.assistant.id ? (p.assistant.synced ? 'The Vapi assistant is up to date.' : 'The Vapi assistant is updated before the next call.') : 'The organisation’s Vapi assistant is used.'}
      </p>
      <PlanStatus p={p} />
      {p.problems.length > 0 ? (
        <ul class="error" aria-label="Plan problems">
          {p.problems.map((x, i) => (
            <li key={i}>{x.detail}</li>
          ))}
        </ul>
      ) : null}
      <div class="actions">
        <button type="button" class="secondary" disabled={review.busy || save.busy} onClick={() => void review.run(async () => reviewed(await post<Plan>(`/api/v1/interview-plans/${jobId}/draft`, { language: ['en', 'de', 'fr', 'es', 'nl'].includes(f.language) ? f.language : 'en' }), 'Draft ready: review each question, edit if needed, then save and approve.'))}>
          Draft with AI
        </button>
        <button type="button" disabled={review.busy || save.busy || form !== null || p.status !== 'draft'} onClick={() => void review.run(async () => reviewed(await post<Plan>(`/api/v1/interview-plans/${jobId}/approve`, {}), 'Interview plan approved: candidates can be invited.'))}>
          Approve plan
        </button>
      </div>
      {form !== null && p.status === 'draft' ? <p class="muted hint">Save your changes before approving.</p> : null}
      <ErrorBox error={review.error} />
      <fieldset>
        <legend>Questions (each assesses one criterion; the anchor says what a full answer shows)</legend>
        {f.questions.length === 0 ? <p class="muted">No questions yet: draft them with AI or add them.</p> : null}
        <ol class="plan-questions">
          {f.questions.map((q, i) => (
            <li key={i}>
              <label>
                Question {i + 1}
                <textarea rows={2} required maxLength={500} value={q.text} onInput={(e) => setQuestion(i, { text: e.currentTarget.value })} />
              </label>
              <div class="cols">
                <label>
                  Question {i + 1} criterion
                  <select required value={q.criterion} onChange={(e) => setQuestion(i, { criterion: e.currentTarget.value })}>
                    <option value="">Choose a criterion</option>
                    {p.criteria.map((c) => (
                      <option key={c.key} value={c.key}>
                        {c.name}
                        {c.mustHave ? ' (must-have)' : ''}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Question {i + 1} rubric anchor
                  <input required maxLength={500} value={q.anchor} onInput={(e) => setQuestion(i, { anchor: e.currentTarget.value })} />
                </label>
                <button type="button" class="danger" aria-label={`Remove question ${i + 1}`} onClick={() => set({ questions: removeAt(f.questions, i) })}>
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ol>
        <button type="button" class="secondary" disabled={f.questions.length >= 20} onClick={() => set({ questions: [...f.questions, { text: '', criterion: '', anchor: '' }] })}>
          Add question
        </button>
      </fieldset>
      <div class="cols">
        <label>
          Maximum length (minutes)
          <input name="planMinutes" type="number" min={1} max={60} step={1} required value={f.minutes} onInput={(e) => set({ minutes: e.currentTarget.value })} />
        </label>
        <label>
          Interview language
          <input name="planLanguage" pattern="[a-z]{2}(-[A-Z]{2})?" required value={f.language} onInput={(e) => set({ language: e.currentTarget.value })} />
        </label>
        <label>
          Voice provider (optional)
          <input name="voiceProvider" pattern="[a-z0-9\-]{2,32}" value={f.voiceProvider} onInput={(e) => set({ voiceProvider: e.currentTarget.value })} />
        </label>
        <label>
          Voice ID (optional)
          <input name="voiceId" maxLength={100} value={f.voiceId} onInput={(e) => set({ voiceId: e.currentTarget.value })} />
        </label>
      </div>
      <fieldset>
        <legend>Call windows offered to candidates ({tz})</legend>
        {f.windows.length === 0 && f.hours.length === 0 ? <p class="muted">No windows or weekly hours: candidates are called right after they consent.</p> : null}
        {f.windows.map((w, i) => (
          <RangeRow key={i} what="Window" i={i} type="datetime-local" range={w} onChange={(p) => set({ windows: patchAt(f.windows, i, p) })} onRemove={() => set({ windows: removeAt(f.windows, i) })} />
        ))}
        <button type="button" class="secondary" disabled={f.windows.length >= 20} onClick={() => set({ windows: [...f.windows, { start: '', end: '' }] })}>
          Add window
        </button>
      </fieldset>
      <fieldset>
        <legend>Weekly interview hours</legend>
        <p class="muted">Recurring hours in a timezone; each invitation offers them for the next 14 days, next to the windows above.</p>
        <label>
          Timezone of the weekly hours
          <input name="hoursTimezone" required={f.hours.length > 0} maxLength={64} value={f.hoursTimezone} onInput={(e) => set({ hoursTimezone: e.currentTarget.value })} />
        </label>
        {f.hours.map((h, i) => (
          <RangeRow key={i} what="Hours" i={i} type="time" range={h} onChange={(p) => set({ hours: patchAt(f.hours, i, p) })} onRemove={() => set({ hours: removeAt(f.hours, i) })}>
            <label>
              Hours {i + 1} day
              <select value={h.weekday} onChange={(e) => set({ hours: patchAt(f.hours, i, { weekday: e.currentTarget.value }) })}>
                {WEEKDAY_NAMES.map((name, d) => (
                  <option key={name} value={String(d + 1)}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          </RangeRow>
        ))}
        <button type="button" class="secondary" disabled={f.hours.length >= 14} onClick={() => set({ hours: [...f.hours, { weekday: String(Math.min(5, (f.hours.at(-1) ? Number(f.hours.at(-1)?.weekday) : 0) + 1)), start: '09:00', end: '17:00' }] })}>
          Add weekly hours
        </button>
      </fieldset>
      <ErrorBox error={save.error} />
      {saved ? <Notice>{saved}</Notice> : null}
      <button type="submit" disabled={save.busy}>
        Save interview plan
      </button>
    </form>
  );
}

/** Where the plan stands: invitations are refused until it is approved. */
function PlanStatus({ p }: { p: Plan }) {
  if (p.status === 'none') return <p class="plan-status" data-testid="plan-status">No interview plan yet. Invitations are possible once a plan is approved.</p>;
  const origin = p.source === 'ai' ? `Drafted with AI (${p.draft?.model ?? 'model'}, seed ${p.draft?.seed ?? '-'})` : p.source === 'legacy' ? 'Carried over from before plan approval' : 'Written by a recruiter';
  return (
    <p class="plan-status" data-testid="plan-status">
      <strong>{p.status === 'approved' ? 'Approved' : 'Draft — not approved'}</strong> · {origin}
      {p.status === 'approved' && p.approvedAt ? ` · approved ${when(p.approvedAt)}` : ' · invitations wait for approval'}
    </p>
  );
}
