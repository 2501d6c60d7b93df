// Organisation settings (admins: every form here needs settings:manage, so the page is
// not in other roles' navigation and the API refuses them anyway): AI provider/model,
// monthly token budget and the pause-all-AI switch; Vapi voice interviews (assistant,
// phone number, webhook endpoints with a secret shown once); the default pipeline;
// candidate data retention; sessions; SSO; the alert channel and recent alerts.
import { useState } from 'preact/hooks';
import { del, get, patch, post, put, type AiSettings, type VapiSettings, type WebhookEndpoint } from '../api.js';
import { useSession } from '../session.js';
import { ConfirmButton, Empty, ErrorBox, Loading, Notice, NotLoaded, useAction, useData, when } from '../ui.js';
import { SettingsCard, useSettingsForm } from '../settings-form.js';
import { SessionPolicyForm, SsoDomains, SsoForm } from './admin.js';
import { PipelineEditor } from './pipeline-editor.js';
import { AlertChannelForm, RecentAlerts } from './alerts.js';
import { EventHooksCard } from './event-hooks.js';
import { CareersBrandingForm } from './careers-branding.js';

export function Settings() {
  const session = useSession();
  if (!session.can('settings:manage')) {
    return (
      <section aria-labelledby="set-h">
        <h1 id="set-h">Organisation settings</h1>
        <Notice>Only admins can see and change the organisation's settings. Ask an admin if something needs changing.</Notice>
      </section>
    );
  }
  return (
    <section aria-labelledby="set-h">
      <h1 id="set-h">Organisation settings</h1>
      <nav class="toc" aria-label="Settings sections">
        <a href="#ai">AI</a> <a href="#pipeline">Default pipeline</a> <a href="#voice">Voice interviews</a> <a href="#retention">Retention</a> <a href="#privacy">Privacy contact</a> <a href="#sessions">Sessions</a> <a href="#sso">Single sign-on</a> <a href="#alerts">Alerts</a> <a href="#event-hooks">Event webhooks</a> <a href="#careers">Careers site</a> <a href="/app/templates">Message templates</a>
      </nav>
      <AiSettingsForm />
      <div id="pipeline">
        <PipelineEditor url="/api/v1/pipeline" title="Default pipeline" intro="Stages every new job starts with (and every job that has not changed its own). Each stage maps to a fixed kind so automation and reports keep working: the first is 'new', and 'hired' and 'rejected' must exist." canWrite />
      </div>
      <VapiSettingsForm />
      <WebhookEndpoints />
      <RetentionForm />
      <PrivacyContactForm />
      <div id="sessions">
        <SessionPolicyForm />
      </div>
      <div id="sso">
        <SsoForm />
        <SsoDomains />
      </div>
      <AlertChannelForm />
      <RecentAlerts />
      {session.can('webhooks:manage') ? <EventHooksCard /> : null}
      <CareersBrandingForm />
    </section>
  );
}

const num = (n: number): string => n.toLocaleString('en');

interface Retention {
  days: number;
  defaultDays: number;
  updatedAt: string | null;
  updatedBy: string | null;
  dueNow: number;
}

function RetentionForm() {
  const { stored: r, draft, edit, save, saved, setSaved, commit } = useSettingsForm<Retention, { days: string }>(() => get<Retention>('/api/v1/org/retention'));
  if (!r.data) return <NotLoaded error={r.error} card />;
  const d = r.data;
  const value = draft?.days ?? String(d.days);
  const submit = (): void => {
    setSaved(false);
    const n = Number(value);
    if (n < d.days && !window.confirm(`Keep candidate data for ${n} days instead of ${d.days}? Candidates whose applications all closed more than ${n} days ago are erased at the next daily sweep.`)) return;
    commit(() => patch<Retention>('/api/v1/org/retention', { days: n }));
  };
  return (
    <SettingsCard id="retention" labelledBy="ret-h" save={save} saved={saved} savedText="Retention saved." submitLabel="Save retention" onSubmit={submit}>
      <h2 id="ret-h">Candidate data retention</h2>
      <p class="muted">
        Candidate data (CV, contact details, notes, messages, interview transcripts) is erased this many days after the final decision on all of their applications; decisions and scores stay as anonymous aggregates. Default {d.defaultDays} days.
      </p>
      <p data-testid="retention-due">
        {d.dueNow === 0 ? 'No candidate is due for erasure at the next daily sweep.' : `${num(d.dueNow)} candidate(s) will be erased at the next daily sweep.`}
        {d.updatedAt ? <span class="muted"> Last changed {when(d.updatedAt)}.</span> : null}
      </p>
      <label>
        Keep for (days)
        <input name="retentionDays" type="number" min={1} max={3650} step={1} required value={value} onInput={(e) => edit({ days: value }, { days: e.currentTarget.value })} />
      </label>
    </SettingsCard>
  );
}

