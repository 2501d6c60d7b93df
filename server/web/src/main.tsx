// The hirebox console: a Preact single-page app under /app, plus the landing pages of the
// links hirebox mails (/invite/:token, /reset/:token, /setup/:token, /email/confirm|revert/:token)
// and the SSO account link (/sso/link).
import { render, type ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, clearCsrf, get, post, setCsrf, type Me, type OrgView } from './api.js';
import { ApiTokens } from './pages/api-tokens.js';
import { currentPath, interceptLinks, match, navigate, safeNext, useLocation } from './router.js';
import { makeSession, SessionContext, useSession, type Session } from './session.js';
import { ErrorBox, Loading, ROLE_LABEL, errorText, useData, when } from './ui.js';
import { EmailLink, Forgot, Mfa, SignIn, SsoLink, TokenLink } from './pages/auth.js';
import { JobEditor, JobsList } from './pages/jobs.js';
import { Pipeline } from './pages/pipeline.js';
import { ApplicationDetail } from './pages/application.js';
import { Account, AuditLog, Members } from './pages/admin.js';
import './styles.css';

/**
 * A screen loaded on first visit (its own hashed chunk), so the pages recruiters open all
 * day (jobs, pipeline, application) do not carry the admin screens' code.
 */
function lazyPage(load: () => Promise<ComponentType>): ComponentType {
  let loaded: ComponentType | null = null;
  let pending: Promise<ComponentType> | null = null;
  return function LazyPage() {
    const [, setReady] = useState(0);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
      if (loaded) return;
      pending ??= load();
      pending.then(
        (c) => {
          loaded = c;
          setReady(1);
        },
        (e: unknown) => {
          pending = null;
          setError(e instanceof Error ? new Error(`This screen could not be loaded (${e.message}). Reload the page.`) : e);
        },
      );
    }, []);
    if (loaded) {
      const Page = loaded;
      return <Page />;
    }
    return error ? <ErrorBox error={error} /> : <Loading />;
  };
}
const Settings = lazyPage(async () => (await import('./pages/settings.js')).Settings);
const Templates = lazyPage(async () => (await import('./pages/templates.js')).Templates);
const Accommodations = lazyPage(async () => (await import('./pages/accommodations-list.js')).AccommodationsList);
const ReviewTasks = lazyPage(async () => (await import('./pages/reviews.js')).ReviewTasks);
const Fairness = lazyPage(async () => (await import('./pages/fairness.js')).Fairness);
const Analytics = lazyPage(async () => (await import('./pages/analytics.js')).Analytics);
const PrivacyRegister = lazyPage(async () => (await import('./pages/privacy-register.js')).PrivacyRegister);

function Public({ path, query, onSignedIn }: { path: string; query: URLSearchParams; onSignedIn: (to: string) => void }) {
  const next = safeNext(query.get('next'));
  let m: Record<string, string> | null;
  if ((m = match('/invite/:token', path))) return <TokenLink kind="invite" token={m.token as string} />;
  if ((m = match('/reset/:token', path))) return <TokenLink kind="reset" token={m.token as string} />;
  if ((m = match('/setup/:token', path))) return <TokenLink kind="setup" token={m.token as string} />;
  if ((m = match('/email/confirm/:token', path))) return <EmailLink kind="confirm" token={m.token as string} />;
  if ((m = match('/email/revert/:token', path))) return <EmailLink kind="revert" token={m.token as string} />;
  if (match('/sso/link', path)) return <SsoLink onSignedIn={onSignedIn} />;
  if (match('/app/forgot', path)) return <Forgot />;
  if (match('/app/mfa', path)) return <Mfa next={next} onSignedIn={onSignedIn} />;
  return <SignIn next={next} expired={query.get('expired') === '1'} ssoError={query.get('sso')} />;
}

const PUBLIC = [/^\/(invite|reset|setup|email\/confirm|email\/revert)\/[^/]+\/?$/, /^\/sso\/link\/?$/, /^\/app\/(sign-in|mfa|forgot)\/?$/];

function App() {
  const { path, query } = useLocation();
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<unknown>(null);
  const isPublic = PUBLIC.some((r) => r.test(path));

  const load = async (): Promise<void> => {
    try {
      const me = await get<Me>('/api/v1/me', { quiet401: true });
      setCsrf(me.csrfToken);
      const { orgs } = await get<{ orgs: OrgView[] }>('/api/v1/auth/orgs', { quiet401: true });
      setSession(makeSession(me, orgs, load));
      setError(null);
    } catch (e) {
      setSession(null);
      if (e instanceof ApiError && e.status === 401) {
        const next = encodeURIComponent(currentPath());
        navigate(e.problem.mfa === 'required' ? `/app/mfa?next=${next}` : `/app/sign-in?next=${next}`, true);
      } else setError(e);
    }
  };

  useEffect(() => {
    if (!isPublic && !session) void load();
  }, [isPublic, session === null]);

  if (isPublic) {
    return (
      <div class="public">
        <p class="brand">hirebox</p>
        <main id="main">
          <Public
            path={path}
            query={query}
            onSignedIn={(to) => {
              setSession(null);
              navigate(to);
            }}
          />
        </main>
      </div>
    );
  }
  if (error) return <ErrorBox error={error} />;
  if (!session) return <Loading />;
  return (
    <SessionContext.Provider value={session}>
      <Shell path={path} />
    </SessionContext.Provider>
  );
}

