// Sign-in, MFA (enrolment with QR code, prompt, recovery codes) and the mailed-link pages
// (/invite/:token, /reset/:token, /setup/:token, /email/confirm|revert/:token) and the SSO
// account link (/sso/link).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, post, setCsrf } from '../api.js';
import { navigate, safeNext } from '../router.js';
import { ErrorBox, Notice, useAction } from '../ui.js';

const MFA_KEY = 'hirebox.mfa';

/** What the SSO callback's refusal codes (/app/sign-in?sso=<code>) mean; unknown codes read as "failed". */
const SSO_ERRORS: Record<string, string> = {
  failed: 'Single sign-on did not succeed (it may have timed out or been used already). Start again.',
  email_missing: 'Your identity provider did not share an email address, so hirebox cannot tell who you are. Ask your IT team to release the email claim.',
  email_unverified: 'Your identity provider has not verified your email address. Verify it there, then start again.',
  domain_refused: 'Your email domain may not sign in to this organisation with single sign-on. Ask an admin of the organisation.',
  account_disabled: 'This hirebox account is disabled. Ask an admin of your organisation.',
  other_orgs: 'This account belongs to other organisations too: sign in with its password and authenticator app first.',
  unavailable: 'The identity provider could not be reached. Try again in a moment.',
  not_configured: 'Single sign-on is not set up for this organisation. Check the organisation ID or sign in with your password.',
};

/** True when a 401 means the half-session is gone (not just a wrong code). */
function sessionEnded(e: unknown): boolean {
  return e instanceof ApiError && e.status === 401 && e.problem.mfa === undefined && (e.problem as { attemptsLeft?: number }).attemptsLeft === undefined;
}

export function SignIn({ next, expired, ssoError }: { next: string; expired: boolean; ssoError?: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [orgSlug, setOrgSlug] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      const res = await post<{ mfa: string; csrfToken: string }>('/api/v1/auth/login', { email, password }, { quiet401: true });
      setCsrf(res.csrfToken);
      sessionStorage.setItem(MFA_KEY, res.mfa);
      navigate(`/app/mfa?next=${encodeURIComponent(next)}`);
    });
  };
  const sso = (e: Event): void => {
    e.preventDefault();
    const slug = orgSlug.trim().toLowerCase();
    if (slug) location.assign(`/api/v1/auth/sso/${encodeURIComponent(slug)}/start?returnTo=${encodeURIComponent(next)}`);
  };
  return (
    <section class="card narrow" aria-labelledby="signin-h">
      <h1 id="signin-h">Sign in to hirebox</h1>
      {expired ? <Notice>Your session has ended. Sign in again to continue where you were.</Notice> : null}
      {ssoError ? (
        <p class="error" role="alert">
          {SSO_ERRORS[ssoError] ?? SSO_ERRORS.failed}
        </p>
      ) : null}
      <form onSubmit={submit}>
        <label>
          Email
          <input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <a href="/app/forgot">Forgot your password?</a>
      </p>
      <details>
        <summary>Sign in with your organisation's single sign-on</summary>
        <form onSubmit={sso}>
          <label>
            Organisation ID (slug)
            <input name="orgSlug" pattern="[a-z0-9-]+" value={orgSlug} onInput={(e) => setOrgSlug(e.currentTarget.value)} />
          </label>
          <button type="submit" class="secondary">
            Continue with SSO
          </button>
        </form>
      </details>
    </section>
  );
}