interface PrivacyContactView {
  privacyContact: { email: string | null; url: string | null } | null;
  updatedAt: string | null;
  retentionDays: number;
  noticeVersion: number;
}

/** The contact every candidate notice names; jobs cannot be published without it. */
function PrivacyContactForm() {
  const { stored: r, draft: form, edit, save, saved, commit } = useSettingsForm<PrivacyContactView, { email: string; url: string }>(() => get<PrivacyContactView>('/api/v1/org/privacy-contact'));
  if (!r.data) return <NotLoaded error={r.error} card />;
  const d = r.data;
  const f = form ?? { email: d.privacyContact?.email ?? '', url: d.privacyContact?.url ?? '' };
  const set = (p: Partial<typeof f>): void => edit(f, p);
  const submit = (): void => {
    commit(() => put<PrivacyContactView>('/api/v1/org/privacy-contact', { email: f.email.trim() || null, url: f.url.trim() || null }));
  };
  return (
    <SettingsCard id="privacy" labelledBy="privacy-h" save={save} saved={saved} savedText="Privacy contact saved." submitLabel="Save privacy contact" onSubmit={submit}>
      <h2 id="privacy-h">Privacy contact</h2>
      <p class="muted">
        Named in every candidate notice (apply page, interview page, mails) with the retention above, for questions, copies, corrections, deletion and a review without AI. Required before a job can be published. Changing it makes a new notice version (now version {d.noticeVersion}); each consent records the version the candidate saw.
      </p>
      {d.privacyContact ? null : <Notice>No privacy contact yet: jobs cannot be published until one is set.</Notice>}
      <label>
        Email
        <input name="privacyEmail" type="email" maxLength={254} value={f.email} onInput={(e) => set({ email: e.currentTarget.value })} />
      </label>
      <label>
        Web page (https)
        <input name="privacyUrl" type="url" maxLength={500} placeholder="https://" value={f.url} onInput={(e) => set({ url: e.currentTarget.value })} />
      </label>
    </SettingsCard>
  );
}

