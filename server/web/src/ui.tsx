// Small shared pieces: loading and error states, empty states, polling data hooks.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : 'Something went wrong.';
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

/** The "How this is computed" notes under a report (analytics, fairness): one line per method key. */
export function HowComputed({ method }: { method: Record<string, string> }) {
  return (
    <details>
      <summary>How this is computed</summary>
      <ul>
        {Object.entries(method).map(([k, text]) => (
          <li key={k}>{text}</li>
        ))}
      </ul>
    </details>
  );
}

/** A signing secret shown once after it is created or rotated; `children` say how to verify with it. */
export function SecretOnce({ secret, onDone, testId, children }: { secret: string; onDone: () => void; testId: string; children: ComponentChildren }) {
  return (
    <div class="secret-once" role="status" data-testid={testId}>
      <p>
        <strong>Copy the signing secret now: it is shown only once.</strong> {children}
      </p>
      <code class="secret">{secret}</code>
      <button type="button" class="secondary" onClick={onDone}>
        I have stored the secret
      </button>
    </div>
  );
}

/** What a page part shows until its data is there: the load's error, or "Loading…"; `card` wraps it in a card. */
export function NotLoaded({ error, card }: { error: unknown; card?: boolean }) {
  const inner = error ? <ErrorBox error={error} /> : <Loading />;
  return card ? <div class="card">{inner}</div> : inner;
}

/** A table's `<thead>`: a column header per name (a `false` name is left out), after `first` (e.g. a select-all box). */
export function ColumnHeads({ cols, first }: { cols: readonly (string | false)[]; first?: ComponentChildren }) {
  return (
    <thead>
      <tr>
        {first}
        {cols.map((c) =>
          c ? (
            <th key={c} scope="col">
              {c}
            </th>
          ) : null,
        )}
      </tr>
    </thead>
  );
}

export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  );
}

/**
 * Loads `load()` and, when `pollMs` is given, reloads it on that interval while the page is
 * visible (status updates without reload).
 */
export function useData<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number | ((data: T | undefined) => number | undefined)) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    try {
      const value = await loadRef.current();
      setData(value);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    setLoading(true);
    setData(undefined);
    void reload();
  }, deps);
  useEffect(() => {
    const every = typeof pollMs === 'function' ? pollMs(data) : pollMs;
    if (!every) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, every);
    return () => window.clearInterval(timer);
  }, [data, ...deps]);
  return { data, error, loading, reload, setData };
}

/** A button that asks `confirm` first, then runs `onConfirm` as `action`'s work (disabled while that is busy). */
export function ConfirmButton(props: { class: string; 'aria-label'?: string; action: { busy: boolean; run: (fn: () => Promise<unknown>) => Promise<unknown> }; confirm: string; onConfirm: () => Promise<unknown>; children: ComponentChildren }) {
  const { action } = props;
  return (
    <button type="button" class={props.class} aria-label={props['aria-label']} disabled={action.busy} onClick={() => window.confirm(props.confirm) && void action.run(props.onConfirm)}>
      {props.children}
    </button>
  );
}

/** Runs an action, keeping its busy/error state for the form that triggered it. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export const ROLE_LABEL: Record<string, string> = { admin: 'Admin', recruiter: 'Recruiter', hiring_manager: 'Hiring manager', auditor: 'Auditor' };
export const EMPLOYMENT_LABEL: Record<string, string> = { full_time: 'Full time', part_time: 'Part time', contract: 'Contract', temporary: 'Temporary', internship: 'Internship' };