function Shell({ path }: { path: string }) {
  const s = useSession();
  const mainRef = useRef<HTMLElement>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    setMenuOpen(false);
    mainRef.current?.focus();
  }, [path]);
  const nav: [string, string, boolean][] = [
    ['/app/jobs', 'Jobs', s.can('jobs:read')],
    ['/app/members', 'Members', s.can('members:read')],
    ['/app/reviews', 'Reviews', s.can('applications:decide')],
    ['/app/accommodations', 'Accommodations', s.can('applications:read')],
    ['/app/templates', 'Templates', s.can('applications:read')],
    ['/app/settings', 'Settings', s.can('settings:manage')],
    ['/app/audit', 'Audit log', s.can('audit:read')],
    ['/app/fairness', 'Fairness', s.can('bias:read')],
    ['/app/analytics', 'Analytics', s.can('analytics:read')],
    ['/app/privacy', 'Privacy', s.can('privacy:read')],
    ['/app/api-tokens', 'API tokens', s.org !== null],
  ];
  const home = s.can('jobs:read') ? '/app/jobs' : s.can('audit:read') ? '/app/audit' : '/app/account';
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={home}>
          hirebox
        </a>
        <button type="button" class="menu-toggle secondary" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav id="nav" class={menuOpen ? 'open' : ''} aria-label="Main">
          {nav
            .filter(([, , ok]) => ok)
            .map(([href, label]) => (
              <a key={href} href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>
                {label}
              </a>
            ))}
          <a href="/app/account" aria-current={path.startsWith('/app/account') ? 'page' : undefined}>
            Account
          </a>
        </nav>
        <OrgSwitcher />
        <button
          type="button"
          class="secondary"
          onClick={() =>
            void post('/api/v1/auth/logout', undefined, { quiet401: true })
              .catch(() => undefined)
              .then(() => {
                clearCsrf();
                location.assign('/app/sign-in');
              })
          }
        >
          Sign out
        </button>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {s.can('applications:read') ? <AiStatusBanner /> : null}
        <Route path={path} home={home} />
      </main>
    </div>
  );
}

interface AiStatus {
  paused: boolean;
  pausedReason: string | null;
  providers: { name: string; state: string; message: string; retryAt: string | null }[];
}

/** Says so on every page while AI work is held up (org pause switch or a failing provider). */
function AiStatusBanner() {
  const status = useData(() => get<AiStatus>('/api/v1/ai/status', { quiet401: true }), [], 60_000);
  const d = status.data;
  if (!d) return null;
  const failing = d.providers.filter((p) => p.state !== 'closed');
  if (!d.paused && failing.length === 0) return null;
  return (
    <div class="notice warn banner" role="status" data-testid="ai-status">
      {d.paused ? <p>AI is paused for this organisation{d.pausedReason ? ` (${d.pausedReason})` : ''}: screenings and interview scoring wait and resume when an admin switches it back on. Decisions are not held up.</p> : null}
      {failing.map((p) => (
        <p key={p.name}>
          {p.message}
          {p.retryAt ? ` Next try ${when(p.retryAt)}.` : ''}
        </p>
      ))}
    </div>
  );
}

function OrgSwitcher() {
  const s = useSession();
  const [error, setError] = useState<unknown>(null);
  const label = `${s.org?.name ?? 'No organisation'} · ${ROLE_LABEL[s.me.role ?? ''] ?? ''}`;
  if (s.orgs.length < 2) return <span class="org" data-testid="org">{label}</span>;
  return (
    <label class="org">
      <span class="sr-only">Organisation</span>
      <select
        value={s.org?.id ?? ''}
        onChange={(e) => {
          const orgId = e.currentTarget.value;
          post<{ csrfToken: string }>('/api/v1/auth/switch-org', { orgId })
            .then((r) => {
              setCsrf(r.csrfToken);
              location.assign('/app/');
            })
            .catch(setError);
        }}
      >
        {s.orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name} ({ROLE_LABEL[o.role] ?? o.role})
          </option>
        ))}
      </select>
      {error ? <span class="error">{errorText(error)}</span> : null}
    </label>
  );
}

function Route({ path, home }: { path: string; home: string }) {
  let m: Record<string, string> | null;
  if (match('/app', path) || match('/app/', path) || path === '/') {
    navigate(home, true);
    return null;
  }
  if (match('/app/jobs', path)) return <JobsList />;
  if (match('/app/jobs/new', path)) return <JobEditor id={null} />;
  if ((m = match('/app/jobs/:id/pipeline', path))) return <Pipeline jobId={m.id as string} />;
  if ((m = match('/app/jobs/:id', path))) return <JobEditor id={m.id as string} />;
  if ((m = match('/app/applications/:id', path))) return <ApplicationDetail id={m.id as string} />;
  if (match('/app/members', path)) return <Members />;
  if (match('/app/settings', path)) return <Settings />;
  if (match('/app/templates', path)) return <Templates />;
  if (match('/app/reviews', path)) return <ReviewTasks />;
  if (match('/app/accommodations', path)) return <Accommodations />;
  if (match('/app/audit', path)) return <AuditLog />;
  if (match('/app/fairness', path)) return <Fairness />;
  if (match('/app/analytics', path)) return <Analytics />;
  if (match('/app/privacy', path)) return <PrivacyRegister />;
  if (match('/app/account', path)) return <Account />;
  if (match('/app/api-tokens', path)) return <ApiTokens />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <a href={home}>Go to the start page</a>
      </p>
    </section>
  );
}

interceptLinks();
const root = document.getElementById('root');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