export function Mfa({ next, onSignedIn }: { next: string; onSignedIn: (to: string) => void }) {
  const [mode, setMode] = useState<'enroll' | 'required' | 'recovery'>(sessionStorage.getItem(MFA_KEY) === 'enroll' ? 'enroll' : 'required');
  const [enrolment, setEnrolment] = useState<{ secret: string; qrCodeDataUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const { busy, error, run } = useAction();
  const loadEnrol = useAction();

  useEffect(() => {
    if (mode !== 'enroll' || enrolment) return;
    void loadEnrol.run(async () => {
      try {
        setEnrolment(await post<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }>('/api/v1/auth/mfa/enroll'));
      } catch (e) {
        if ((e as { status?: number }).status === 409) setMode('required');
        else throw e;
      }
    });
  }, [mode]);

  const submit = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      const body = mode === 'recovery' ? { recoveryCode: code.trim() } : { code: code.replace(/\s+/g, '') };
      let res: { csrfToken: string; recoveryCodes?: string[] };
      try {
        // quiet401: a wrong code is a 401 too; it keeps the member here with the server's
        // message and what is left before lockout (issue 21). Only a 401 without that (the
        // half-session ended) goes back to sign-in.
        res = await post<{ csrfToken: string; recoveryCodes?: string[] }>('/api/v1/auth/mfa/verify', body, { quiet401: true });
      } catch (err) {
        if (sessionEnded(err)) {
          sessionStorage.removeItem(MFA_KEY);
          navigate(`/app/sign-in?next=${encodeURIComponent(next)}&expired=1`, true);
        }
        setCode('');
        document.querySelector<HTMLInputElement>('input[name="code"]')?.focus();
        throw err;
      }
      setCsrf(res.csrfToken);
      sessionStorage.removeItem(MFA_KEY);
      if (res.recoveryCodes?.length) setRecoveryCodes(res.recoveryCodes);
      else onSignedIn(safeNext(next));
    });
  };

  if (recoveryCodes) {
    return (
      <section class="card narrow" aria-labelledby="rc-h">
        <h1 id="rc-h">Save your recovery codes</h1>
        <RecoveryCodeList codes={recoveryCodes} />
        <button type="button" onClick={() => onSignedIn(safeNext(next))}>
          I have saved them — continue
        </button>
      </section>
    );
  }

  return (
    <section class="card narrow" aria-labelledby="mfa-h">
      <h1 id="mfa-h">{mode === 'enroll' ? 'Set up your authenticator app' : 'Two-step verification'}</h1>
      {mode === 'enroll' ? (
        <div class="enrol">
          <p>Every hirebox member uses a second factor. Scan this code with an authenticator app (for example Aegis, 1Password or Google Authenticator), then enter the 6-digit code it shows.</p>
          {enrolment ? (
            <>
              <img class="qr" src={enrolment.qrCodeDataUrl} alt="QR code for your authenticator app" width={200} height={200} />
              <p>
                Can't scan? Enter this key: <code class="secret">{enrolment.secret}</code>
              </p>
            </>
          ) : (
            <ErrorBox error={loadEnrol.error} />
          )}
        </div>
      ) : (
        <p>{mode === 'recovery' ? 'Enter one of your single-use recovery codes.' : 'Enter the 6-digit code from your authenticator app.'}</p>
      )}
      <form onSubmit={submit}>
        <label>
          {mode === 'recovery' ? 'Recovery code' : 'Code'}
          <input
            key={mode === 'recovery' ? 'recovery' : 'totp'}
            name="code"
            autocomplete="one-time-code"
            inputMode={mode === 'recovery' ? 'text' : 'numeric'}
            pattern={mode === 'recovery' ? String.raw`[A-Za-z0-9 \-]{8,40}` : '[0-9 ]{6,7}'}
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Verify'}
        </button>
      </form>
      {mode !== 'enroll' ? (
        <p>
          <button type="button" class="link" onClick={() => setMode(mode === 'recovery' ? 'required' : 'recovery')}>
            {mode === 'recovery' ? 'Use my authenticator app instead' : 'Use a recovery code instead'}
          </button>
        </p>
      ) : null}
    </section>
  );
}

export function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <>
      <p>Each code signs you in once if you lose your authenticator. Store them somewhere safe, such as a password manager; they are not shown again.</p>
      <ul class="codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

export function Forgot() {
  const [email, setEmail] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  return (
    <section class="card narrow" aria-labelledby="fg-h">
      <h1 id="fg-h">Reset your password</h1>
      {done ? (
        <Notice>{done}</Notice>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => setDone((await post<{ status: string }>('/api/v1/auth/password-reset', { email }, { quiet401: true })).status));
          }}
        >
          <label>
            Email
            <input type="email" name="email" required autocomplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <ErrorBox error={error} />
          <button type="submit" disabled={busy}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        <a href="/app/sign-in">Back to sign in</a>
      </p>
    </section>
  );
}

type LinkKind = 'invite' | 'reset' | 'setup';

const LINK_TEXT: Record<LinkKind, { title: string; intro: string; done: string }> = {
  invite: { title: 'Join your team on hirebox', intro: 'Choose a password (12 to 128 characters) to accept the invitation.', done: 'Invitation accepted. Sign in to continue; you will set up your authenticator app first.' },
  reset: { title: 'Choose a new password', intro: 'Your new password must be 12 to 128 characters and not a common one.', done: 'Your password has been changed and other sessions were signed out. Sign in with the new password.' },
  setup: { title: 'Set up your hirebox account', intro: 'Choose the administrator password (12 to 128 characters).', done: 'Your account is ready. Sign in; you will set up your authenticator app first.' },
};

