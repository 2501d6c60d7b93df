// Per-job candidate pipeline: stage tabs, filters, server-side search (debounced; names
// and emails are encrypted, the server matches blind-index tokens), pagination, polling.
import { useEffect, useState } from 'preact/hooks';
import { get, post, qs, type ApplicationSummary, type Job, type StageRef } from '../api.js';
import { useSession } from '../session.js';
import { Empty, ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';

type Page = { applications: ApplicationSummary[]; nextCursor: string | null };

interface RescreenJob {
  queued: number;
  alreadyQueued: number;
  upToDate: number;
  noParsedCv: number;
  waitingFor: string | null;
}

function RescreenJobButton({ jobId, onQueued }: { jobId: string; onQueued: () => void }) {
  const { busy, error, run } = useAction();
  const [result, setResult] = useState<string | null>(null);
  return (
    <div>
      <button
        type="button"
        class="secondary"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            const r = await post<RescreenJob>(`/api/v1/jobs/${jobId}/rescreen`, { onlyStale: true });
            setResult(
              `${r.queued} queued for screening against the current criteria, ${r.upToDate} already up to date, ${r.alreadyQueued} already queued, ${r.noParsedCv} without a readable CV.${r.waitingFor ? ` Waiting: ${r.waitingFor.replace(/_/g, ' ')}.` : ''}`,
            );
            onQueued();
          })
        }
      >
        Re-screen outdated applications
      </button>
      {result ? <Notice>{result}</Notice> : null}
      <ErrorBox error={error} />
    </div>
  );
}

