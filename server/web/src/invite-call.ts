// The candidate's browser interview on /i/:token (mode 'browser'): a same-origin module
// (no inline script) that asks hirebox for the call configuration — only given after the
// candidate's consent — and starts the call with Vapi's web SDK and the org's restricted
// PUBLIC key. Daily's call bundle is loaded as a script (avoidEval), never eval'd, so the
// page's CSP needs no 'unsafe-eval'.
import VapiModule from '@vapi-ai/web';

// The SDK is CommonJS with `exports.default`: depending on the bundler's interop the
// default import is the class or the exports object holding it.
type Vapi = VapiModule;
const VapiClass = ((VapiModule as unknown as { default?: typeof VapiModule }).default ?? VapiModule) as typeof VapiModule;

interface BrowserCallConfig {
  publicKey: string;
  apiBaseUrl: string;
  assistantId: string | null;
  assistant: Record<string, unknown> | null;
  assistantOverrides: Record<string, unknown>;
}

const root = document.getElementById('browser-call');
const start = document.getElementById('browser-call-start') as HTMLButtonElement | null;
const stop = document.getElementById('browser-call-stop') as HTMLButtonElement | null;
const status = document.getElementById('browser-call-status');
const token = root?.dataset.token ?? '';

type Saying = 'ready' | 'connecting' | 'running' | 'ended' | 'connectionFailed' | 'cannotStart' | 'couldNotStart';

/** The page renders each status text in the candidate's language (data-say-*); English if absent. */
const ENGLISH: Record<Saying, string> = {
  ready: 'Ready when you are.',
  connecting: 'Connecting…',
  running: 'The interview is running. The AI interviewer speaks first.',
  ended: 'The interview has ended. Thank you — the hiring team will be in touch.',
  connectionFailed: 'The connection failed. Check that the microphone is allowed, then reload the page to try again.',
  cannotStart: 'The interview cannot start right now. Please reload the page.',
  couldNotStart: 'The interview could not start. Please reload the page to try again.',
};

function text(which: Saying): string {
  const own = root?.dataset[`say${which[0]?.toUpperCase()}${which.slice(1)}`];
  return own ?? ENGLISH[which];
}

function say(line: string): void {
  if (status) status.textContent = line;
}

let vapi: Vapi | null = null;

async function begin(): Promise<void> {
  if (!start) return;
  start.disabled = true;
  say(text('connecting'));
  const res = await fetch(`/i/${encodeURIComponent(token)}/browser-call`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: '{}' });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    say(problem.detail ?? text('cannotStart'));
    start.disabled = false;
    return;
  }
  const config = (await res.json()) as BrowserCallConfig;
  vapi = new VapiClass(config.publicKey, config.apiBaseUrl, { avoidEval: true });
  vapi.on('call-start', () => {
    say(text('running'));
    if (stop) stop.hidden = false;
  });
  vapi.on('call-end', () => {
    say(text('ended'));
    if (stop) stop.hidden = true;
  });
  vapi.on('error', () => {
    say(text('connectionFailed'));
    start.disabled = false;
  });
  const assistant = config.assistantId ?? config.assistant ?? undefined;
  await vapi.start(assistant as Parameters<Vapi['start']>[0], config.assistantOverrides as Parameters<Vapi['start']>[1]);
}

if (start && token) {
  start.disabled = false;
  say(text('ready'));
  start.addEventListener('click', () => {
    begin().catch((err: unknown) => {
      // Only the error's name and message (no configuration) for whoever debugs the page.
      // eslint-disable-next-line no-console -- the candidate's page has no other error channel
      console.warn('browser interview failed to start:', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      say(text('couldNotStart'));
      start.disabled = false;
    });
  });
  stop?.addEventListener('click', () => {
    vapi?.stop();
  });
}
