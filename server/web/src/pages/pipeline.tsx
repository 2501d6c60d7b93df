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

export function Pipeline({ jobId }: { jobId: string }) {
  const session = useSession();
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
                <td data-label="Candidate">
                  <a href={`/app/applications/${a.id}`}>{a.candidateName ?? 'Candidate'}</a>
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