/** Landing pages of the links hirebox mails; the token in the URL is the credential. */
export function TokenLink({ kind, token }: { kind: LinkKind; token: string }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [existing, setExisting] = useState(false);
  const [done, setDone] = useState(false);
  const { busy, error, run, setError } = useAction();
  const text = LINK_TEXT[kind];
  const submit = (e: Event): void => {
    e.preventDefault();
    if (!existing && password !== confirm) {
      setError(new Error('The two passwords do not match.'));
      return;
    }
    void run(async () => {
      if (kind === 'invite') await post('/api/v1/auth/invitations/accept', existing ? { token, currentPassword: password } : { token, password }, { quiet401: true });
      else if (kind === 'reset') await post('/api/v1/auth/password-reset/complete', { token, newPassword: password }, { quiet401: true });
      else await post('/api/v1/auth/setup', { token, password }, { quiet401: true });
      setDone(true);
    });
  };
  return (
    <section class="card narrow" aria-labelledby="link-h">
      <h1 id="link-h">{text.title}</h1>
      {done ? (
        <>
          <Notice>{text.done}</Notice>
          <p>
            <a class="button" href="/app/sign-in">
              Sign in
            </a>
          </p>
        </>
      ) : (
        <form onSubmit={submit}>
          <p>{existing ? 'Enter your current hirebox password to add this organisation to your account.' : text.intro}</p>
          {kind === 'invite' ? (
            <label class="check">
              <input type="checkbox" checked={existing} onChange={(e) => setExisting(e.currentTarget.checked)} /> I already have a hirebox account
            </label>
          ) : null}
          <label>
            {existing ? 'Current password' : 'New password'}
            <input type="password" name="password" required minLength={existing ? 1 : 12} maxLength={128} autocomplete={existing ? 'current-password' : 'new-password'} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          {existing ? null : (
            <label>
              Repeat the password
              <input type="password" name="confirm" required autocomplete="new-password" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
            </label>
          )}
          <ErrorBox error={error} />
          <button type="submit" disabled={busy}>
            Continue
          </button>
        </form>
      )}
    </section>
  );
}

const EMAIL_TEXT = {
  confirm: {
    title: 'Confirm your new sign-in address',
    intro: 'Confirm to make this address the sign-in address of your hirebox account. Every session is signed out; sign in again with the new address.',
    button: 'Confirm the new address',
    done: 'Your sign-in address has changed. Sign in with the new address.',
  },
  revert: {
    title: 'Undo the change of your sign-in address',
    intro: 'This cancels the requested change (or restores your old address if it already changed) and signs out every session. Then reset your password.',
    button: 'Undo the change',
    done: 'Done: your old address is your sign-in address and every session was signed out. Reset your password now.',
  },
} as const;

/** Landing pages of the email-change links: nothing happens until the button is pressed (mail scanners open links). */
export function EmailLink({ kind, token }: { kind: 'confirm' | 'revert'; token: string }) {
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  const text = EMAIL_TEXT[kind];
  return (
    <section class="card narrow" aria-labelledby="email-h">
      <h1 id="email-h">{text.title}</h1>
      {done ? (
        <>
          <Notice>{text.done}</Notice>
          <p>
            <a class="button" href={kind === 'revert' ? '/app/forgot' : '/app/sign-in'}>
              {kind === 'revert' ? 'Reset your password' : 'Sign in'}
            </a>
          </p>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await post(`/api/v1/auth/email/${kind}`, { token }, { quiet401: true });
              setDone(true);
            });
          }}
        >
          <p>{text.intro}</p>
          <ErrorBox error={error} />
          <button type="submit" disabled={busy}>
            {text.button}
          </button>
        </form>
      )}
    </section>
  );
}

/**
 * After single sign-on, when an account already has the address the identity provider
 * vouched for: it is linked only with that account's password and authenticator code.
 * The link token arrives in the URL fragment, which browsers never send to a server.
 */
export function SsoLink({ onSignedIn }: { onSignedIn: (to: string) => void }) {
  const [token] = useState(() => location.hash.replace(/^#/, ''));
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();
  useEffect(() => {
    // Keep the token out of the history and of anything that reads the address bar later.
    if (location.hash) history.replaceState(null, '', location.pathname);
  }, []);
  return (
    <section class="card narrow" aria-labelledby="sso-link-h">
      <h1 id="sso-link-h">Link single sign-on to your account</h1>
      <p>
        A hirebox account already uses this email address. To sign in to it through your organisation&apos;s identity provider from now on, prove it is yours with its password and a code from
        its authenticator app. If it is not your account, stop here.
      </p>
      <p class="muted">An account without a password or authenticator app: sign in with a password first (or reset it) and set up the app, then sign in with single sign-on again.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const res = await post<{ csrfToken: string; returnTo: string }>('/api/v1/auth/sso/link', { token, password, code }, { quiet401: true });
            setCsrf(res.csrfToken);
            onSignedIn(safeNext(res.returnTo));
          });
        }}
      >
        <label>
          Password of the existing account
          <input type="password" name="password" required autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <label>
          Authenticator code
          <input name="code" required inputMode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        </label>
        <ErrorBox error={error} />
        <button type="submit" disabled={busy || !token}>
          Link and sign in
        </button>
      </form>
    </section>
  );
}