function AiSettingsForm() {
  const { stored: s, draft: form, edit, save, saved, commit } = useSettingsForm<AiSettings, { paused: boolean; pausedReason: string; model: string; budget: string; concurrency: string }>(() => get<AiSettings>('/api/v1/ai/settings'));
  if (!s.data) return <NotLoaded error={s.error} card />;
  const d = s.data;
  const f = form ?? { paused: d.paused, pausedReason: d.pausedReason ?? '', model: d.model ?? '', budget: d.monthlyTokenBudget === null ? '' : String(d.monthlyTokenBudget), concurrency: String(d.concurrency) };
  const set = (p: Partial<typeof f>): void => edit(f, p);
  const budgetUse = d.monthlyTokenBudget ? Math.min(100, Math.round((d.tokensUsedThisMonth / d.monthlyTokenBudget) * 100)) : null;
  const submit = (): void => {
    commit(() =>
      patch<AiSettings>('/api/v1/ai/settings', {
        paused: f.paused,
        pausedReason: f.paused && f.pausedReason.trim() ? f.pausedReason.trim() : null,
        model: f.model.trim() || null,
        monthlyTokenBudget: f.budget.trim() === '' ? null : Number(f.budget),
        concurrency: Number(f.concurrency),
      }),
    );
  };
  return (
    <SettingsCard id="ai" labelledBy="ai-h" save={save} saved={saved} savedText="AI settings saved." submitLabel="Save AI settings" onSubmit={submit}>
      <h2 id="ai-h">AI screening and scoring</h2>
      <p class={d.paused || d.budgetExceeded ? 'notice warn' : 'muted'} data-testid="ai-state">
        {d.paused
          ? `All AI processing is paused${d.pausedReason ? ` (${d.pausedReason})` : ''}. Queued screenings wait; nothing is lost.`
          : d.budgetExceeded
            ? 'The monthly token budget is used up: new screenings wait until next month or a higher budget.'
            : 'AI is running. Its output is advisory; people make every decision.'}{' '}
        Tokens used this month: <strong data-testid="ai-tokens">{num(d.tokensUsedThisMonth)}</strong>
        {d.monthlyTokenBudget !== null ? ` of ${num(d.monthlyTokenBudget)} (${budgetUse}%)` : ' (no budget set)'}.
      </p>
      <label class="check">
        <input type="checkbox" name="paused" checked={f.paused} onChange={(e) => set({ paused: e.currentTarget.checked })} /> Pause all AI for this organisation
      </label>
      {f.paused ? (
        <label>
          Reason for pausing (shown to your team)
          <input name="pausedReason" maxLength={500} value={f.pausedReason} onInput={(e) => set({ pausedReason: e.currentTarget.value })} />
        </label>
      ) : null}
      <div class="cols">
        <label>
          Model (blank: the server's default)
          <input name="model" maxLength={100} pattern="[A-Za-z0-9._:\/\-]+" placeholder="e.g. gpt-4o-mini" value={f.model} onInput={(e) => set({ model: e.currentTarget.value })} aria-describedby="model-hint" />
        </label>
        <label>
          Monthly token budget (blank: no limit)
          <input name="monthlyTokenBudget" type="number" min={0} step={1} inputMode="numeric" value={f.budget} onInput={(e) => set({ budget: e.currentTarget.value })} />
        </label>
        <label>
          Screenings at once
          <input name="concurrency" type="number" min={1} max={100} step={1} required value={f.concurrency} onInput={(e) => set({ concurrency: e.currentTarget.value })} />
        </label>
      </div>
      <p class="muted hint" id="model-hint">
        The provider (OpenAI or the simulated stand-in) is chosen by the server's configuration; the model name is pinned here and recorded with every result.
      </p>
    </SettingsCard>
  );
}

interface VapiForm {
  assistantId: string;
  phoneNumberId: string;
  publicKey: string;
  maxCallRetries: string;
  retryDelays: string;
  cutoff: string;
  modelProvider: string;
  model: string;
}

const PROVIDER_TEXT: Record<string, string> = {
  closed: 'Vapi is answering normally.',
  open: 'Vapi is failing: calls wait and are retried automatically',
  half_open: 'Vapi is being probed after failures',
};

function VapiSettingsForm() {
  const { stored: s, draft: form, edit, save, saved, commit } = useSettingsForm<VapiSettings, VapiForm>(() => get<VapiSettings>('/api/v1/interviews/settings'));
  if (!s.data) return <NotLoaded error={s.error} card />;
  const d = s.data;
  const f: VapiForm = form ?? {
    assistantId: d.assistantId ?? '',
    phoneNumberId: d.phoneNumberId ?? '',
    publicKey: d.publicKey ?? '',
    maxCallRetries: String(d.maxCallRetries),
    retryDelays: d.retryDelaysSeconds.map((x) => String(Math.round(x / 60))).join(', '),
    cutoff: String(d.rescheduleCutoffMinutes),
    modelProvider: d.assistantModelProvider ?? '',
    model: d.assistantModel ?? '',
  };
  const set = (p: Partial<VapiForm>): void => edit(f, p);
  const ready = Boolean(d.assistantId && d.phoneNumberId);
  const provider = d.provider.state === 'unknown' ? null : `${PROVIDER_TEXT[d.provider.state] ?? d.provider.state}${d.provider.retryAt ? ` (next try ${when(d.provider.retryAt)})` : ''}.`;
  const submit = (): void => {
    commit(async () => {
      const delays = f.retryDelays
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((m) => Math.round(Number(m) * 60));
      await put('/api/v1/interviews/settings', {
        assistantId: f.assistantId.trim() || null,
        phoneNumberId: f.phoneNumberId.trim() || null,
        publicKey: f.publicKey.trim() || null,
        maxCallRetries: Number(f.maxCallRetries),
        ...(delays.length ? { retryDelaysSeconds: delays } : {}),
        rescheduleCutoffMinutes: Number(f.cutoff),
        // Both empty: the operator's default model.
        assistantModelProvider: f.modelProvider.trim() && f.model.trim() ? f.modelProvider.trim() : null,
        assistantModel: f.modelProvider.trim() && f.model.trim() ? f.model.trim() : null,
      });
      return get<VapiSettings>('/api/v1/interviews/settings');
    });
  };
  return (
    <SettingsCard id="voice" labelledBy="voice-h" save={save} saved={saved} savedText="Voice interview settings saved." submitLabel="Save voice settings" onSubmit={submit}>
      <h2 id="voice-h">Voice interviews (Vapi)</h2>
      <p class="muted">
        {ready ? 'Ready: invited candidates who consent get a call from this assistant and number.' : 'Not ready: set the Vapi assistant and phone number, then add a webhook endpoint below, before inviting candidates.'} {provider}
      </p>
      <div class="cols">
        <label>
          Assistant ID
          <input name="assistantId" maxLength={128} pattern="[A-Za-z0-9_\-]+" autocomplete="off" value={f.assistantId} onInput={(e) => set({ assistantId: e.currentTarget.value })} />
        </label>
        <label>
          Phone number ID
          <input name="phoneNumberId" maxLength={128} pattern="[A-Za-z0-9_\-]+" autocomplete="off" value={f.phoneNumberId} onInput={(e) => set({ phoneNumberId: e.currentTarget.value })} />
        </label>
        <label>
          Public key (browser calls; never the private key)
          <input name="publicKey" maxLength={128} pattern="[A-Za-z0-9_\-]+" autocomplete="off" value={f.publicKey} onInput={(e) => set({ publicKey: e.currentTarget.value })} />
        </label>
      </div>
      <div class="cols">
        <label>
          Re-dials when unanswered or busy
          <input name="maxCallRetries" type="number" min={0} max={5} step={1} required value={f.maxCallRetries} onInput={(e) => set({ maxCallRetries: e.currentTarget.value })} />
        </label>
        <label>
          Minutes between re-dials (comma separated)
          <input name="retryDelays" inputMode="numeric" pattern="\s*[0-9]+(\s*,\s*[0-9]+){0,4}\s*" value={f.retryDelays} onInput={(e) => set({ retryDelays: e.currentTarget.value })} />
        </label>
        <label>
          Candidates may reschedule until (minutes before)
          <input name="rescheduleCutoffMinutes" type="number" min={0} max={2880} step={1} required value={f.cutoff} onInput={(e) => set({ cutoff: e.currentTarget.value })} />
        </label>
      </div>
      <div class="cols">
        <label>
          Assistant model provider (empty: {d.defaultAssistantModel.provider})
          <input name="assistantModelProvider" maxLength={40} pattern="[a-z0-9][a-z0-9\-]*" autocomplete="off" placeholder={d.defaultAssistantModel.provider} value={f.modelProvider} onInput={(e) => set({ modelProvider: e.currentTarget.value })} />
        </label>
        <label>
          Assistant model (empty: {d.defaultAssistantModel.model})
          <input name="assistantModel" maxLength={100} autocomplete="off" placeholder={d.defaultAssistantModel.model} value={f.model} onInput={(e) => set({ model: e.currentTarget.value })} />
        </label>
      </div>
      <p class="muted">The language model that speaks with candidates in hirebox-managed assistants (not in an assistant you configured yourself in Vapi); each interview records the model it used.</p>
    </SettingsCard>
  );
}

const MODE_LABEL: Record<string, string> = { hmac: 'HMAC signature (recommended)', bearer: 'Bearer token', 'x-vapi-secret': 'X-Vapi-Secret header' };

function WebhookEndpoints() {
  const list = useData(async () => (await get<{ endpoints: WebhookEndpoint[] }>('/api/v1/webhooks/vapi')).endpoints, []);
  const [mode, setMode] = useState('hmac');
  const [signatureHeader, setSignatureHeader] = useState('');
  const [timestampHeader, setTimestampHeader] = useState('');
  const [created, setCreated] = useState<(WebhookEndpoint & { secret: string }) | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const create = useAction();
  const act = useAction();
  const active = (list.data ?? []).filter((e) => !e.revokedAt);
  const revoked = (list.data ?? []).filter((e) => e.revokedAt);
  return (
    <section class="card" aria-labelledby="hooks-h">
      <h2 id="hooks-h">Vapi webhook endpoints</h2>
      <p class="muted">Vapi sends call status, transcripts and reports to one of these URLs. Set it as the assistant's server URL with the secret as its credential.</p>
      <ErrorBox error={list.error ?? act.error} />
      {message ? <Notice>{message}</Notice> : null}
      {created ? (
        <div class="secret-once" role="status" data-testid="webhook-secret">
          <p>
            <strong>Copy the secret now: it is shown only once.</strong>
          </p>
          <dl class="facts">
            <dt>URL</dt>
            <dd>
              <code>{created.url}</code>
            </dd>
            <dt>Secret</dt>
            <dd>
              <code class="secret">{created.secret}</code>
            </dd>
          </dl>
          <button type="button" class="secondary" onClick={() => setCreated(null)}>
            I have stored the secret
          </button>
        </div>
      ) : null}
      {list.loading ? (
        <Loading />
      ) : active.length === 0 ? (
        <Empty title="No active webhook endpoint.">Add one below; without it interview transcripts cannot reach hirebox.</Empty>
      ) : (
        <ul class="log" aria-label="Webhook endpoints">
          {active.map((e) => (
            <li key={e.id}>
              <code class="secret">{e.url}</code>
              <p class="muted">
                {MODE_LABEL[e.mode] ?? e.mode}
                {e.mode === 'hmac' ? ` · headers ${e.signatureHeader}, ${e.timestampHeader}` : ''} · created {when(e.createdAt)}
              </p>
              <ConfirmButton
                class="danger"
                action={act}
                confirm="Revoke this endpoint? Vapi messages sent to it are refused from now on."
                onConfirm={async () => {
                  await del(`/api/v1/webhooks/vapi/${e.id}`);
                  await list.reload();
                  setMessage('Endpoint revoked.');
                }}
              >
                Revoke
              </ConfirmButton>
            </li>
          ))}
        </ul>
      )}
      {revoked.length ? <p class="muted">{revoked.length} revoked endpoint(s) not shown.</p> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setMessage(null);
          void create.run(async () => {
            const body: Record<string, string> = { mode };
            if (mode === 'hmac' && signatureHeader.trim()) body.signatureHeader = signatureHeader.trim();
            if (mode === 'hmac' && timestampHeader.trim()) body.timestampHeader = timestampHeader.trim();
            setCreated(await post<WebhookEndpoint & { secret: string }>('/api/v1/webhooks/vapi', body));
            await list.reload();
          });
        }}
      >
        <h3>Add an endpoint</h3>
        <div class="cols">
          <label>
            Authentication
            <select name="mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
              {Object.entries(MODE_LABEL).map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          {mode === 'hmac' ? (
            <>
              <label>
                Signature header (blank: x-signature)
                <input name="signatureHeader" maxLength={64} pattern="[A-Za-z0-9\-]+" value={signatureHeader} onInput={(e) => setSignatureHeader(e.currentTarget.value)} />
              </label>
              <label>
                Timestamp header (blank: x-timestamp)
                <input name="timestampHeader" maxLength={64} pattern="[A-Za-z0-9\-]+" value={timestampHeader} onInput={(e) => setTimestampHeader(e.currentTarget.value)} />
              </label>
            </>
          ) : null}
        </div>
        <ErrorBox error={create.error} />
        <button type="submit" class="secondary" disabled={create.busy}>
          Create endpoint
        </button>
      </form>
    </section>
  );
}
