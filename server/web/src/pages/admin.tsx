// Members and roles, the session policy and SSO forms (shown in pages/settings.tsx), the audit log viewer, and the
// member's own account (sessions, recovery codes).
import { useState } from 'preact/hooks';
import { api, get, post, qs, type AuditEvent, type AuditVerify, type Member, type SsoDomain } from '../api.js';
import { RecoveryCodeList } from './auth.js';
import { useSession } from '../session.js';
import { ColumnHeads, Empty, ErrorBox, Loading, Notice, NotLoaded, ROLE_LABEL, useAction, useData, when } from '../ui.js';
import { SettingsCard, useSettingsForm } from '../settings-form.js';
import { RecentAlerts } from './alerts.js';
import { FilterBar, LoadMore, usePagedList } from '../list.js';

const ROLES = ['admin', 'recruiter', 'hiring_manager', 'auditor'] as const;

export function Members() {
  const session = useSession();
  const manage = session.can('members:manage');
  const list = useData(async () => (await get<{ members: Member[] }>('/api/v1/members')).members, []);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('recruiter');
  const [message, setMessage] = useState<string | null>(null);
  const act = useAction();
  const invite = useAction();
  const change = (fn: () => Promise<unknown>, done: string): void => {
    setMessage(null);
    void act.run(async () => {
      await fn();
      setMessage(done);
      await list.reload();
    });
  };
  return (
    <section aria-labelledby="mem-h">
      <h1 id="mem-h">Members</h1>
      {manage ? (
        <form
          class="card filters"
          onSubmit={(e) => {
            e.preventDefault();
            void invite.run(async () => {
              const res = await post<{ expiresAt: string }>('/api/v1/members/invitations', { email, role });
              setMessage(`Invitation sent to ${email}; the link works until ${when(res.expiresAt)}.`);
              setEmail('');
            });
          }}
        >
          <label>
            Invite by email
            <input type="email" name="inviteEmail" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label>
            Role
            <select name="inviteRole" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={invite.busy}>
            Send invitation
          </button>
          <ErrorBox error={invite.error} />
        </form>
      ) : null}
      {message ? <Notice>{message}</Notice> : null}
      <ErrorBox error={act.error ?? list.error} />
      {list.loading ? (
        <Loading />
      ) : (
        <table class="table">
          <caption class="sr-only">Members</caption>
          <ColumnHeads cols={['Member', 'Role', 'MFA', 'Joined', manage && 'Actions']} />
          <tbody>
            {(list.data ?? []).map((m) => {
              const self = m.userId === session.me.user.id;
              return (
                <tr key={m.userId}>
                  <td data-label="Member">
                    {m.displayName ?? m.email}
                    {m.displayName ? <span class="muted"> {m.email}</span> : null}
                    {self ? <span class="muted"> (you)</span> : null}
                  </td>
                  <td data-label="Role">
                    {manage && !self ? (
                      <select aria-label={`Role of ${m.email}`} value={m.role} disabled={act.busy} onChange={(e) => change(() => api('PATCH', `/api/v1/members/${m.userId}`, { role: e.currentTarget.value }), `Role of ${m.email} changed.`)}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABEL[r]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      ROLE_LABEL[m.role] ?? m.role
                    )}
                  </td>
                  <td data-label="MFA">{m.mfaEnabled ? 'enrolled' : 'not yet'}</td>
                  <td data-label="Joined">{when(m.joinedAt)}</td>
                  {manage ? (
                    <td data-label="Actions" class="row-actions">
                      {!self ? (
                        <>
                          <button type="button" class="secondary" disabled={act.busy} onClick={() => window.confirm(`Reset the authenticator of ${m.email}? They enrol again at next sign-in.`) && change(() => post(`/api/v1/members/${m.userId}/mfa-reset`), `MFA of ${m.email} reset.`)}>
                            Reset MFA
                          </button>
                          <button type="button" class="danger" disabled={act.busy} onClick={() => window.confirm(`Remove ${m.email} from this organisation? Their sessions end now.`) && change(() => api('DELETE', `/api/v1/members/${m.userId}`), `${m.email} removed.`)}>
                            Remove
                          </button>
                        </>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface SessionPolicy {
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
}
interface SsoConfig {
  configured: boolean;
  issuer: string | null;
  clientId: string | null;
  clientSecretSet: boolean;
  allowedDomains: string[];
  defaultRole: string;
  requireSso: boolean;
  trustIdpMfa: boolean;
  mfaAcrValues: string[];
  breakGlassUserId: string | null;
}

export function SessionPolicyForm() {
  const policy = useData(() => get<SessionPolicy>('/api/v1/org/session-policy'), []);
  const [idle, setIdle] = useState<string | null>(null);
  const [absolute, setAbsolute] = useState<string | null>(null);
  const save = useAction();
  const [saved, setSaved] = useState(false);
  if (!policy.data) return <NotLoaded error={policy.error} />;
  const idleMin = idle ?? String(policy.data.sessionIdleSeconds / 60);
  const absHours = absolute ?? String(policy.data.sessionAbsoluteSeconds / 3600);
  const submit = (): void => {
    setSaved(false);
    void save.run(async () => {
      policy.setData(await api<SessionPolicy>('PUT', '/api/v1/org/session-policy', { sessionIdleSeconds: Math.round(Number(idleMin) * 60), sessionAbsoluteSeconds: Math.round(Number(absHours) * 3600) }));
      setSaved(true);
    });
  };
  return (
    <SettingsCard save={save} saved={saved} savedText="Session policy saved." submitLabel="Save session policy" onSubmit={submit}>
      <h2>Sessions</h2>
      <p class="muted">Sessions may only be shorter than the defaults (30 minutes idle, 12 hours in all).</p>
      <div class="cols">
        <label>
          Idle timeout (minutes)
          <input type="number" name="idleMinutes" min={1} max={30} step="any" value={idleMin} onInput={(e) => setIdle(e.currentTarget.value)} />
        </label>
        <label>
          Absolute lifetime (hours)
          <input type="number" name="absoluteHours" min={0.1} max={12} step="any" value={absHours} onInput={(e) => setAbsolute(e.currentTarget.value)} />
        </label>
      </div>
    </SettingsCard>
  );
}

export function SsoForm() {
  const { stored: sso, draft: form, edit, save, saved, commit } = useSettingsForm<SsoConfig, SsoConfig & { clientSecret: string; domains: string }>(() => get<SsoConfig>('/api/v1/org/sso'));
  if (!sso.data) return <NotLoaded error={sso.error} />;
  const f = form ?? { ...sso.data, clientSecret: '', domains: sso.data.allowedDomains.join(', ') };
  const set = (patch: Partial<typeof f>): void => edit(f, patch);
  const submit = (): void => {
    commit(() =>
      api<SsoConfig>('PUT', '/api/v1/org/sso', {
        issuer: f.issuer ?? '',
        clientId: f.clientId ?? '',
        ...(f.clientSecret ? { clientSecret: f.clientSecret } : {}),
        allowedDomains: f.domains.split(/[\s,]+/).filter(Boolean),
        defaultRole: f.defaultRole === 'admin' ? 'recruiter' : f.defaultRole,
        requireSso: f.requireSso,
        trustIdpMfa: f.trustIdpMfa,
        mfaAcrValues: f.mfaAcrValues,
        breakGlassUserId: f.breakGlassUserId,
      }),
    );
  };
  return (
    <SettingsCard save={save} saved={saved} savedText="SSO settings saved." submitLabel="Save SSO settings" onSubmit={submit}>
      <h2>Single sign-on (OIDC)</h2>
      <p class="muted">{sso.data.configured ? 'Configured.' : 'Not configured: members sign in with password and authenticator app.'}</p>
      <label>
        Issuer URL
        <input name="issuer" type="url" required value={f.issuer ?? ''} onInput={(e) => set({ issuer: e.currentTarget.value })} />
      </label>
      <div class="cols">
        <label>
          Client ID
          <input name="clientId" required value={f.clientId ?? ''} onInput={(e) => set({ clientId: e.currentTarget.value })} />
        </label>
        <label>
          Client secret {f.clientSecretSet ? '(set; leave blank to keep)' : ''}
          <input name="clientSecret" type="password" autocomplete="off" value={f.clientSecret} onInput={(e) => set({ clientSecret: e.currentTarget.value })} />
        </label>
      </div>
      <label>
        Allowed email domains (comma separated)
        <input name="domains" required value={f.domains} onInput={(e) => set({ domains: e.currentTarget.value })} />
      </label>
      <label>
        Role for new members
        <select name="defaultRole" value={f.defaultRole} onChange={(e) => set({ defaultRole: e.currentTarget.value })}>
          <option value="recruiter">Recruiter</option>
          <option value="hiring_manager">Hiring manager</option>
          <option value="auditor">Auditor</option>
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={f.requireSso} onChange={(e) => set({ requireSso: e.currentTarget.checked })} /> Require SSO for all members (one break-glass admin keeps password sign-in)
      </label>
      <label class="check">
        <input type="checkbox" checked={f.trustIdpMfa} onChange={(e) => set({ trustIdpMfa: e.currentTarget.checked })} /> Trust the identity provider's MFA
      </label>
    </SettingsCard>
  );
}

const CHECK_TEXT: Record<string, string> = {
  not_found: 'no TXT record found yet',
  mismatch: 'a TXT record was found, but not this value',
  dns_error: 'the DNS look-up failed',
};

/** Ownership of the SSO email domains: a domain counts for SSO only once verified. */
export function SsoDomains() {
  const domains = useData(() => get<{ domains: SsoDomain[] }>('/api/v1/org/sso/domains'), []);
  const act = useAction();
  if (!domains.data) return <NotLoaded error={domains.error} />;
  const list = domains.data.domains;
  const refresh = async (fn: () => Promise<unknown>): Promise<void> => {
    await act.run(async () => {
      await fn();
      domains.setData(await get<{ domains: SsoDomain[] }>('/api/v1/org/sso/domains'));
    });
  };
  return (
    <section class="card" aria-labelledby="sso-domains-h">
      <h2 id="sso-domains-h">SSO email domains</h2>
      <p class="muted">
        A domain counts for single sign-on only after you prove you own it: publish the TXT record shown and press Check now, or ask your hirebox operator to approve it. Until then, people of that domain
        cannot sign in or join through SSO.
      </p>
      {list.length === 0 ? <Empty title="No allowed domains yet." /> : null}
      <ul>
        {list.map((d) => (
          <li key={d.domain}>
            <strong>{d.domain}</strong>{' '}
            {d.status === 'verified' ? (
              <span class="badge">verified{d.verifiedVia === 'operator' ? ' (approved by the operator)' : ' (DNS)'}</span>
            ) : (
              <span class="badge">not verified</span>
            )}
            {d.status !== 'verified' && d.record ? (
              <p>
                Publish TXT <code>{d.record.name}</code> with the value <code>{d.record.value}</code>
                {d.lastCheck && CHECK_TEXT[d.lastCheck] ? <span class="muted"> (last check {when(d.lastCheckedAt)}: {CHECK_TEXT[d.lastCheck]})</span> : null}{' '}
                <button type="button" class="secondary" disabled={act.busy} onClick={() => void refresh(() => post(`/api/v1/org/sso/domains/${encodeURIComponent(d.domain)}/check`))}>
                  Check now
                </button>
              </p>
            ) : null}
            {d.status === 'unrequested' ? (
              <button type="button" class="secondary" disabled={act.busy} onClick={() => void refresh(() => post(`/api/v1/org/sso/domains/${encodeURIComponent(d.domain)}/verification`))}>
                Show the TXT record to publish
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <ErrorBox error={act.error} />
    </section>
  );
}

export function AuditLog() {
  const [action, setAction] = useState('');
  const [filter, setFilter] = useState('');
  const verify = useData(() => get<AuditVerify>('/api/v1/audit/verify'), [], 30_000);
  const list = usePagedList(
    async (afterSeq: number | null) => {
      const res = await get<{ events: AuditEvent[]; nextAfterSeq: number | null }>(`/api/v1/audit/events${qs({ limit: 50, action: filter, afterSeq })}`);
      return { items: res.events, next: res.nextAfterSeq };
    },
    [filter],
  );
  const { page, more, items: events } = list;
  const v = verify.data;
  return (
    <section aria-labelledby="aud-h">
      <h1 id="aud-h">Audit log</h1>
      <div class={`card chain ${v ? (v.ok ? 'chain-ok' : 'chain-broken') : ''}`} role="status" data-testid="chain-status">
        {v ? (
          v.ok ? (
            <p>
              <strong>Chain verified.</strong> {v.eventsChecked} events and {v.checkpointsChecked} signed checkpoints check out (last sequence {v.lastSeq}).
            </p>
          ) : (
            <p>
              <strong>Chain broken</strong> at event {v.firstBroken?.seq}: {v.firstBroken?.reason} {v.firstBroken?.detail}. Follow the incident runbook.
            </p>
          )
        ) : verify.error ? (
          <ErrorBox error={verify.error} />
        ) : (
          <p>Verifying the hash chain…</p>
        )}
      </div>
      <RecentAlerts />
      <FilterBar onSearch={() => setFilter(action.trim())} submitLabel="Filter">
        <label>
          Action (exact, e.g. auth.login.succeeded)
          <input name="action" pattern="[a-z][a-z0-9_.]{1,99}" value={action} onInput={(e) => setAction(e.currentTarget.value)} />
        </label>
      </FilterBar>
      <ErrorBox error={page.error} />
      {page.loading ? (
        <Loading />
      ) : events.length === 0 ? (
        <Empty title="No events match.">Clear the filter to see every event.</Empty>
      ) : (
        <table class="table audit">
          <caption class="sr-only">Audit events</caption>
          <ColumnHeads cols={['#', 'When', 'Action', 'Actor', 'Target', 'Details']} />
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td data-label="#">{e.seq}</td>
                <td data-label="When">{when(e.occurredAt)}</td>
                <td data-label="Action">
                  <code>{e.action}</code>
                </td>
                <td data-label="Actor">
                  {e.actorType}
                  {e.actorId ? ` ${e.actorId.slice(0, 8)}` : ''}
                </td>
                <td data-label="Target">{e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ''}` : '—'}</td>
                <td data-label="Details">
                  <code class="meta">{JSON.stringify(e.metadata)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore list={list} label="Load more events" />
      <ErrorBox error={more.error} />
    </section>
  );
}

interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export function Account() {
  const session = useSession();
  const sessions = useData(async () => (await get<{ sessions: SessionRow[] }>('/api/v1/auth/sessions')).sessions, []);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const regen = useAction();
  const act = useAction();
  return (
    <section aria-labelledby="acc-h">
      <h1 id="acc-h">Your account</h1>
      <p>Signed in as {session.me.user.email}.</p>
      <div class="card">
        <h2>Active sessions</h2>
        <ErrorBox error={sessions.error ?? act.error} />
        <ul class="log">
          {(sessions.data ?? []).map((s) => (
            <li key={s.id}>
              {s.userAgent?.slice(0, 80) ?? 'unknown browser'} · {s.ip ?? ''} · last seen {when(s.lastSeenAt)} {s.current ? <strong>(this session)</strong> : null}
              {!s.current ? (
                <button type="button" class="secondary" onClick={() => void act.run(async () => (await api('DELETE', `/api/v1/auth/sessions/${s.id}`), await sessions.reload()))}>
                  Sign out this session
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        <button type="button" class="danger" onClick={() => void act.run(async () => (await post('/api/v1/auth/logout-everywhere'), location.assign('/app/sign-in')))}>
          Sign out everywhere
        </button>
      </div>
      {session.can('applications:read') ? <CalendarFeedCard /> : null}
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void regen.run(async () => setCodes((await post<{ recoveryCodes: string[] }>('/api/v1/auth/mfa/recovery-codes', { code })).recoveryCodes));
        }}
      >
        <h2>Recovery codes</h2>
        {codes ? (
          <RecoveryCodeList codes={codes} />
        ) : (
          <>
            <p>New codes replace the old ones. Confirm with a code from your authenticator app.</p>
            <label>
              Authenticator code
              <input name="code" inputMode="numeric" pattern="[0-9]{6}" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
            </label>
            <ErrorBox error={regen.error} />
            <button type="submit" class="secondary" disabled={regen.busy}>
              Generate new recovery codes
            </button>
          </>
        )}
      </form>
    </section>
  );
}

/** The member's private iCal feed of interviews: the URL is shown once, on create/rotate. */
function CalendarFeedCard() {
  const [url, setUrl] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const act = useAction();
  return (
    <div class="card">
      <h2>Calendar feed</h2>
      <p>Subscribe to the interviews you can see from your calendar app. The address is shown once; creating a new one replaces the old, and revoking stops it.</p>
      {url ? (
        <>
          <label>
            Feed address (keep it private)
            <input readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" class="secondary" onClick={() => void act.run(async () => (await navigator.clipboard.writeText(url), setMessage('Copied.')))}>
            Copy
          </button>
        </>
      ) : null}
      {message ? <Notice>{message}</Notice> : null}
      <ErrorBox error={act.error} />
      <button type="button" disabled={act.busy} onClick={() => void act.run(async () => (setUrl((await post<{ url: string }>('/api/v1/me/calendar-feed')).url), setMessage(null)))}>
        {url ? 'Replace feed address' : 'Create feed address'}
      </button>
      <button
        type="button"
        class="danger"
        disabled={act.busy}
        onClick={() => void act.run(async () => (await api('DELETE', '/api/v1/me/calendar-feed'), setUrl(null), setMessage('Calendar feed revoked.')))}
      >
        Revoke feed
      </button>
    </div>
  );
}
