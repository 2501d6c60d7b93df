// The console's only way to the API: same-origin fetch with the session cookie, the CSRF
// token on unsafe methods, problem+json errors turned into readable messages, and a 401
// sending the user to sign in (and back afterwards).
import { navigate, currentPath } from './router.js';
import type { operations } from './api-types.gen.js';
import type { ScorecardRecommendation } from './scorecard-rules.js';

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  mfa?: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(describe(status, problem));
  }
}

function describe(status: number, p: Problem): string {
  const base = p.detail ?? p.title ?? `Request failed (${status}).`;
  if (p.errors?.length) return `${base} ${p.errors.map((e) => `${e.path.replace(/^body\/?/, '') || 'form'}: ${e.message}`).join('; ')}`;
  return base;
}

const CSRF_KEY = 'hirebox.csrf';
let csrfToken = sessionStorage.getItem(CSRF_KEY) ?? '';

export function setCsrf(token: string): void {
  csrfToken = token;
  sessionStorage.setItem(CSRF_KEY, token);
}

export function clearCsrf(): void {
  csrfToken = '';
  sessionStorage.removeItem(CSRF_KEY);
}

export interface ApiOptions {
  /** Do not redirect to sign-in on 401 (sign-in screens themselves). */
  quiet401?: boolean;
}

export async function api<T>(method: string, path: string, body?: unknown, opts: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body instanceof Blob) {
    // A raw upload (e.g. the careers logo): its own type, the server sniffs the bytes.
    headers['content-type'] = body.type || 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const problem = (data && typeof data === 'object' ? data : { detail: `Request failed (${res.status}).` }) as Problem;
    if (res.status === 401 && !opts.quiet401) {
      const next = encodeURIComponent(currentPath());
      navigate(problem.mfa === 'required' ? `/app/mfa?next=${next}` : `/app/sign-in?next=${next}&expired=1`, true);
    }
    throw new ApiError(res.status, problem);
  }
  return data as T;
}

export const get = <T>(path: string, opts?: ApiOptions): Promise<T> => api<T>('GET', path, undefined, opts);
export const post = <T>(path: string, body?: unknown, opts?: ApiOptions): Promise<T> => api<T>('POST', path, body, opts);

export function qs(params: Record<string, string | number | undefined | null>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const out = s.toString();
  return out ? `?${out}` : '';
}

// ---- shapes of the API answers the console reads ----
// Generated from the server's route schemas (npm run gen:api-types); a schema change that the
// console does not follow fails its type check.
/** The JSON answer of an operation (by its operationId) with status `Code`. */
type Answer<Op extends keyof operations, Code extends PropertyKey = 200> =
  operations[Op]['responses'] extends Record<Code, { content: { 'application/json': infer T } }> ? T : never;
type Item<A> = A extends readonly (infer T)[] ? T : never;

export type Me = Answer<'getMe'>;
/** The schema types roles as plain strings; the console narrows them. */
export type Role = 'admin' | 'recruiter' | 'hiring_manager' | 'auditor';
export type OrgView = Item<Answer<'listMyOrgs'>['orgs']>;
export type Job = Answer<'getJob'>;
export type Criterion = Item<Job['criteria']>;
export type Application = Answer<'getApplication'>;
export type StageRef = Application['stage'];
export type ApplicationSummary = Item<Answer<'listJobApplications'>['applications']>;
export type TriageFlag = Item<ApplicationSummary['flags']>;
/** GET /api/v1/saved-views (the member's own). */
export type SavedView = Item<Answer<'listSavedViews'>['views']>;
export type ViewFilters = SavedView['filters'];
/** GET /api/v1/job-summaries */
export type JobSummary = Item<Answer<'listJobSummaries'>['jobs']>;
export type StageCount = Item<JobSummary['stages']>;
export type Note = Item<Application['notes']>;
export type Decision = Item<Application['decisions']>;
export type DocumentView = Item<Application['documents']>;
export type ApplicationAnswers = NonNullable<Application['answers']>;
export type Member = Item<Answer<'listMembers'>['members']>;
export type AuditEvent = Item<Answer<'listAuditEvents'>['events']>;
export type AuditVerify = Answer<'verifyAuditChain'>;
/** GET /api/v1/applications/:id/screening (advisory; quotes blinded unless revealed). */
export type ScreeningAnswer = Answer<'getApplicationScreening'>;
export type Screening = NonNullable<ScreeningAnswer['latest']>;
export type ScreeningCriterion = Item<Screening['criteria']>;
export type ScreeningEvidence = Item<ScreeningCriterion['evidence']>;

export const patch = <T>(path: string, body?: unknown): Promise<T> => api<T>('PATCH', path, body);
export const put = <T>(path: string, body?: unknown): Promise<T> => api<T>('PUT', path, body);
export const del = (path: string): Promise<void> => api<void>('DELETE', path);

/** GET/PATCH /api/v1/ai/settings */
export type AiSettings = Answer<'getAiSettings'>;
/** GET/PUT /api/v1/interviews/settings */
export type VapiSettings = Answer<'getInterviewSettings'>;
/** GET/POST /api/v1/webhooks/vapi */
export type WebhookEndpoint = Item<Answer<'listVapiWebhookEndpoints'>['endpoints']>;
/** GET /api/v1/interviews/:id (scoring is advisory, from the transcript text only). */
export type Interview = Answer<'getInterview'>;
export type InterviewScoring = NonNullable<Interview['scoring']>;
export type InterviewQuestionScore = Item<InterviewScoring['questions']>;
/** /api/v1/message-templates */
export type MessageTemplate = Item<Answer<'listMessageTemplates'>['templates']>;
/** /api/v1/applications/:id/messages */
export type Message = Item<Answer<'listApplicationMessages'>['messages']>;

/** Structured interview scorecards (docs/scorecards.md). */
export type { ScorecardRecommendation };
/** GET /api/v1/applications/:id/scorecards: others stay hidden until you submit yours. */
export type ScorecardList = Answer<'listScorecards'>;
/** One scorecard as GET/PUT /api/v1/applications/:id/scorecard(s) answer it. */
export type Scorecard = Item<ScorecardList['others']>;
export type ScorecardRating = Item<Scorecard['ratings']>;
/** GET /api/v1/jobs/:id/scorecards/summary */
export type ScorecardSummary = Answer<'scorecardSummary'>;

/** /api/v1/org/event-hooks (outbound event webhooks) and a subscription's delivery log. */
export type EventHook = Item<Answer<'listEventHooks'>['items']>;
export type EventHookDelivery = Item<Answer<'listEventHookDeliveries'>['items']>;
/** /api/v1/api-tokens */
export type ApiToken = Item<Answer<'listApiTokens'>['tokens']>;
/** GET /api/v1/applications/:id/accommodations, and the org-wide open list GET /api/v1/accommodations. */
export type Accommodation = Item<Answer<'listInterviewAccommodations'>>;
export type OpenAccommodation = Item<Answer<'listOpenInterviewAccommodations'>['accommodations']>;
/** GET /api/v1/org/sso/domains */
export type SsoDomain = Item<Answer<'listSsoDomains'>['domains']>;
/** GET /api/v1/bias/report: one category's selection-rate metrics per step. */
export type BiasReport = Answer<'getBiasReport'>;
export type BiasCategory = Item<Item<BiasReport['dimensions']>['categories']>;
