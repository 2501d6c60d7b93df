// The pipeline as a board: one column per stage, a card per application. Moves are made
// with the keyboard or a pointer through ordinary controls (a "Move to" select and a
// button), and go through the same rules as the list: rejecting or hiring records a human
// decision with a reason (POST /decision); other stages use POST /stage.
import { useState } from 'preact/hooks';
import { get, post, type ApplicationSummary, type StageRef, type ViewFilters } from '../api.js';
import { useSession } from '../session.js';
import { ErrorBox, Notice, useAction, useData } from '../ui.js';
import { Triage, triageQuery } from './triage.js';

type Column = StageRef & { count: number };

function MoveControl({ a, stages, onMoved }: { a: ApplicationSummary; stages: Column[]; onMoved: (message: string) => void }) {
  const session = useSession();
  const canMove = session.can('candidates:write');
  const canDecide = session.can('applications:decide');
  const closed = a.stage.kind === 'hired' || a.stage.kind === 'rejected' || a.stage.kind === 'withdrawn';
  const targets = stages.filter((s) => s.id !== a.stage.id && ((s.kind === 'rejected' || s.kind === 'hired') ? canDecide : canMove));
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  if (closed || targets.length === 0) return null;
  const target = targets.find((s) => s.id === to);
  const needsDecision = target?.kind === 'rejected' || target?.kind === 'hired';
  const name = a.candidateName ?? 'candidate';
  return (
    <form
      class="move"
      aria-label={`Move ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!target) return;
        void run(async () => {
          if (needsDecision) {
            await post(`/api/v1/applications/${a.id}/decision`, { outcome: target.kind === 'hired' ? 'hire' : 'reject', reason: reason.trim(), toStageId: target.id });
          } else {
            await post(`/api/v1/applications/${a.id}/stage`, { stageId: target.id });
          }
          setTo('');
          setReason('');
          onMoved(`${name} moved to ${target.name}${needsDecision ? ' (decision recorded with your name and reason)' : ''}.`);
        });
      }}
    >
      <label>
        Move to
        <select name="moveTo" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          <option value="">Choose a stage…</option>
          {targets.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
              {s.kind === 'rejected' || s.kind === 'hired' ? ' (decision)' : ''}
            </option>
          ))}
        </select>
      </label>
      {needsDecision ? (
        <label>
          Reason (recorded with your name)
          <textarea name="reason" required rows={2} maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      ) : null}
      <ErrorBox error={error} />
      <button type="submit" class={needsDecision && target?.kind === 'rejected' ? 'danger' : 'secondary'} disabled={busy || !target}>
        {needsDecision ? (target?.kind === 'hired' ? 'Record hire' : 'Record rejection') : 'Move'}
      </button>
    </form>
  );
}

function BoardColumn({ jobId, stage, stages, filters, isNew, tick, onMoved }: { jobId: string; stage: Column; stages: Column[]; filters: ViewFilters; isNew: (a: ApplicationSummary) => boolean; tick: number; onMoved: (m: string) => void }) {
  const cards = useData(
    async () => get<{ applications: ApplicationSummary[]; nextCursor: string | null }>(`/api/v1/jobs/${jobId}/applications${triageQuery(filters, { stageId: stage.id, limit: 50 })}`),
    [jobId, stage.id, JSON.stringify(filters), tick],
  );
  const list = cards.data?.applications ?? [];
  const headingId = `col-${stage.id}`;
  return (
    <section class="board-col" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {stage.name} <span class="count">{stage.count}</span>
      </h2>
      <ErrorBox error={cards.error} />
      {list.length === 0 && !cards.loading ? <p class="muted">No candidates.</p> : null}
      <ul class="cards" aria-label={`${stage.name}: candidates`}>
        {list.map((a) => (
          <li key={a.id} class="board-card">
            <a class="row-title" href={`/app/applications/${a.id}`}>
              {a.candidateName ?? 'Candidate'}
            </a>
            {isNew(a) ? <span class="badge new-badge">new</span> : null}
            <p class="triage">
              <Triage a={a} />
            </p>
            <MoveControl a={a} stages={stages} onMoved={onMoved} />
          </li>
        ))}
      </ul>
      {cards.data?.nextCursor ? <p class="muted">Showing the first 50; use the list to see more.</p> : null}
    </section>
  );
}

export function Board({ jobId, stages, filters, isNew, onMoved }: { jobId: string; stages: Column[]; filters: ViewFilters; isNew: (a: ApplicationSummary) => boolean; onMoved: () => void }) {
  const [tick, setTick] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const moved = (m: string): void => {
    setMessage(m);
    setTick((n) => n + 1);
    onMoved();
  };
  return (
    <>
      {message ? <Notice>{message}</Notice> : null}
      <div class="board" aria-label="Board: one column per stage">
        {stages.map((s) => (
          <BoardColumn key={s.id} jobId={jobId} stage={s} stages={stages} filters={filters} isNew={isNew} tick={tick} onMoved={moved} />
        ))}
      </div>
    </>
  );
}
