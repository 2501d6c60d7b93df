// API tokens (issue 20): create (secret shown once), list, revoke. Every member manages
// their own; admins also see and can revoke every token of the org. Scopes offered are
// the member's own role's permissions (the server refuses anything beyond them).
import { useState } from 'preact/hooks';
import { del, get, post, type ApiToken } from '../api.js';
import { PERMISSIONS, type Permission } from '../../../core/permissions.js';
import { useSession } from '../session.js';
import { Empty, ErrorBox, Loading, useAction, useData, when } from '../ui.js';

export function ApiTokens() {
  const s = useSession();
  const list = useData(() => get<{ tokens: ApiToken[] }>('/api/v1/api-tokens'), []);
  const offered = PERMISSIONS.filter((p) => s.can(p));
  const [name, setName] = useState('');
  const [days, setDays] = useState(90);
  const [scopes, setScopes] = useState<Permission[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction();
  const revoke = useAction();
  return (
    <section aria-labelledby="tokens-h">
      <h1 id="tokens-h">API tokens</h1>
      <p class="muted">
        For scripts and integrations: send <code>Authorization: Bearer &lt;token&gt;</code>. A token grants the scopes you pick, never more than your role
        currently has. See docs/api.md.
      </p>
      {secret ? (
        <div class="notice" role="status" data-testid="new-token">
          <p>Copy the token now; it is not shown again.</p>
          <p>
            <code>{secret}</code>
          </p>
          <button type="button" class="secondary" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      ) : null}
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run(async () => {
            const made = await post<ApiToken & { token: string }>('/api/v1/api-tokens', { name: name.trim(), scopes, expiresInDays: days });
            setSecret(made.token);
            setName('');
            setScopes([]);
            await list.reload();
          });
        }}
      >
        <h2>New token</h2>
        <label>
          Name
          <input name="tokenName" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Expires in (days, at most 365)
          <input name="tokenDays" type="number" min={1} max={365} required value={days} onInput={(e) => setDays(Number(e.currentTarget.value))} />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {offered.map((p) => (
            <label key={p}>
              <input
                type="checkbox"
                name="scope"
                value={p}
                checked={scopes.includes(p)}
                onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, p] : scopes.filter((x) => x !== p))}
              />{' '}
              {p}
            </label>
          ))}
        </fieldset>
        <ErrorBox error={create.error} />
        <button type="submit" disabled={create.busy || scopes.length === 0}>
          Create token
        </button>
      </form>
      <ErrorBox error={list.error ?? revoke.error} />
      {list.loading ? <Loading /> : null}
      {list.data && list.data.tokens.length === 0 ? <Empty title="No API tokens yet" /> : null}
      {list.data && list.data.tokens.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Scopes</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {list.data.tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>hbx_{t.prefix}</code>
                </td>
                <td>{t.scopes.join(', ')}</td>
                <td>{when(t.expiresAt)}</td>
                <td>{t.lastUsedAt ? `${when(t.lastUsedAt)} from ${t.lastUsedIp ?? '?'}` : 'never'}</td>
                <td>
                  {t.revokedAt ? (
                    `revoked ${when(t.revokedAt)}`
                  ) : (
                    <button type="button" class="danger" disabled={revoke.busy} onClick={() => void revoke.run(async () => { await del(`/api/v1/api-tokens/${t.id}`); await list.reload(); })}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
