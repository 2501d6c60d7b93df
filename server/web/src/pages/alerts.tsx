// The org's alert channel (DESIGN §9; admins, settings:manage): e-mail recipients, a
// signed webhook whose secret is shown once (on creation and rotation), the kinds sent,
// and the recent alerts with their delivery state per channel.
import { useState } from 'preact/hooks';
import { get, post, put, qs } from '../api.js';
import { ConfirmButton, Empty, ErrorBox, Loading, NotLoaded, SecretOnce, useAction, useData, when } from '../ui.js';
import { SettingsCard, useSettingsForm } from '../settings-form.js';

interface AlertSettings {
  emails: string[];
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  kinds: string[];
  updatedAt: string | null;
  secret?: string;
}

interface AlertItem {
  id: string;
  kind: string;
  severity: string;
  summary: string;
  suppressed: number;
  emailStatus: string;
  webhookStatus: string;
  deliveryAttempts: number;
  createdAt: string;
}

const KIND_LABEL: Record<string, string> = {
  signin_burst: 'Failed sign-in bursts',
  webhook_signature: 'Webhook signature failures',
  mass_export: 'Mass candidate exports',
  bias_breach: 'Bias threshold breaches',
  stale_backup: 'Stale backups',
  event_hook_failing: 'Event webhooks disabled after failing',
  trust_check_failing: 'Trust page checks failing',
};
const LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const STATUS_LABEL: Record<string, string> = { pending: 'sending', delivered: 'delivered', failed: 'failed', skipped: 'not sent', unknown: 'outcome unknown (may have been sent)' };

/** How a receiver verifies what this secret signs. */
function AlertSecret({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <SecretOnce secret={secret} onDone={onDone} testId="alert-secret">
      Verify each POST: HMAC-SHA256 of <code>{'<x-hirebox-timestamp>.<body>'}</code> with this secret equals the hex after <code>sha256=</code> in <code>x-hirebox-signature</code>.
    </SecretOnce>
  );
}

export function AlertChannelForm() {
  const { stored: s, draft, edit, save, saved, setSaved, commit } = useSettingsForm<AlertSettings, { emails: string; url: string; kinds: string[] }>(() => get<AlertSettings>('/api/v1/org/alerts'));
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = useAction();
  if (!s.data) return <NotLoaded error={s.error} card />;
  const d = s.data;
  const f = draft ?? { emails: d.emails.join(', '), url: d.webhookUrl ?? '', kinds: d.kinds };
  const { emails: emailsValue, url: urlValue, kinds: kindsValue } = f;
  const submit = (): void => {
    setSaved(false);
    commit(async () => {
      const body = {
        emails: emailsValue
          .split(/[\s,;]+/)
          .map((x) => x.trim())
          .filter(Boolean),
        webhookUrl: urlValue.trim() || null,
        kinds: kindsValue,
      };
      // A quick check before the server's own: a typo is named here without a round trip.
      const typo = body.emails.find((x) => !LOOKS_LIKE_EMAIL.test(x));
      if (typo !== undefined) throw new Error(`"${typo}" is not an e-mail address.`);
      const next = await put<AlertSettings>('/api/v1/org/alerts', body);
      if (next.secret) setSecret(next.secret);
      return { ...next, secret: undefined };
    });
  };
  return (
    <SettingsCard
      id="alerts"
      labelledBy="alerts-h"
      save={save}
      error={save.error ?? rotate.error}
      saved={saved}
      savedText="Alert channel saved."
      submitLabel="Save alert channel"
      after={
        <>
          {' '}
          {d.webhookSecretSet ? (
            <ConfirmButton class="secondary" action={rotate} confirm="Rotate the webhook signing secret? The receiver must use the new secret from now on." onConfirm={async () => setSecret((await post<{ secret: string }>('/api/v1/org/alerts/rotate-secret')).secret)}>
              Rotate signing secret
            </ConfirmButton>
          ) : null}
          <p class="muted">{d.updatedAt ? `Last changed ${when(d.updatedAt)}.` : 'Not set up yet.'}</p>
        </>
      }
      onSubmit={submit}
    >
      <h2 id="alerts-h">Alert channel</h2>
      <p class="muted">Security alerts go to these addresses and to the webhook, at most once per kind every 10 minutes (later ones are counted). Every alert is also listed below.</p>
      {secret ? <AlertSecret secret={secret} onDone={() => setSecret(null)} /> : null}
      <label>
        E-mail recipients (up to 5, separated by commas)
        <input name="alertEmails" type="text" maxLength={1300} value={emailsValue} onInput={(e) => edit(f, { emails: e.currentTarget.value })} />
      </label>
      <label>
        Webhook URL (https)
        <input name="alertWebhookUrl" type="url" maxLength={2000} placeholder="https://hooks.example.com/hirebox" value={urlValue} onInput={(e) => edit(f, { url: e.currentTarget.value })} />
      </label>
      <p class="muted">{d.webhookSecretSet ? 'A signing secret is set.' : 'A signing secret is created when you first save a webhook URL.'}</p>
      <fieldset>
        <legend>Send these alerts</legend>
        {Object.entries(KIND_LABEL).map(([k, label]) => (
          <label key={k} class="check">
            <input
              type="checkbox"
              name={`alertKind-${k}`}
              checked={kindsValue.includes(k)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                edit(f, { kinds: on ? [...kindsValue.filter((x) => x !== k), k] : kindsValue.filter((x) => x !== k) });
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
    </SettingsCard>
  );
}

export function RecentAlerts() {
  const [cursor, setCursor] = useState<string | null>(null);
  const page = useData(() => get<{ items: AlertItem[]; nextCursor: string | null }>(`/api/v1/alerts${qs({ limit: 20, cursor })}`), [cursor], 30_000);
  return (
    <section id="recent-alerts" class="card" aria-labelledby="ralerts-h">
      <h2 id="ralerts-h">Recent alerts</h2>
      <ErrorBox error={page.error} />
      {page.loading && !page.data ? (
        <Loading />
      ) : (page.data?.items.length ?? 0) === 0 ? (
        <Empty title="No alerts.">{cursor ? 'No older alerts.' : 'Failed sign-in bursts, webhook signature failures and mass exports show up here.'}</Empty>
      ) : (
        <ul class="log" aria-label="Alerts" data-testid="alerts-list">
          {(page.data?.items ?? []).map((a) => (
            <li key={a.id}>
              <p>
                <strong>{KIND_LABEL[a.kind] ?? a.kind}</strong> · {a.severity} · {when(a.createdAt)}
                {a.suppressed > 0 ? ` · ${a.suppressed} more within 10 minutes` : ''}
              </p>
              <p>{a.summary}</p>
              <p class="muted">
                E-mail: {STATUS_LABEL[a.emailStatus] ?? a.emailStatus} · Webhook: {STATUS_LABEL[a.webhookStatus] ?? a.webhookStatus}
                {a.deliveryAttempts > 1 ? ` · ${a.deliveryAttempts} attempts` : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
      {cursor ? (
        <button type="button" class="secondary" onClick={() => setCursor(null)}>
          Newest
        </button>
      ) : null}{' '}
      {page.data?.nextCursor ? (
        <button type="button" class="secondary" onClick={() => setCursor(page.data?.nextCursor ?? null)}>
          Older
        </button>
      ) : null}
    </section>
  );
}
