// Review tasks: candidates who contested an outcome (themselves through their link, or
// relayed by a member) wait here for a person to look again and record whether the
// decision stands or changed (a changed decision is then recorded on the application).
import { useState } from 'preact/hooks';
import { get, post, qs } from '../api.js';
import { Empty, ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';

interface ReviewTask {
  id: string;
  kind: string;
  applicationId: string;
  jobId: string;
  jobTitle: string;
  openedVia: string;
  openedBy: string | null;
  reason: string | null;
  status: string;
  resolution: string | null;
  resolutionNote: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

export function ReviewTasks() {
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const list = useData(async () => (await get<{ tasks: ReviewTask[] }>(`/api/v1/review-tasks${qs({ status, limit: 100 })}`)).tasks, [status], 30_000);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <section aria-labelledby="rev-h">
      <h1 id="rev-h">Review requests</h1>
      <p class="muted">Candidates may contest an outcome and ask for a human review. Read the application again, record a new decision there if it changes, then resolve the request here.</p>
      <nav class="stage-tabs" aria-label="Review status">
        {(['open', 'resolved'] as const).map((s) => (
          <button key={s} type="button" class={status === s ? 'tab active' : 'tab'} aria-pressed={status === s} onClick={() => (setMessage(null), setStatus(s))}>
            {s === 'open' ? 'Open' : 'Resolved'}
          </button>
        ))}
      </nav>
      {message ? <Notice>{message}</Notice> : null}
      <ErrorBox error={list.error} />
      {list.loading ? (
        <Loading />
      ) : (list.data ?? []).length === 0 ? (
        <Empty title={status === 'open' ? 'No open review requests.' : 'No resolved review requests yet.'}>{status === 'open' ? 'Requests appear here when a candidate contests an outcome.' : 'Resolved requests are listed here with their outcome.'}</Empty>
      ) : (
        <ul class="rows" aria-label="Review requests">
          {(list.data ?? []).map((t) => (
            <li key={t.id} class="row">
              <div>
                <p class="row-title">
                  <a href={`/app/applications/${t.applicationId}`}>{t.jobTitle}: application</a>
                </p>
                <p class="muted">
                  {t.kind.replace(/_/g, ' ')} · via {t.openedVia.replace(/_/g, ' ')} · opened {when(t.createdAt)}
                  {t.resolvedAt ? ` · resolved ${when(t.resolvedAt)} (${t.resolution ?? ''})` : ''}
                </p>
                {t.reason ? <p class="template-body">“{t.reason}”</p> : null}
                {t.resolutionNote ? <p>Resolution: {t.resolutionNote}</p> : null}
              </div>
              {t.status === 'open' ? (
                <Resolve
                  task={t}
                  onDone={async (r) => {
                    await list.reload();
                    setMessage(`Review request resolved: ${r === 'upheld' ? 'the decision stands' : 'the decision changed'}.`);
                  }}
                />
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Resolve({ task, onDone }: { task: ReviewTask; onDone: (resolution: string) => Promise<void> }) {
  const [resolution, setResolution] = useState('upheld');
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  return (
    <form
      class="resolve"
      aria-label={`Resolve review request ${task.id.slice(0, 8)}`}
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await post(`/api/v1/review-tasks/${task.id}/resolve`, { resolution, note });
          await onDone(resolution);
        });
      }}
    >
      <label>
        Outcome
        <select name="resolution" value={resolution} onChange={(e) => setResolution(e.currentTarget.value)}>
          <option value="upheld">The decision stands</option>
          <option value="changed">The decision changed (recorded on the application)</option>
        </select>
      </label>
      <label>
        Note for the record
        <textarea name="note" required rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <ErrorBox error={error} />
      <button type="submit" class="secondary" disabled={busy}>
        Resolve
      </button>
    </form>
  );
}
