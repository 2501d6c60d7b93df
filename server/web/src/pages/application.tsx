// Application detail: candidate, CV text with the AI's evidence highlighted, per-criterion
// scores and flags, the human decision form, notes and hiring-manager feedback, timeline.
import { useState } from 'preact/hooks';
import { get, post, type Application, type Member } from '../api.js';
import { useSession } from '../session.js';
import { Empty, ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';

interface CriterionView {
  name: string;
  score: number | null;
  verdict: string | null;
  reasoning: string | null;
  evidence: string[];
  ungrounded: string[];
}
interface ScreeningView {
  status: string | null;
  recommendation: string | null;
  summary: string | null;
  model: string | null;
  provider: string | null;
  criteria: CriterionView[];
  flags: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : (str((x as Record<string, unknown>)?.quote) ?? str((x as Record<string, unknown>)?.text) ?? ''))).filter(Boolean) : []);

/** Reads the screening result defensively: its API shape grows with the screening work. */
export function readScreening(raw: unknown, criteriaNames: string[] = []): ScreeningView | null {
  if (!raw || typeof raw !== 'object') return null;
  const s = raw as Record<string, unknown>;
  const out = (s.output && typeof s.output === 'object' ? s.output : s) as Record<string, unknown>;
  const rawCriteria = out.criteria ?? s.criteria;
  const list: [string, Record<string, unknown>][] = Array.isArray(rawCriteria)
    ? rawCriteria.map((c, i) => [str((c as Record<string, unknown>).name) ?? criteriaNames[i] ?? `Criterion ${i + 1}`, c as Record<string, unknown>])
    : rawCriteria && typeof rawCriteria === 'object'
      ? Object.entries(rawCriteria as Record<string, Record<string, unknown>>).map(([k, c], i) => [str(c.name) ?? criteriaNames[i] ?? k, c])
      : [];
  const flags = (Array.isArray(s.flags) ? s.flags : []).map((f) => (typeof f === 'string' ? f : (str((f as Record<string, unknown>)?.type) ?? str((f as Record<string, unknown>)?.kind) ?? str((f as Record<string, unknown>)?.code) ?? 'flag')));
  return {
    status: str(s.status),
    recommendation: str(out.recommendation) ?? str(s.recommendation),
    summary: str(out.summary) ?? str(s.summary),
    model: str(s.model),
    provider: str(s.provider),
    flags,
    criteria: list.map(([name, c]) => ({
      name,
      score: typeof c.score === 'number' ? c.score : null,
      verdict: str(c.verdict),
      reasoning: str(c.reasoning),
      evidence: strings(c.evidence),
      ungrounded: strings(c.ungrounded ?? c.ungroundedEvidence),
    })),
  };
}

