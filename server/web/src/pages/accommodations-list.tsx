// The Accommodations page: the org's open accommodation requests, soonest due first, so
// none is forgotten (each is due within two working days). Candidates' notes may describe
// health or disability, so this list leaves them out and links to the application, where
// the request is read and answered (pages/accommodations.tsx).
import { useState } from 'preact/hooks';
import { get, qs, type OpenAccommodation } from '../api.js';
import { Empty, ErrorBox, Loading, useData, when } from '../ui.js';
import { DueAt, label } from './accommodations.js';

/** The org's open requests, soonest due first; more pages on request. */
export function AccommodationsList() {
  const [pages, setPages] = useState<string[]>(['']);
  const list = useData(
    async () => {
      const out: OpenAccommodation[] = [];
      let next: string | null = null;
      for (const cursor of pages) {
        const r: { accommodations: OpenAccommodation[]; nextCursor: string | null } = await get(`/api/v1/accommodations${qs({ status: 'open', limit: 50, cursor })}`);
        out.push(...r.accommodations);
        next = r.nextCursor;
      }
      return { items: out, next };
    },
    [pages.length],
    60_000,
  );
  const items = list.data?.items ?? [];
  const next = list.data?.next ?? null;
  return (
    <section aria-labelledby="accs-h">
      <h1 id="accs-h">Accommodations</h1>
      <p class="muted">Open requests from candidates for more time, a typed interview or a human interviewer, soonest due first. Each should be answered within two working days; open the application to read the candidate's note and answer.</p>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty title="No open accommodation requests.">Requests appear here when a candidate asks for an adjustment from their interview invitation.</Empty>
      ) : (
        <>
          <ul class="rows" aria-label="Open accommodation requests">
            {items.map((x) => (
              <li key={x.id} class={x.overdue ? 'row acc-row overdue' : 'row acc-row'} data-testid="open-accommodation">
                <div>
                  <p class="row-title">
                    <a href={`/app/applications/${x.applicationId}`}>
                      {label(x.type)} · {x.jobTitle}
                    </a>
                  </p>
                  <p class="muted">
                    Requested {when(x.createdAt)} · <DueAt dueAt={x.dueAt} overdue={x.overdue} open />
                    {x.hasNote ? ' · the candidate left a note' : ''}
                  </p>
                </div>
              </li>
            ))}
          </ul>
          {next ? (
            <button type="button" class="secondary" onClick={() => setPages([...pages, next])}>
              Show more
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
