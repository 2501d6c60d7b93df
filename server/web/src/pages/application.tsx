// Application detail: candidate, CV text with the AI's evidence highlighted, the advisory
// AI screening (per-criterion scores, verdicts, reasoning, quotes, flags), interviews
// (pages/interviews.tsx), accommodation requests (pages/accommodations.tsx), the human
// decision form, notes and hiring-manager feedback, messages (pages/messages.tsx), timeline.
import { useEffect, useState } from 'preact/hooks';
import { get, post, type Application, type Member, type Screening, type ScreeningAnswer } from '../api.js';
import { highlight } from '../highlight.js';
import { AccommodationsPanel } from './accommodations.js';
import { AnswersPanel } from './answers.js';
import { InterviewsPanel } from './interviews.js';
import { MessagesPanel } from './messages.js';
import { PrivacyPanel, type ErasureResult } from './privacy.js';
import { ScorecardPanel } from './scorecards.js';
import { useSession } from '../session.js';
import { Empty, ErrorBox, Loading, Notice, NotLoaded, useAction, useData, when } from '../ui.js';

const PARSE_LABEL: Record<string, string> = {
  pending: 'CV is being read…',
  parsed: 'CV text extracted',
  needs_manual_review: 'CV needs manual review (no text could be extracted)',
  failed: 'Reading the CV failed',
};