/** Splits `text` into plain and highlighted pieces for each verbatim quote found in it. */
export function highlight(text: string, quotes: string[]): { text: string; mark: boolean }[] {
  const ranges: [number, number][] = [];
  for (const q of quotes) {
    if (q.length < 3) continue;
    let at = text.indexOf(q);
    while (at >= 0) {
      ranges.push([at, at + q.length]);
      at = text.indexOf(q, at + q.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const pieces: { text: string; mark: boolean }[] = [];
  let pos = 0;
  for (const [start, end] of ranges) {
    if (end <= pos) continue;
    const from = Math.max(start, pos);
    if (from > pos) pieces.push({ text: text.slice(pos, from), mark: false });
    pieces.push({ text: text.slice(from, end), mark: true });
    pos = end;
  }
  if (pos < text.length) pieces.push({ text: text.slice(pos), mark: false });
  return pieces;
}

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
    // Poll while the CV is being read or the screening is not final yet.
    (a) => (a && (a.documents.some((d) => d.parseStatus === 'pending') || (a.screening === null && a.documents.some((d) => d.parseStatus === 'parsed')) || /pending|running|queued/.test(String((a.screening as { status?: string } | null)?.status ?? ''))) ? 3000 : undefined),
  );
  const members = useData(async () => (session.can('members:read') ? (await get<{ members: Member[] }>('/api/v1/members')).members : []), []);
  const jobId = app.data?.jobId ?? '';
  const job = useData(async () => (jobId ? get<{ title: string; criteria: { name: string }[] }>(`/api/v1/jobs/${jobId}`) : null), [jobId]);
  if (app.error && !app.data) return <ErrorBox error={app.error} />;
  const a = app.data;
  if (!a) return <Loading />;
  const who = (userId: string | null): string => {
    if (!userId) return 'system';
    if (userId === session.me.user.id) return 'you';
    const m = members.data?.find((x) => x.userId === userId);
    return m ? (m.displayName ?? m.email) : `member ${userId.slice(0, 8)}`;
  };
  const screening = readScreening(a.screening, job.data?.criteria.map((c) => c.name));
  const quotes = screening ? screening.criteria.flatMap((c) => c.evidence) : [];
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
          </p>
        </div>
      </div>
      <ErrorBox error={app.error} />
      <div class="grid">
        <div class="main-col">
          <section aria-labelledby="scr-h" class="card">
            <h2 id="scr-h">AI screening</h2>
            <ScreeningPanel screening={screening} parseStatus={doc?.parseStatus ?? null} />
          </section>
          <section aria-labelledby="cv-h" class="card">
            <h2 id="cv-h">CV</h2>
            {a.documents.length === 0 ? <Empty title="No CV on file." /> : null}
            {a.documents.map((d) => (
              <div key={d.id}>
                <p class="muted">
                  {d.filename ?? 'CV'} · {Math.ceil(d.sizeBytes / 1024)} KB · <span class={`badge parse-${d.parseStatus}`} data-testid="parse-status">{PARSE_LABEL[d.parseStatus] ?? d.parseStatus}</span>
                  {d.parseError ? ` (${d.parseError})` : ''}
                </p>
                {d.text ? (
                  <pre class="cv-text" tabIndex={0} aria-label="CV text">
                    {highlight(d.text, quotes).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : p.text))}
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
              <dd>{a.consent ? `notice ${a.consent.noticeVersion}, ${when(a.consent.consentedAt)}` : 'uploaded by a recruiter'}</dd>
            </dl>
          </section>
          {session.can('applications:decide') ? <DecisionForm a={a} hasAi={!!screening?.recommendation} onDone={() => void app.reload()} /> : null}
          <Decisions a={a} who={who} />
          <Notes a={a} who={who} canWrite={session.can('applications:feedback')} onDone={() => void app.reload()} />
        </div>
      </div>
    </article>
  );
}

function ScreeningPanel({ screening, parseStatus }: { screening: ScreeningView | null; parseStatus: string | null }) {
  if (!screening) {
    if (parseStatus === 'pending') return <Notice>Waiting for the CV to be read; screening starts after that. This page updates by itself.</Notice>;
    if (parseStatus === 'needs_manual_review' || parseStatus === 'failed') return <Notice>No automatic screening: the CV text could not be extracted. Read the file and decide manually.</Notice>;
    return <Notice>No screening result yet. It appears here when it is ready; this page updates by itself.</Notice>;
  }
  return (
    <div class="screening">
      <p>
        {screening.recommendation ? (
          <>
            AI recommendation: <strong class={`badge rec-${screening.recommendation}`}>{screening.recommendation.replace('_', ' ')}</strong>{' '}
          </>
        ) : null}
        {screening.status ? <span class="muted">({screening.status})</span> : null}
        {screening.provider || screening.model ? (
          <span class="muted">
            {' '}
            · {screening.provider === 'simulated' ? 'simulated AI' : screening.provider} {screening.model}
          </span>
        ) : null}
      </p>
      <p class="muted">The AI recommends; a person decides. Quotes it relied on are highlighted in the CV below.</p>
      {screening.flags.length ? (
        <ul class="flags" aria-label="Flags">
          {screening.flags.map((f) => (
            <li key={f} class="flag">
              {f.replace(/_/g, ' ')}
            </li>
          ))}
        </ul>
      ) : null}
      {screening.summary ? <p>{screening.summary}</p> : null}
      <ul class="criteria">
        {screening.criteria.map((c) => (
          <li key={c.name}>
            <p>
              <strong>{c.name}</strong> {c.score !== null ? <span class="score">{c.score}/4</span> : null} {c.verdict ? <span class="muted">{c.verdict.replace('_', ' ')}</span> : null}
            </p>
            {c.reasoning ? <p>{c.reasoning}</p> : null}
            {c.evidence.map((q) => (
              <blockquote key={q} class="evidence">
                <mark>{q}</mark>
              </blockquote>
            ))}
            {c.ungrounded.map((q) => (
              <blockquote key={q} class="evidence ungrounded">
                Not found in the CV (ungrounded): {q}
              </blockquote>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

function DecisionForm({ a, hasAi, onDone }: { a: Application; hasAi: boolean; onDone: () => void }) {
  const [outcome, setOutcome] = useState('advance');
  const [reason, setReason] = useState('');
  const [followedAi, setFollowedAi] = useState(hasAi ? 'yes' : 'none');
  const [toStageId, setToStageId] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      await post(`/api/v1/applications/${a.id}/decision`, {
        outcome,
        reason,
        // "No AI input" is sent by leaving the field out: the API's type coercion turns a
        // JSON null into false.
        ...(followedAi === 'none' ? {} : { followedAi: followedAi === 'yes' }),
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
        <label>
          Does this follow the AI's recommendation?
          <select name="followedAi" value={followedAi} onChange={(e) => setFollowedAi(e.currentTarget.value)}>
            <option value="yes">Yes, it follows the AI</option>
            <option value="no">No, it departs from the AI</option>
            <option value="none">No AI recommendation was used</option>
          </select>
        </label>
        <ErrorBox error={error} />
        {done ? <Notice>Decision recorded.</Notice> : null}
        <button type="submit" disabled={busy}>
          Record decision
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
          </li>
        ))}
      </ol>
    </section>
  );
}
