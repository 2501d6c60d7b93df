// Per-job candidate pipeline: stage tabs with counts, triage columns (AI recommendation,
// score, flags, interview), sort and filters, saved views, a board view, server-side search
// (debounced; names and emails are encrypted, the server matches blind-index tokens),
// pagination, polling, and "new since your last visit".
import { useEffect, useState } from 'preact/hooks';
import { del, get, post, type ApplicationSummary, type Job, type SavedView, type StageCount, type StageRef, type TriageFlag, type ViewFilters } from '../api.js';
import { useSession } from '../session.js';
import { ColumnHeads, Empty, ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';
import { Board } from './board.js';
import { ScorecardSummaryPanel } from './scorecards.js';
import { FLAG_TEXT, Triage, triageQuery } from './triage.js';
import { LoadMore, type PageOf, usePagedList } from '../list.js';

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

const INTERVIEW_TEXT: Record<string, string> = {
  invited: 'Invited',
  declined: 'Declined',
  human_requested: 'Asked for a person',
  scheduled: 'Scheduled',
  calling: 'Calling',
  in_progress: 'In progress',
  ended: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function TriageFilters({ filters, onChange }: { filters: ViewFilters; onChange: (f: ViewFilters) => void }) {
  const flags = filters.flag ?? [];
  return (
    <div class="filters triage-filters">
      <label>
        Sort
        <select name="sort" value={filters.sort ?? 'newest'} onChange={(e) => onChange({ ...filters, sort: e.currentTarget.value as ViewFilters['sort'] })}>
          <option value="newest">Newest first</option>
          <option value="oldest">Oldest first</option>
          <option value="score">Highest AI score first</option>
        </select>
      </label>
      <label>
        AI recommendation
        <select name="recommendation" value={filters.recommendation ?? ''} onChange={(e) => onChange({ ...filters, recommendation: (e.currentTarget.value || undefined) as ViewFilters['recommendation'] })}>
          <option value="">Any</option>
          <option value="advance">Advance</option>
          <option value="review">Review</option>
          <option value="not_advance">Do not advance</option>
          <option value="none">Not screened</option>
        </select>
      </label>
      <fieldset class="flag-filter">
        <legend>Flags (all must apply)</legend>
        {(Object.keys(FLAG_TEXT) as TriageFlag[]).map((f) => (
          <label key={f} class="check">
            <input
              type="checkbox"
              name={`flag-${f}`}
              checked={flags.includes(f)}
              onChange={(e) => onChange({ ...filters, flag: e.currentTarget.checked ? [...flags, f] : flags.filter((x) => x !== f) })}
            />
            {FLAG_TEXT[f]}
          </label>
        ))}
      </fieldset>
    </div>
  );
}

/** The member's saved views: apply one, save the current filters under a name, delete. */
function SavedViews({ current, onApply }: { current: ViewFilters; onApply: (f: ViewFilters) => void }) {
  const views = useData(async () => (await get<{ views: SavedView[] }>('/api/v1/saved-views')).views, []);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState('');
  const { busy, error, run } = useAction();
  const [done, setDone] = useState<string | null>(null);
  const selected = (views.data ?? []).find((v) => v.id === chosen);
  return (
    <details class="card saved-views">
      <summary>Saved views{views.data?.length ? ` (${views.data.length})` : ''}</summary>
      <div class="filters">
        <label>
          Your saved views
          <select
            name="savedView"
            value={chosen}
            onChange={(e) => {
              const id = e.currentTarget.value;
              setChosen(id);
              const v = (views.data ?? []).find((x) => x.id === id);
              if (v) {
                onApply(v.filters);
                setDone(`Showing "${v.name}".`);
              }
            }}
          >
            <option value="">Choose a view…</option>
            {(views.data ?? []).map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        {selected ? (
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await del(`/api/v1/saved-views/${selected.id}`);
                setChosen('');
                setDone(`Deleted "${selected.name}".`);
                await views.reload();
              })
            }
          >
            Delete view
          </button>
        ) : null}
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const v = await post<SavedView>('/api/v1/saved-views', { name: name.trim(), filters: current });
            setName('');
            setChosen(v.id);
            setDone(`Saved "${v.name}".`);
            await views.reload();
          });
        }}
      >
        <label>
          Name for the current view
          <input name="viewName" required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="secondary" disabled={busy}>
          Save view
        </button>
      </form>
      <ErrorBox error={error ?? views.error} />
      {done ? <Notice>{done}</Notice> : null}
    </details>
  );
}

