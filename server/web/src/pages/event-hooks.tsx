// Outbound event webhooks (issue 20; admins, webhooks:manage): subscriptions with their
// status, a signing secret shown once (on creation and rotation), the delivery log of
// each subscription and manual redelivery. Signatures follow the Standard Webhooks spec.
import { useState } from 'preact/hooks';
import { del, get, patch, post, qs, type EventHook, type EventHookDelivery } from '../api.js';
import { ConfirmButton, Empty, ErrorBox, Loading, Notice, SecretOnce, useAction, useData, when } from '../ui.js';

const EVENTS: Record<string, string> = {
  'application.created': 'Application received',
  'application.stage_changed': 'Stage changed',
  'screening.completed': 'AI screening completed',
  'interview.completed': 'Interview completed',
  'decision.recorded': 'Decision recorded',
  'candidate.erased': 'Candidate erased',
};

/** How a receiver verifies what this secret signs. */
function HookSecret({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <SecretOnce secret={secret} onDone={onDone} testId="event-hook-secret">
      Deliveries are signed per the Standard Webhooks specification (headers <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>): any Standard Webhooks library verifies them with this secret.
    </SecretOnce>
  );
}

function statusOf(s: EventHook): string {
  if (s.enabled) return s.consecutiveFailures > 0 ? `active · ${s.consecutiveFailures} failed deliveries in a row` : 'active';
  return s.disabledReason === 'failing' ? 'disabled after persistent failure' : 'disabled';
}

function DeliveryLog({ sub }: { sub: EventHook }) {
  const log = useData(() => get<{ items: EventHookDelivery[] }>(`/api/v1/org/event-hooks/${sub.id}/deliveries${qs({ limit: 20 })}`), [sub.id], 15_000);
  const redeliver = useAction();
  return (
    <div>
      <ErrorBox error={log.error ?? redeliver.error} />
      {log.loading && !log.data ? (
        <Loading />
      ) : (log.data?.items.length ?? 0) === 0 ? (
        <Empty title="No deliveries yet." />
      ) : (
        <ul class="log" aria-label="Deliveries">
          {(log.data?.items ?? []).map((d) => (
            <li key={d.id}>
              <p>
                <strong>{EVENTS[d.eventType] ?? d.eventType}</strong> · {d.status} · {when(d.createdAt)} · {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                {d.lastResponseCode !== null ? ` · HTTP ${d.lastResponseCode}` : ''}
                {d.lastErrorClass && d.lastErrorClass !== 'http_status' ? ` · ${d.lastErrorClass}` : ''}
                {d.nextAttemptAt ? ` · next attempt ${when(d.nextAttemptAt)}` : ''}
              </p>
              {d.status !== 'pending' && sub.enabled ? (
                <button type="button" class="secondary" disabled={redeliver.busy} onClick={() => void redeliver.run(async () => (await post(`/api/v1/org/event-hooks/${sub.id}/deliveries/${d.id}/redeliver`), await log.reload()))}>
                  Redeliver
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function EventHooksCard() {
  const list = useData(() => get<{ items: EventHook[] }>('/api/v1/org/event-hooks'), []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(Object.keys(EVENTS));
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const create = useAction();
  const act = useAction();
  return (
    <section id="event-hooks" class="card" aria-labelledby="ehooks-h">
      <h2 id="ehooks-h">Event webhooks</h2>
      <p class="muted">
        Tell your other systems when something happens. Payloads carry ids, stage names, outcomes and recommendations only (never names, e-mail addresses or CV text). Failed deliveries are retried for about 27 hours (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); a webhook that fails all of them is disabled and an alert is raised.
      </p>
      {secret ? <HookSecret secret={secret} onDone={() => setSecret(null)} /> : null}
      <ErrorBox error={list.error ?? act.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : (list.data?.items.length ?? 0) === 0 ? (
        <Empty title="No event webhooks." />
      ) : (
        <ul class="log" aria-label="Event webhooks" data-testid="event-hooks-list">
          {(list.data?.items ?? []).map((s) => (
            <li key={s.id}>
              <p>
                <strong>{s.url}</strong> · {statusOf(s)}
                {s.lastSuccessAt ? ` · last delivered ${when(s.lastSuccessAt)}` : ''}
              </p>
              <p class="muted">{s.events.map((e) => EVENTS[e] ?? e).join(', ')}</p>
              <button type="button" class="secondary" onClick={() => setOpen(open === s.id ? null : s.id)}>
                {open === s.id ? 'Hide deliveries' : 'Deliveries'}
              </button>{' '}
              <button type="button" class="secondary" disabled={act.busy} onClick={() => void act.run(async () => (await patch(`/api/v1/org/event-hooks/${s.id}`, { enabled: !s.enabled }), await list.reload()))}>
                {s.enabled ? 'Disable' : 'Enable'}
              </button>{' '}
              <ConfirmButton class="secondary" action={act} confirm="Rotate the signing secret? The receiver must use the new secret from now on." onConfirm={async () => setSecret((await post<{ secret: string }>(`/api/v1/org/event-hooks/${s.id}/rotate-secret`)).secret)}>
                Rotate secret
              </ConfirmButton>{' '}
              <ConfirmButton class="secondary" action={act} confirm="Remove this event webhook?" onConfirm={async () => (await del(`/api/v1/org/event-hooks/${s.id}`), await list.reload())}>
                Remove
              </ConfirmButton>
              {open === s.id ? <DeliveryLog sub={s} /> : null}
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create.run(async () => {
            const created = await post<EventHook & { secret: string }>('/api/v1/org/event-hooks', { url: url.trim(), events });
            setSecret(created.secret);
            setUrl('');
            await list.reload();
          });
        }}
      >
        <label>
          Receiver URL (https)
          <input name="eventHookUrl" type="url" required maxLength={2000} placeholder="https://hooks.example.com/hirebox" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>Events</legend>
          {Object.entries(EVENTS).map(([k, label]) => (
            <label key={k} class="check">
              <input type="checkbox" name={`eventHook-${k}`} checked={events.includes(k)} onChange={(e) => setEvents(e.currentTarget.checked ? [...events.filter((x) => x !== k), k] : events.filter((x) => x !== k))} />
              {label}
            </label>
          ))}
        </fieldset>
        <ErrorBox error={create.error} />
        {create.busy ? <Notice>Checking the address…</Notice> : null}
        <button type="submit" disabled={create.busy || events.length === 0}>
          Add event webhook
        </button>
      </form>
    </section>
  );
}
