// Accommodation requests in the console (issue 22 item 3): candidates ask from the invite
// page for more time, a typed interview or a human interviewer. The application page lists
// the application's requests with the candidate's note and lets members who manage
// interviews grant or decline them. The org-wide list of open requests is
// pages/accommodations-list.tsx.
import { useState } from 'preact/hooks';
import { get, post, type Accommodation } from '../api.js';
import { useSession } from '../session.js';
import { ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';

export const ACCOMMODATION_LABEL: Record<string, string> = {
  more_time: 'More time',
  typed_mode: 'Typed interview',
  human_interviewer: 'Human interviewer',
};
const STATUS_LABEL: Record<string, string> = { requested: 'open', granted: 'granted', declined: 'declined' };

/** What granting does, said next to the choice so nobody grants expecting something else. */
const GRANT_EFFECT: Record<string, string> = {
  more_time: "Granting extends the call's time limit by half (at most 60 minutes) if the interview has not started yet.",
  typed_mode: 'The invitation page already offers a typed interview; granting records the answer.',
  human_interviewer: 'Granting records the answer only: arrange the interview with a person and tell the candidate; cancel the AI interview above if it is replaced.',
};

export const label = (type: string): string => ACCOMMODATION_LABEL[type] ?? type.replace(/_/g, ' ');

export function DueAt({ dueAt, overdue, open }: { dueAt: string; overdue: boolean; open: boolean }) {
  if (!open) return <>due {when(dueAt)}</>;
  return overdue ? (
    <span class="badge acc-overdue" data-testid="acc-overdue">
      overdue since {when(dueAt)}
    </span>
  ) : (
    <>due {when(dueAt)}</>
  );
}

/** The application page's panel: every request of the application, with the resolve form. */
export function AccommodationsPanel({ applicationId, who, onResolved }: { applicationId: string; who: (id: string | null) => string; onResolved: () => void }) {
  const session = useSession();
  const manage = session.can('interviews:manage');
  const list = useData(() => get<Accommodation[]>(`/api/v1/applications/${applicationId}/accommodations`), [applicationId]);
  const [message, setMessage] = useState<string | null>(null);
  const items = list.data ?? [];
  return (
    <section aria-labelledby="acc-h" class="card" data-testid="accommodations">
      <h2 id="acc-h">Accommodations</h2>
      {message ? <Notice>{message}</Notice> : null}
      <ErrorBox error={list.error} />
      {list.loading ? (
        <Loading />
      ) : items.length === 0 ? (
        <p class="muted">The candidate has not asked for an accommodation. They can ask for more time, a typed interview or a human interviewer from their invitation page.</p>
      ) : (
        <ul class="rows" aria-label="Accommodation requests">
          {items.map((x) => (
            <li key={x.id} class={x.overdue ? 'row acc-row overdue' : 'row acc-row'} data-testid="accommodation" data-status={x.status}>
              <div>
                <p class="row-title">
                  {label(x.type)}{' '}
                  <span class={`badge acc-${x.status}`} data-testid="acc-status">
                    {STATUS_LABEL[x.status] ?? x.status}
                  </span>
                </p>
                <p class="muted">
                  Requested {when(x.createdAt)} · <DueAt dueAt={x.dueAt} overdue={x.overdue} open={x.status === 'requested'} />
                </p>
                {x.note ? <p class="template-body">“{x.note}”</p> : <p class="muted">No note from the candidate.</p>}
                {x.status !== 'requested' ? (
                  <p data-testid="acc-resolution">
                    {x.status === 'granted' ? 'Granted' : 'Declined'} {when(x.resolvedAt)} by {x.resolvedBy ? who(x.resolvedBy) : 'hirebox (automatically)'}
                    {x.resolution ? `: ${x.resolution}` : '.'}
                  </p>
                ) : null}
              </div>
              {x.status === 'requested' && manage ? (
                <ResolveForm
                  item={x}
                  onDone={async (text) => {
                    setMessage(text);
                    await list.reload();
                    onResolved();
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

function ResolveForm({ item, onDone }: { item: Accommodation; onDone: (message: string) => Promise<void> }) {
  const [outcome, setOutcome] = useState<'granted' | 'declined'>('granted');
  const [resolution, setResolution] = useState('');
  const { busy, error, run } = useAction();
  const id = item.id.slice(0, 8);
  return (
    <form
      class="resolve"
      aria-label={`Resolve the ${label(item.type).toLowerCase()} request`}
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const r = await post<{ id: string; status: string; maxDurationSeconds: number | null }>(`/api/v1/accommodations/${item.id}/resolve`, {
            outcome,
            ...(resolution.trim() ? { resolution: resolution.trim() } : {}),
          });
          const extended = r.maxDurationSeconds ? ` The call may now last up to ${Math.round(r.maxDurationSeconds / 60)} minutes.` : '';
          const notStarted = outcome === 'granted' && item.type === 'more_time' && !r.maxDurationSeconds ? ' The interview had already started, so its time limit is unchanged.' : '';
          await onDone(`${label(item.type)}: ${outcome}.${extended}${notStarted}`);
        });
      }}
    >
      <fieldset>
        <legend>Answer</legend>
        <label class="check">
          <input type="radio" name={`outcome-${id}`} value="granted" checked={outcome === 'granted'} onChange={() => setOutcome('granted')} /> Grant
        </label>
        <label class="check">
          <input type="radio" name={`outcome-${id}`} value="declined" checked={outcome === 'declined'} onChange={() => setOutcome('declined')} /> Decline
        </label>
      </fieldset>
      {outcome === 'granted' ? <p class="muted hint">{GRANT_EFFECT[item.type] ?? ''}</p> : null}
      <label>
        Resolution note (kept with the request)
        <textarea name="resolution" rows={2} maxLength={500} value={resolution} onInput={(e) => setResolution(e.currentTarget.value)} />
      </label>
      <ErrorBox error={error} />
      <button type="submit" class="secondary" disabled={busy}>
        Save answer
      </button>
    </form>
  );
}