export function Pipeline({ jobId }: { jobId: string }) {
  const session = useSession();
  const canBulk = session.can('candidates:write');
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkDone, setBulkDone] = useState<string | null>(null);
  const [stageId, setStageId] = useState('');
  const [filters, setFilters] = useState<ViewFilters>({});
  const [search, setSearch] = useState('');
  // The query sent to the server: the search box after a pause in typing, 2+ characters.
  const [q, setQ] = useState('');
  const [lastVisit, setLastVisit] = useState<string | null | undefined>(undefined);
  const layout = filters.layout ?? 'list';
  const filterKey = JSON.stringify(filters);
  const job = useData(() => get<Job>(`/api/v1/jobs/${jobId}`), [jobId]);
  // Opening the pipeline is a visit: the answer is the previous one, so rows newer than it are marked.
  useEffect(() => {
    void post<{ previousVisitAt: string | null }>(`/api/v1/jobs/${jobId}/visit`)
      .then((r) => setLastVisit(r.previousVisitAt))
      .catch(() => setLastVisit(null));
  }, [jobId]);
  const counts = useData(
    async () => get<{ total: number; stages: StageCount[] }>(`/api/v1/jobs/${jobId}/applications/counts${triageQuery({ recommendation: filters.recommendation, flag: filters.flag })}`),
    [jobId, filters.recommendation, (filters.flag ?? []).join(',')],
    10_000,
  );
  const stages: (StageRef & { count: number })[] = (counts.data?.stages ?? []).map((s) => ({ id: s.stageId, name: s.name, kind: s.kind, count: s.count }));
  // The first page refreshes every 10 s so new applications appear without a reload; not
  // while searching (each search is audited, a poll would repeat it).
  const list = usePagedList(
    async (cursor: string | null): Promise<PageOf<ApplicationSummary, string>> => {
      if (layout === 'board' && cursor === null) return { items: [], next: null };
      const res = await get<Page>(`/api/v1/jobs/${jobId}/applications${triageQuery(filters, { stageId, q, limit: 25, cursor })}`);
      return { items: res.applications, next: res.nextCursor };
    },
    [jobId, stageId, filterKey, q],
    { pollMs: () => (q || layout === 'board' ? undefined : 10_000), keepLoaded: true },
  );
  const { page, more } = list;
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
  const seen = new Set<string>();
  const rows = list.items.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  const reset = (): void => {
    list.reset();
    setSelected([]);
  };
  const change = (f: ViewFilters): void => {
    reset();
    setFilters(f);
  };
  const isNew = (a: ApplicationSummary): boolean => typeof lastVisit === 'string' && a.createdAt > lastVisit;
  return (
    <section aria-labelledby="pl-h">
      <div class="page-head">
        <h1 id="pl-h">{job.data ? `${job.data.title}: candidates` : 'Candidates'}</h1>
        <a href="/app/jobs">All jobs</a>
      </div>
      {session.can('screening:run') ? <RescreenJobButton jobId={jobId} onQueued={() => void page.reload()} /> : null}
      {session.can('applications:read') ? <ScorecardSummaryPanel jobId={jobId} /> : null}
      <ErrorBox error={job.error ?? counts.error} />
      <div class="layout-switch" role="group" aria-label="Layout">
        <button type="button" class={layout === 'list' ? 'tab active' : 'tab'} aria-pressed={layout === 'list'} onClick={() => change({ ...filters, layout: 'list' })}>
          List
        </button>
        <button type="button" class={layout === 'board' ? 'tab active' : 'tab'} aria-pressed={layout === 'board'} onClick={() => change({ ...filters, layout: 'board' })}>
          Board
        </button>
      </div>
      {layout === 'list' ? (
        <nav class="stage-tabs" aria-label="Stages">
          <button type="button" class={stageId === '' ? 'tab active' : 'tab'} aria-pressed={stageId === ''} onClick={() => (reset(), setStageId(''))}>
            All stages <span class="count">{counts.data?.total ?? ''}</span>
          </button>
          {stages.map((s) => (
            <button key={s.id} type="button" class={stageId === s.id ? 'tab active' : 'tab'} aria-pressed={stageId === s.id} onClick={() => (reset(), setStageId(s.id))}>
              {s.name} <span class="count">{s.count}</span>
            </button>
          ))}
        </nav>
      ) : null}
      <TriageFilters filters={filters} onChange={change} />
      <div class="filters" role="search">
        {layout === 'list' ? (
          <label>
            Search candidates (name or full email)
            <input type="search" name="search" maxLength={100} value={search} onInput={(e) => setSearch(e.currentTarget.value)} aria-describedby="search-hint" />
          </label>
        ) : null}
        <label>
          Tag
          <input name="tag" maxLength={50} value={filters.tag ?? ''} onChange={(e) => change({ ...filters, tag: e.currentTarget.value.trim() || undefined })} />
        </label>
      </div>
      {layout === 'list' ? (
        <p class="muted hint" id="search-hint">
          Matches whole name words or their beginnings (accents and case ignored), or an exact email address.
        </p>
      ) : null}
      <SavedViews current={filters} onApply={change} />
      {layout === 'board' ? (
        <Board jobId={jobId} stages={stages} filters={filters} isNew={isNew} onMoved={() => void counts.reload()} />
      ) : (
        <>
          <ErrorBox error={page.error} />
          {bulkDone ? <Notice>{bulkDone}</Notice> : null}
          {canBulk && selected.length ? (
            <BulkBar
              ids={selected}
              stages={stages}
              onDone={(msg) => {
                setSelected([]);
                setBulkDone(msg);
                reset();
                void page.reload();
                void counts.reload();
              }}
            />
          ) : null}
          {page.loading ? (
            <Loading />
          ) : rows.length === 0 ? (
            <Empty title={q ? `No candidate matches "${q}".` : stageId || filters.tag || filters.recommendation || filters.flag?.length ? 'No candidates match these filters.' : 'No applications yet.'}>
              {q || stageId || filters.tag || filters.recommendation || filters.flag?.length
                ? 'Clear the search and filters to see everyone.'
                : job.data?.status === 'open'
                  ? "Share the job's apply page; applications appear here as they arrive."
                  : 'Open the job (status "Open" in the editor) to publish its apply page.'}
            </Empty>
          ) : (
            <div class="table-wrap">
              <table class="table">
                <caption class="sr-only">Applications</caption>
                <ColumnHeads
                  cols={['Candidate', 'Stage', 'AI (advisory)', 'Interview', 'Tags', 'Source', 'Applied']}
                  first={
                    canBulk ? (
                      <th scope="col">
                        <input
                          type="checkbox"
                          aria-label="Select all listed candidates"
                          checked={rows.length > 0 && rows.every((a) => selected.includes(a.id))}
                          onChange={(e) => (setBulkDone(null), setSelected(e.currentTarget.checked ? rows.map((a) => a.id).slice(0, 200) : []))}
                        />
                      </th>
                    ) : null
                  }
                />
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
                        {isNew(a) ? (
                          <>
                            {' '}
                            <span class="badge new-badge">new</span>
                          </>
                        ) : null}
                      </td>
                      <td data-label="Stage">
                        <span class={`badge stage-${a.stage.kind}`}>{a.stage.name}</span>
                      </td>
                      <td data-label="AI (advisory)" class="triage">
                        <Triage a={a} />
                      </td>
                      <td data-label="Interview">{a.interviewStatus ? (INTERVIEW_TEXT[a.interviewStatus] ?? a.interviewStatus) : '—'}</td>
                      <td data-label="Tags">{a.tags.join(', ') || '—'}</td>
                      <td data-label="Source">{a.source}</td>
                      <td data-label="Applied">{when(a.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <LoadMore list={list} label="Load more candidates" />
          <ErrorBox error={more.error} />
        </>
      )}
    </section>
  );
}