/** Move, tag or reject the selected applications; rejecting asks for a reason and a confirmation first. */
function BulkBar({ ids, stages, onDone }: { ids: string[]; stages: StageRef[]; onDone: (message: string) => void }) {
  const [action, setAction] = useState('move');
  const movable = stages.filter((s) => s.kind !== 'rejected' && s.kind !== 'hired');
  const [stageId, setStageId] = useState('');
  const [tag, setTag] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const n = ids.length;
  return (
    <form
      class="card bulk"
      aria-label="Bulk action"
      onSubmit={(e) => {
        e.preventDefault();
        if (action === 'reject' && !window.confirm(`Reject ${n} candidate${n === 1 ? '' : 's'}? A rejection decision is recorded for each with your name and this reason. No rejection email is sent automatically.`)) return;
        void run(async () => {
          const body =
            action === 'move'
              ? { action, applicationIds: ids, stageId: stageId || movable[0]?.id }
              : action === 'tag'
                ? { action, applicationIds: ids, tag: tag.trim() }
                : { action, applicationIds: ids, reason, confirm: true };
          const r = await post<{ action: string; count: number }>('/api/v1/applications/bulk', body);
          onDone(`${r.count} application${r.count === 1 ? '' : 's'} ${action === 'move' ? 'moved' : action === 'tag' ? 'tagged' : 'rejected'}.`);
          setReason('');
          setTag('');
        });
      }}
    >
      <p>
        <strong>{n} selected</strong>
      </p>
      <div class="cols">
        <label>
          Action
          <select name="bulkAction" value={action} onChange={(e) => setAction(e.currentTarget.value)}>
            <option value="move">Move to stage</option>
            <option value="tag">Add a tag</option>
            <option value="reject">Reject</option>
          </select>
        </label>
        {action === 'move' ? (
          <label>
            Stage
            <select name="bulkStage" value={stageId || movable[0]?.id || ''} onChange={(e) => setStageId(e.currentTarget.value)}>
              {movable.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        ) : action === 'tag' ? (
          <label>
            Tag to add
            <input name="bulkTag" required maxLength={50} pattern="[\p{L}\p{N} _.\-]+" value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
          </label>
        ) : (
          <label>
            Reason (recorded with your name on each)
            <textarea name="bulkReason" required rows={2} maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
        )}
      </div>
      <ErrorBox error={error} />
      <button type="submit" class={action === 'reject' ? 'danger' : undefined} disabled={busy}>
        {action === 'reject' ? `Reject ${n}` : 'Apply'}
      </button>
    </form>
  );
}

export function Pipeline({ jobId }: { jobId: string }) {
  const session = useSession();
  const canBulk = session.can('candidates:write');
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkDone, setBulkDone] = useState<string | null>(null);
  const [stageId, setStageId] = useState('');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState('');
  // The query sent to the server: the search box after a pause in typing, 2+ characters.
  const [q, setQ] = useState('');
  const [extra, setExtra] = useState<ApplicationSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const job = useData(() => get<Job>(`/api/v1/jobs/${jobId}`), [jobId]);
  const stages = useData(async () => (await get<{ stages: (StageRef & { position: number })[] }>(`/api/v1/jobs/${jobId}/pipeline`)).stages, [jobId]);
  // The first page refreshes every 10 s so new applications appear without a reload; not
  // while searching (each search is audited, a poll would repeat it).
  const page = useData(
    async () => {
      const res = await get<Page>(`/api/v1/jobs/${jobId}/applications${qs({ stageId, tag: tag.trim(), q, limit: 25 })}`);
      setCursor((c) => (extra.length ? c : res.nextCursor));
      return res.applications;
    },
    [jobId, stageId, tag, q],
    () => (q ? undefined : 10_000),
  );
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const v = search.trim();
      const next = v.length >= 2 ? v.slice(0, 100) : '';
      if (next !== q) {
        reset();
        setQ(next);
      }
    }, 350);
    return () => window.clearTimeout(timer);
  }, [search]);
  const more = useAction();
  const seen = new Set<string>();
  const rows = [...(page.data ?? []), ...extra].filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  const reset = (): void => {
    setExtra([]);
    setCursor(null);
    setSelected([]);
  };
  return (
    <section aria-labelledby="pl-h">
      <div class="page-head">
        <h1 id="pl-h">{job.data ? `${job.data.title}: candidates` : 'Candidates'}</h1>
        <a href="/app/jobs">All jobs</a>
      </div>
      {session.can('screening:run') ? <RescreenJobButton jobId={jobId} onQueued={() => void page.reload()} /> : null}
      <ErrorBox error={job.error ?? stages.error} />
      <nav class="stage-tabs" aria-label="Stages">
        <button type="button" class={stageId === '' ? 'tab active' : 'tab'} aria-pressed={stageId === ''} onClick={() => (reset(), setStageId(''))}>
          All stages
        </button>
        {(stages.data ?? []).map((s) => (
          <button key={s.id} type="button" class={stageId === s.id ? 'tab active' : 'tab'} aria-pressed={stageId === s.id} onClick={() => (reset(), setStageId(s.id))}>
            {s.name}
          </button>
        ))}
      </nav>
      <div class="filters" role="search">
        <label>
          Search candidates (name or full email)
          <input type="search" name="search" maxLength={100} value={search} onInput={(e) => setSearch(e.currentTarget.value)} aria-describedby="search-hint" />
        </label>
        <label>
          Tag
          <input name="tag" maxLength={50} value={tag} onChange={(e) => (reset(), setTag(e.currentTarget.value))} />
        </label>
      </div>
      <p class="muted hint" id="search-hint">
        Matches whole name words or their beginnings (accents and case ignored), or an exact email address.
      </p>
      <ErrorBox error={page.error} />
      {bulkDone ? <Notice>{bulkDone}</Notice> : null}
      {canBulk && selected.length ? (
        <BulkBar
          ids={selected}
          stages={stages.data ?? []}
          onDone={(msg) => {
            setSelected([]);
            setBulkDone(msg);
            reset();
            void page.reload();
          }}
        />
      ) : null}
      {page.loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty title={q ? `No candidate matches "${q}".` : stageId || tag ? 'No candidates in this stage or with this tag.' : 'No applications yet.'}>
          {q || stageId || tag ? 'Clear the search and filters to see everyone.' : job.data?.status === 'open' ? 'Share the job\'s apply page; applications appear here as they arrive.' : 'Open the job (status "Open" in the editor) to publish its apply page.'}
        </Empty>
      ) : (
        <table class="table">
          <caption class="sr-only">Applications</caption>
          <thead>
            <tr>
              {canBulk ? (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all listed candidates"
                    checked={rows.length > 0 && rows.every((a) => selected.includes(a.id))}
                    onChange={(e) => (setBulkDone(null), setSelected(e.currentTarget.checked ? rows.map((a) => a.id).slice(0, 200) : []))}
                  />
                </th>
              ) : null}
              <th scope="col">Candidate</th>
              <th scope="col">Stage</th>
              <th scope="col">Tags</th>
              <th scope="col">Source</th>
              <th scope="col">Applied</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                {canBulk ? (
                  <td data-label="Select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${a.candidateName ?? 'candidate'}`}
                      checked={selected.includes(a.id)}
                      onChange={(e) => (setBulkDone(null), setSelected(e.currentTarget.checked ? [...selected, a.id].slice(0, 200) : selected.filter((x) => x !== a.id)))}
                    />
                  </td>
                ) : null}
                <td data-label="Candidate">
                  <a href={`/app/applications/${a.id}`}>{a.candidateName ?? 'Candidate'}</a>
                  {a.humanReviewOnly ? (
                    <>
                      {' '}
                      <span class="badge human-only" title="The candidate chose a review by a person without AI screening">human review only</span>
                    </>
                  ) : null}
                </td>
                <td data-label="Stage">
                  <span class={`badge stage-${a.stage.kind}`}>{a.stage.name}</span>
                </td>
                <td data-label="Tags">{a.tags.join(', ') || '—'}</td>
                <td data-label="Source">{a.source}</td>
                <td data-label="Applied">{when(a.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor ? (
        <button
          type="button"
          class="secondary"
          disabled={more.busy}
          onClick={() =>
            void more.run(async () => {
              const res = await get<Page>(`/api/v1/jobs/${jobId}/applications${qs({ stageId, tag: tag.trim(), q, limit: 25, cursor })}`);
              setExtra((prev) => [...prev, ...res.applications]);
              setCursor(res.nextCursor);
            })
          }
        >
          Load more candidates
        </button>
      ) : null}
      <ErrorBox error={more.error} />
    </section>
  );
}
