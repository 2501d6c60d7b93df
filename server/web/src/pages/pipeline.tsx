// Per-job candidate pipeline: stage tabs, filters, search, pagination, polling.
import { useState } from 'preact/hooks';
import { get, qs, type ApplicationSummary, type Job, type StageRef } from '../api.js';
import { Empty, ErrorBox, Loading, useAction, useData, when } from '../ui.js';

type Page = { applications: ApplicationSummary[]; nextCursor: string | null };

export function Pipeline({ jobId }: { jobId: string }) {
  const [stageId, setStageId] = useState('');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState('');
  const [extra, setExtra] = useState<ApplicationSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const job = useData(() => get<Job>(`/api/v1/jobs/${jobId}`), [jobId]);
  const stages = useData(async () => (await get<{ stages: (StageRef & { position: number })[] }>(`/api/v1/jobs/${jobId}/pipeline`)).stages, [jobId]);
  // The first page refreshes every 10 s so new applications appear without a reload.
  const page = useData(
    async () => {
      const res = await get<Page>(`/api/v1/jobs/${jobId}/applications${qs({ stageId, tag: tag.trim(), limit: 25 })}`);
      setCursor((c) => (extra.length ? c : res.nextCursor));
      return res.applications;
    },
    [jobId, stageId, tag],
    10_000,
  );
  const more = useAction();
  const seen = new Set<string>();
  const all = [...(page.data ?? []), ...extra].filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  const needle = search.trim().toLowerCase();
  const rows = needle ? all.filter((a) => (a.candidateName ?? '').toLowerCase().includes(needle) || a.tags.some((t) => t.toLowerCase().includes(needle))) : all;
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
      <div class="filters">
        <label>
          Search loaded candidates
          <input type="search" name="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label>
          Tag
          <input name="tag" maxLength={50} value={tag} onChange={(e) => (reset(), setTag(e.currentTarget.value))} />
        </label>
      </div>
      <ErrorBox error={page.error} />
      {page.loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty title={all.length ? 'No loaded candidate matches the search.' : stageId || tag ? 'No candidates in this stage or with this tag.' : 'No applications yet.'}>
          {all.length || stageId || tag ? 'Clear the filters to see everyone.' : job.data?.status === 'open' ? 'Share the job\'s apply page; applications appear here as they arrive.' : 'Open the job (status "Open" in the editor) to publish its apply page.'}
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
              const res = await get<Page>(`/api/v1/jobs/${jobId}/applications${qs({ stageId, tag: tag.trim(), limit: 25, cursor })}`);
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