export function ApplicationDetail({ id }: { id: string }) {
  const session = useSession();
  const app = useData(
    () => get<Application>(`/api/v1/applications/${id}`),
    [id],
    // Poll while the CV is being read.
    (a) => (a?.documents.some((d) => d.parseStatus === 'pending') ? 3000 : undefined),
  );
  const [reveal, setReveal] = useState(false);
  const [erased, setErased] = useState<ErasureResult | null>(null);
  const [interviewsKey, setInterviewsKey] = useState(0);
  const screening = useData(
    () => get<ScreeningAnswer>(`/api/v1/applications/${id}/screening${reveal ? '?reveal=true' : ''}`),
    [id, reveal],
    // Poll until the screening is final (or there is no CV text to screen).
    (s) => screeningPollMs(s, app.data),
  );
  const latest = screening.data?.latest ?? null;
  const finalKey = latest && (latest.status === 'completed' || latest.status === 'failed') ? `${latest.id}:${latest.status}` : '';
  useEffect(() => {
    // The timeline gains the screening event when it finishes.
    if (finalKey) void app.reload();
  }, [finalKey]);
  const members = useData(async () => (session.can('members:read') ? (await get<{ members: Member[] }>('/api/v1/members')).members : []), []);
  const jobId = app.data?.jobId ?? '';
  const job = useData(async () => (jobId ? get<{ title: string; criteria: { name: string }[] }>(`/api/v1/jobs/${jobId}`) : null), [jobId]);
  if (erased)
    return (
      <article aria-labelledby="erased-h" class="card">
        <h1 id="erased-h">Candidate data erased</h1>
        <p role="status">
          Erased for request {erased.reference}: {erased.applicationsWithdrawn} open application(s) withdrawn, {erased.interviewsCancelled} interview(s) cancelled. The hiring
          record keeps only stages, dates and outcomes, without anything that identifies the person.
        </p>
        {app.data ? <a href={`/app/jobs/${app.data.jobId}/pipeline`}>Back to the pipeline</a> : null}
      </article>
    );
  if (app.error && !app.data) return <ErrorBox error={app.error} />;
  const a = app.data;
  if (!a) return <Loading />;
  const who = (userId: string | null): string => {
    if (!userId) return 'system';
    if (userId === session.me.user.id) return 'you';
    const m = members.data?.find((x) => x.userId === userId);
    return m ? (m.displayName ?? m.email) : `member ${userId.slice(0, 8)}`;
  };
  const quotes = latest?.status === 'completed' ? latest.criteria.flatMap((c) => c.evidence.filter((e) => e.grounded).map((e) => e.quote)) : [];
  const doc = a.documents[0];
  return (
    <article aria-labelledby="app-h" class="application">
      <div class="page-head">
        <div>
          <h1 id="app-h">{a.candidate.name}</h1>
          <p class="muted">
            {job.data ? (
              <a href={`/app/jobs/${a.jobId}/pipeline`}>{job.data.title}</a>
            ) : null}{' '}
            · <span class={`badge stage-${a.stage.kind}`}>{a.stage.name}</span> · applied {when(a.createdAt)} via {a.source}
            {a.humanReviewOnly ? (
              <>
                {' '}
                · <span class="badge human-only" title="The candidate chose a review by a person without AI screening: it is never sent to an AI model.">Human review only (no AI)</span>
              </>
            ) : null}
            {a.answers?.knockedOut ? (
              <>
                {' '}
                · <span class="badge flag-knockout">Knock-out: needs human review</span>
              </>
            ) : null}
          </p>
        </div>
      </div>
      <ErrorBox error={app.error} />
      <div class="grid">
        <div class="main-col">
          <section aria-labelledby="scr-h" class="card">
            <h2 id="scr-h">AI screening</h2>
            <ScreeningPanel
              answer={screening.data}
              error={screening.error}
              parseStatus={doc?.parseStatus ?? null}
              onReveal={() => setReveal(true)}
            />
            {screening.data && doc?.parseStatus === 'parsed' && session.can('screening:run') ? <Rescreen applicationId={a.id} answer={screening.data} onQueued={() => void screening.reload()} /> : screening.data?.stale ? <Notice>{screening.data.staleReason}</Notice> : null}
          </section>
          {a.answers ? <AnswersPanel answers={a.answers} /> : null}
          {/* Re-mounted after an accommodation is resolved: granted more time changes the call's limit. */}
          <InterviewsPanel key={interviewsKey} a={a} onChanged={() => void app.reload()} />
          <AccommodationsPanel
            applicationId={a.id}
            who={who}
            onResolved={() => {
              setInterviewsKey((n) => n + 1);
              void app.reload();
            }}
          />
          {session.can('applications:feedback') ? <ScorecardPanel applicationId={a.id} who={who} /> : null}
          <section aria-labelledby="cv-h" class="card">
            <h2 id="cv-h">CV</h2>
            {a.pendingResubmissions.length > 0 ? (
              <Notice>
                <span data-testid="pending-resubmission">
                  {a.pendingResubmissions.length === 1 ? 'A new CV was' : `${a.pendingResubmissions.length} new CVs were`} sent through the public form for this application. It is not used until the
                  candidate confirms it from the email on file (expires {when(a.pendingResubmissions[0]?.expiresAt ?? '')}).
                </span>
              </Notice>
            ) : null}
            {a.documents.length === 0 ? <Empty title="No CV on file." /> : null}
            {a.documents.map((d) => (
              <div key={d.id}>
                <p class="muted">
                  {d.filename ?? 'CV'} · {Math.ceil(d.sizeBytes / 1024)} KB · <span class={`badge parse-${d.parseStatus}`} data-testid="parse-status">{PARSE_LABEL[d.parseStatus] ?? d.parseStatus}</span>
                  {d.parseError ? ` (${d.parseError})` : ''}
                </p>
                {d.text ? (
                  <pre class="cv-text" tabIndex={0} aria-label="CV text">
                    {highlight(d.text, quotes).map((p, i) =>
                      p.mark ? (
                        <mark key={i} class="cv-evidence" title="Quoted by the AI screening as evidence">
                          {p.text}
                        </mark>
                      ) : (
                        p.text
                      ),
                    )}
                  </pre>
                ) : null}
              </div>
            ))}
          </section>
          <Timeline a={a} who={who} />
        </div>
        <div class="side-col">
          <section aria-labelledby="cand-h" class="card">
            <h2 id="cand-h">Candidate</h2>
            <dl class="facts">
              <dt>Email</dt>
              <dd>{a.candidate.email}</dd>
              <dt>Phone</dt>
              <dd>{a.candidate.phone ?? '—'}</dd>
              <dt>Location</dt>
              <dd>{a.candidate.location ?? '—'}</dd>
              <dt>Links</dt>
              <dd>
                {a.candidate.links.length
                  ? a.candidate.links.map((l) => (
                      <a key={l} href={/^https?:\/\//.test(l) ? l : undefined} rel="noopener noreferrer nofollow" target="_blank">
                        {l}
                      </a>
                    ))
                  : '—'}
              </dd>
              <dt>Consent</dt>
              <dd>
                {a.consent
                  ? `notice ${a.consent.noticeVersion}${a.consent.noticeRevision ? ` (revision ${a.consent.noticeRevision})` : ''}${a.consent.language ? `, shown in ${a.consent.language}` : ''}, ${when(a.consent.consentedAt)}`
                  : 'uploaded by a recruiter'}
              </dd>
            </dl>
          </section>
          {session.can('applications:decide') ? <DecisionForm a={a} recommendation={latest?.status === 'completed' ? latest.recommendation : null} onDone={() => void app.reload()} /> : null}
          <Decisions a={a} who={who} />
          {session.can('applications:decide') ? <ReviewRights a={a} canExplain={session.can('screening:run')} onDone={() => void app.reload()} /> : null}
          <Notes a={a} who={who} canWrite={session.can('applications:feedback')} onDone={() => void app.reload()} />
          <MessagesPanel a={a} onSent={() => void app.reload()} />
          {session.can('privacy:manage') ? <PrivacyPanel a={a} onErased={setErased} /> : null}
        </div>
      </div>
    </article>
  );
}

function screeningPollMs(s: ScreeningAnswer | undefined, a: Application | undefined): number | undefined {
  if (!a) return 3000;
  const latest = s?.latest;
  if (!latest) return a.documents.some((d) => d.parseStatus === 'pending' || d.parseStatus === 'parsed') ? 3000 : undefined;
  if (latest.status === 'pending') return 3000;
  if (latest.status === 'waiting') return 10_000;
  return undefined;
}

const REC_LABEL: Record<string, string> = { advance: 'Advance', review: 'Review', not_advance: 'Do not advance' };
const VERDICT_LABEL: Record<string, string> = { met: 'met', partly: 'partly met', not_met: 'not met', unknown: 'unknown' };
const FLAG_LABEL: Record<string, string> = {
  injection_suspected: 'Possible prompt injection in the CV',
  ungrounded_evidence: 'Ungrounded evidence',
  must_have_without_evidence: 'Must-have without evidence',
  high_score_without_evidence: 'High score without evidence',
  recommendation_downgraded: 'Recommendation downgraded',
  model_reported_instructions: 'The AI reported instructions in the CV',
  injection_check_flagged: 'Injection check found instructions in the CV',
  injection_check_unavailable: 'Injection check could not run',
  evidence_from_suspect_part: 'Evidence quoted from a suspicious part of the CV',
};
const human = (s: string): string => s.replace(/_/g, ' ');

/** Flags as shown: the screening's own, plus "needs manual review" whenever anything is flagged or the AI says review. */
export function screeningFlags(s: Screening): { code: string; label: string }[] {
  const flags = s.flags.map((f) => ({ code: f, label: FLAG_LABEL[f] ?? human(f) }));
  if (flags.length || s.recommendation === 'review') flags.push({ code: 'needs_manual_review', label: 'Needs manual review' });
  return flags;
}

interface ScreeningPanelProps {
  answer: ScreeningAnswer | undefined;
  error: unknown;
  parseStatus: string | null;
  onReveal: () => void;
}

function ScreeningPanel({ answer, error, parseStatus, onReveal }: ScreeningPanelProps) {
  if (!answer) return <NotLoaded error={error} />;
  const s = answer.latest;
  const advisory = (
    <p class="advisory" data-testid="screening-advisory">
      <span class="badge advisory-badge">Advisory</span>
      {s?.simulated ? <span class="badge simulated-badge">Simulated</span> : null} {answer.label}
      {s?.simulated ? ' This result comes from the simulated provider (keyword matching), not a language model.' : ''}
    </p>
  );
  if (!s) {
    let text = 'Screening is queued; the result appears here when it is ready. This page updates by itself.';
    if (parseStatus === 'pending') text = 'Waiting for the CV to be read; screening starts after that. This page updates by itself.';
    else if (parseStatus === 'needs_manual_review' || parseStatus === 'failed') text = 'No automatic screening: the CV text could not be extracted. Read the file and decide manually.';
    else if (!parseStatus) text = 'No CV on file, so there is nothing to screen.';
    return (
      <div class="screening" data-testid="screening-status" data-status="none">
        <Notice>{text}</Notice>
      </div>
    );
  }
  if (s.status !== 'completed') {
    const reason = s.statusReason ? human(s.statusReason) : null;
    const text =
      s.status === 'pending'
        ? 'Screening in progress… This page updates by itself.'
        : s.status === 'waiting'
          ? `Screening is waiting${reason ? ` (${reason})` : ''}; nothing is lost and it continues by itself. This page updates by itself.`
          : `Screening failed${reason ? `: ${reason}` : ''}. Read the CV and decide manually.`;
    return (
      <div class="screening" data-testid="screening-status" data-status={s.status}>
        {advisory}
        <Notice>{text}</Notice>
      </div>
    );
  }
  const flags = screeningFlags(s);
  return (
    <div class="screening" data-testid="screening-status" data-status={s.status}>
      {advisory}
      <p>
        AI recommendation:{' '}
        {s.recommendation ? <strong class={`badge rec-${s.recommendation}`} data-testid="screening-recommendation">{REC_LABEL[s.recommendation] ?? human(s.recommendation)}</strong> : <strong>none</strong>}
        {s.overallScore !== null ? <span class="muted"> · overall {s.overallScore}/100</span> : null}
        <span class="muted">
          {' '}
          · {s.provider ?? 'AI'} {s.model ?? ''} · {when(s.completedAt)}
        </span>
      </p>
      {flags.length ? (
        <div class="flag-box">
          <ul class="flags" aria-label="Flags">
            {flags.map((f) => (
              <li key={f.code} class={`flag flag-${f.code}`}>
                {f.label}
              </li>
            ))}
          </ul>
          {s.reasons.length || s.injectionFindings.length ? (
            <ul class="flag-reasons" aria-label="Why it is flagged">
              {s.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
              {s.injectionFindings.map((f, i) => (
                <li key={`inj-${i}`}>
                  Instruction-like text ({human(f.kind)}, {f.source}): <q>{f.excerpt}</q>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {s.summary ? <p>{s.summary}</p> : null}
      <ul class="criteria" aria-label="Criteria">
        {s.criteria.map((c) => (
          <li key={c.key}>
            <p>
              <strong>{c.name}</strong> {c.mustHave ? <span class="badge">must have</span> : null} <span class="score">{c.score}/4</span>{' '}
              <span class={`badge verdict-${c.verdict}`}>{VERDICT_LABEL[c.verdict] ?? human(c.verdict)}</span> <span class="muted">confidence {c.confidence}</span>
            </p>
            <p>{c.reasoning}</p>
            {c.evidence.map((e, i) =>
              e.grounded ? (
                <blockquote key={i} class="evidence">
                  <mark>{e.quote}</mark>
                </blockquote>
              ) : (
                <blockquote key={i} class="evidence ungrounded">
                  Not found in the CV (ungrounded): {e.quote}
                </blockquote>
              ),
            )}
          </li>
        ))}
      </ul>
      {answer.history.length ? (
        <details class="history">
          <summary>Earlier screenings ({answer.history.length})</summary>
          <ul class="log" aria-label="Earlier screenings">
            {answer.history.map((h) => (
              <li key={h.id}>
                {when(h.completedAt ?? h.createdAt)} · {h.status === 'completed' ? `${h.recommendation ? (REC_LABEL[h.recommendation] ?? human(h.recommendation)) : 'no recommendation'}${h.overallScore !== null ? `, overall ${h.overallScore}/100` : ''}` : human(h.status)}
                {h.criteriaVersion ? ` · criteria version ${h.criteriaVersion}` : ''} · {h.model ?? h.provider ?? 'AI'}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <p class="muted">
        The AI recommends; a person decides. Quotes it relied on are highlighted in the CV below.{' '}
        {answer.revealed ? (
          'Quotes are shown un-redacted (recorded in the audit log).'
        ) : (
          <>
            Names and contact details in quotes are blinded.{' '}
            <button type="button" class="link" onClick={onReveal}>
              Show original quotes
            </button>{' '}
            (recorded in the audit log)
          </>
        )}
      </p>
    </div>
  );
}

/** Screen again (against the job's current criteria); says so when the result is stale. */
function Rescreen({ applicationId, answer, onQueued }: { applicationId: string; answer: ScreeningAnswer; onQueued: () => void }) {
  const { busy, error, run } = useAction();
  const [queued, setQueued] = useState<string | null>(null);
  const pending = answer.latest?.status === 'pending' || answer.latest?.status === 'waiting';
  return (
    <div class="rescreen">
      {answer.stale ? (
        <p class="notice warn" data-testid="screening-stale">
          {answer.staleReason}
        </p>
      ) : null}
      <button
        type="button"
        class="secondary"
        disabled={busy || pending}
        onClick={() =>
          void run(async () => {
            const r = await post<{ status: string; waitingFor: string | null }>(`/api/v1/applications/${applicationId}/screening/rescreen`);
            setQueued(r.waitingFor ? `Queued; waiting (${human(r.waitingFor)}).` : 'Queued: the new result appears here; earlier results are kept.');
            onQueued();
          })
        }
      >
        Screen again{answer.stale ? ' against the current criteria' : ''}
      </button>
      {queued ? <Notice>{queued}</Notice> : null}
      <ErrorBox error={error} />
    </div>
  );
}

/** Whether an outcome goes the way the AI recommended. */
export function followsRecommendation(outcome: string, recommendation: string): boolean {
  if (recommendation === 'advance') return outcome === 'advance' || outcome === 'hire';
  if (recommendation === 'not_advance') return outcome === 'reject';
  return outcome === 'hold';
}

function DecisionForm({ a, recommendation, onDone }: { a: Application; recommendation: string | null; onDone: () => void }) {
  const [outcome, setOutcome] = useState('advance');
  const [reason, setReason] = useState('');
  // Derived by the server from the latest recommendation and the outcome; shown here as a preview.
  const followedAi = recommendation === 'advance' || recommendation === 'not_advance' ? (outcome === 'hold' ? 'none' : followsRecommendation(outcome, recommendation) ? 'yes' : 'no') : 'none';
  const [toStageId, setToStageId] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      await post(`/api/v1/applications/${a.id}/decision`, {
        outcome,
        reason,
        ...(toStageId ? { toStageId } : {}),
      });
      setReason('');
      setDone(true);
      onDone();
    });
  };
  return (
    <section aria-labelledby="dec-h" class="card">
      <h2 id="dec-h">Decision</h2>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Outcome</legend>
          {(['advance', 'hold', 'reject', 'hire'] as const).map((o) => (
            <label class="check" key={o}>
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} /> {o[0]?.toUpperCase() + o.slice(1)}
            </label>
          ))}
        </fieldset>
        <label>
          Move to stage (optional)
          <select name="toStageId" value={toStageId} onChange={(e) => setToStageId(e.currentTarget.value)}>
            <option value="">Default for this outcome</option>
            {a.pipeline.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason (recorded with your name)
          <textarea name="reason" required rows={3} maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <p class="muted hint" data-testid="followed-ai-preview">
          {followedAi === 'none'
            ? 'Follows the AI: not applicable (no advance/reject recommendation, or a hold).'
            : `Recorded automatically: this decision ${followedAi === 'yes' ? 'follows' : 'departs from'} the AI's recommendation (${REC_LABEL[recommendation ?? ''] ?? human(recommendation ?? '')}). Your reason stays your note.`}
        </p>
        <ErrorBox error={error} />
        {done ? <Notice>Decision recorded.</Notice> : null}
        <button type="submit" disabled={busy}>
          Record decision
        </button>
      </form>
    </section>
  );
}

/** The candidate's explanation of the outcome, and a human review when they contest it. */
function ReviewRights({ a, canExplain, onDone }: { a: Application; canExplain: boolean; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [link, setLink] = useState<{ url: string; expiresAt: string; messageText: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const contest = useAction();
  const makeLink = useAction();
  return (
    <section aria-labelledby="rights-h" class="card">
      <h2 id="rights-h">Explanation and review</h2>
      {canExplain ? (
        <p>
          <a href={`/api/v1/applications/${a.id}/explanation?format=text`} target="_blank" rel="noopener">
            Explanation for the candidate
          </a>{' '}
          <span class="muted">(criteria, their own CV evidence, scores, the advisory AI recommendation and the human decision; opening it is recorded)</span>
        </p>
      ) : null}
      <button type="button" class="secondary" disabled={makeLink.busy} onClick={() => void makeLink.run(async () => setLink(await post(`/api/v1/applications/${a.id}/contest-link`)))}>
        Create a contest link for the candidate
      </button>
      {link ? (
        <div class="secret-once" role="status">
          <p>
            Send this link to the candidate (valid until {when(link.expiresAt)}, single use): <code class="secret">{link.url}</code>
          </p>
        </div>
      ) : null}
      <ErrorBox error={makeLink.error} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setDone(null);
          void contest.run(async () => {
            await post(`/api/v1/applications/${a.id}/contest`, { reason });
            setReason('');
            setDone('Review request opened: it is listed under Reviews.');
            onDone();
          });
        }}
      >
        <label>
          The candidate contests the outcome (their words)
          <textarea name="contestReason" required rows={2} maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <ErrorBox error={contest.error} />
        {done ? <Notice>{done}</Notice> : null}
        <button type="submit" class="secondary" disabled={contest.busy}>
          Open a human review
        </button>
      </form>
    </section>
  );
}

function Decisions({ a, who }: { a: Application; who: (id: string | null) => string }) {
  if (!a.decisions.length) return null;
  return (
    <section aria-labelledby="decs-h" class="card">
      <h2 id="decs-h">Decisions</h2>
      <ul class="log" aria-label="Decisions">
        {a.decisions.map((d) => (
          <li key={d.id}>
            <strong>{d.outcome}</strong> by {who(d.decidedBy)} · {when(d.at)} · {d.followedAi === null ? 'no AI input' : d.followedAi ? 'followed the AI' : 'departed from the AI'}
            <p>{d.reason}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Notes({ a, who, canWrite, onDone }: { a: Application; who: (id: string | null) => string; canWrite: boolean; onDone: () => void }) {
  const session = useSession();
  const [kind, setKind] = useState(session.me.role === 'hiring_manager' ? 'feedback' : 'note');
  const [body, setBody] = useState('');
  const [rating, setRating] = useState('');
  const { busy, error, run } = useAction();
  return (
    <section aria-labelledby="notes-h" class="card">
      <h2 id="notes-h">Notes and feedback</h2>
      {a.notes.length === 0 ? <p class="muted">No notes yet.{canWrite ? ' Hiring managers leave interview feedback here.' : ''}</p> : null}
      <ul class="log" aria-label="Notes">
        {a.notes.map((n) => (
          <li key={n.id}>
            <span class="badge">{n.kind}</span> {who(n.authorId)} · {when(n.at)}
            {n.rating ? ` · rating ${n.rating}/5` : ''}
            <p>{n.body}</p>
          </li>
        ))}
      </ul>
      {canWrite ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await post(`/api/v1/applications/${a.id}/notes`, { kind, body, ...(kind === 'feedback' && rating ? { rating: Number(rating) } : {}) });
              setBody('');
              setRating('');
              onDone();
            });
          }}
        >
          <div class="cols">
            <label>
              Kind
              <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
                <option value="note">Note</option>
                <option value="feedback">Hiring-manager feedback</option>
              </select>
            </label>
            {kind === 'feedback' ? (
              <label>
                Rating
                <select name="rating" value={rating} onChange={(e) => setRating(e.currentTarget.value)}>
                  <option value="">No rating</option>
                  {[1, 2, 3, 4, 5].map((r) => (
                    <option key={r} value={String(r)}>
                      {r} / 5
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </div>
          <label>
            Text
            <textarea name="note" required rows={3} maxLength={10000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          </label>
          <ErrorBox error={error} />
          <button type="submit" class="secondary" disabled={busy}>
            Add {kind === 'feedback' ? 'feedback' : 'note'}
          </button>
        </form>
      ) : null}
    </section>
  );
}

function Timeline({ a, who }: { a: Application; who: (id: string | null) => string }) {
  return (
    <section aria-labelledby="tl-h" class="card">
      <h2 id="tl-h">Timeline</h2>
      <ol class="log">
        {a.timeline.map((e) => (
          <li key={e.id}>
            {e.type.replace(/[._]/g, ' ')} · {e.actorType === 'user' ? who(e.actorId) : e.actorType} · {when(e.at)}
            {e.type === 'document.refused' && typeof e.data.candidateMessage === 'string' ? ` — ${e.data.candidateMessage}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
