// The console's only way to the API: same-origin fetch with the session cookie, the CSRF
// token on unsafe methods, problem+json errors turned into readable messages, and a 401
// sending the user to sign in (and back afterwards).
import { navigate, currentPath } from './router.js';
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
export interface Me {
  user: { id: string; email: string; displayName: string | null };
  org: { id: string } | null;
  role: Role | null;
  csrfToken: string;
}
export type Role = 'admin' | 'recruiter' | 'hiring_manager' | 'auditor';
export interface OrgView {
  id: string;
  slug: string;
  name: string;
  role: string;
}
export interface Criterion {
  name: string;
  description: string;
  weight: number;
  mustHave: boolean;
}
export interface Job {
  id: string;
  slug: string;
  title: string;
  description: string;
  location: string;
  employmentType: string;
  status: string;
  criteria: Criterion[];
  criteriaVersion: number;
  interviewQuestions: string[];
  hiringManagerIds: string[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  workplace: string;
  streetAddress: string;
  postalCode: string;
  region: string;
  country: string | null;
  remoteCountries: string[];
  salary: { min: number; max: number | null; currency: string; unit: string } | null;
  validThrough: string | null;
  /** en, de, fr, es or nl: the language of the job's candidate pages (issue 22). */
  language: string;
}
export interface StageRef {
  id: string;
  name: string;
  kind: string;
}
export interface ApplicationSummary {
  id: string;
  candidateId: string;
  candidateName: string | null;
  stage: StageRef;
  tags: string[];
  source: string;
  humanReviewOnly?: boolean;
  /** Triage (issue 21): the latest completed AI screening and interview. */
  recommendation?: string | null;
  overallScore?: number | null;
  flags?: TriageFlag[];
  interviewStatus?: string | null;
  createdAt: string;
}
export type TriageFlag = 'injection' | 'insufficient_evidence' | 'ai_free' | 'knockout';
/** GET /api/v1/saved-views (the member's own). */
export interface ViewFilters {
  layout?: 'list' | 'board';
  sort?: 'newest' | 'oldest' | 'score';
  recommendation?: 'advance' | 'review' | 'not_advance' | 'none';
  flag?: TriageFlag[];
  tag?: string;
}
export interface SavedView {
  id: string;
  name: string;
  filters: ViewFilters;
}
export interface StageCount {
  stageId: string;
  name: string;
  kind: string;
  count: number;
}
/** GET /api/v1/job-summaries */
export interface JobSummary {
  jobId: string;
  title: string;
  status: string;
  total: number;
  stages: StageCount[];
  newSinceLastVisit: number;
  lastVisitAt: string | null;
}
export interface Note {
  id: string;
  kind: string;
  authorId: string;
  rating: number | null;
  body: string;
  at: string;
}
export interface Decision {
  id: string;
  decidedBy: string;
  outcome: string;
  reason: string;
  followedAi: boolean | null;
  aiRecommendation?: string | null;
  at: string;
}
export interface DocumentView {
  id: string;
  mediaType: string;
  sizeBytes: number;
  filename: string | null;
  parseStatus: string;
  parseError: string | null;
  parseAttempts: number;
  textChars: number | null;
  text: string | null;
  createdAt: string;
}
export interface ApplicationAnswers {
  questionsVersion: number;
  knockedOut: boolean;
  items: { id: string; label: string; type: string; answer: unknown; text: string | null; knockout: boolean }[];
  at: string;
}
export interface Application {
  id: string;
  jobId: string;
  source: string;
  tags: string[];
  stage: StageRef;
  pipeline: StageRef[];
  consent: { noticeVersion: string; noticeRevision?: number | null; language?: string | null; consentedAt: string | null } | null;
  /** The candidate chose a review by a person without AI screening. */
  humanReviewOnly?: boolean;
  /** Answers to the job's application questions (issue 21 item 5); knockedOut = needs human review. */
  answers?: ApplicationAnswers | null;
  candidate: { id: string; name: string; email: string; phone: string | null; location: string | null; links: string[] };
  documents: DocumentView[];
  timeline: { id: string; type: string; actorType: string; actorId: string | null; data: Record<string, unknown>; at: string }[];
  notes: Note[];
  decisions: Decision[];
  screening: unknown;
  /** Public re-submissions waiting for the candidate's confirmation by email (issue 14). */
  pendingResubmissions: { id: string; mediaType: string; sizeBytes: number; createdAt: string; expiresAt: string }[];
  createdAt: string;
  updatedAt: string;
}
export interface Member {
  userId: string;
  email: string;
  displayName: string | null;
  role: Role;
  mfaEnabled: boolean;
  joinedAt: string;
}
export interface AuditEvent {
  id: string;
  seq: number;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  metadata: Record<string, unknown>;
  requestId: string | null;
}
export interface AuditVerify {
  ok: boolean;
  eventsChecked: number;
  checkpointsChecked: number;
  lastSeq: number;
  firstBroken: { seq: number; reason: string; detail: string } | null;
}
/** GET /api/v1/applications/:id/screening (advisory; quotes blinded unless revealed). */
export interface ScreeningEvidence {
  quote: string;
  grounded: boolean;
}
export interface ScreeningCriterion {
  key: string;
  name: string;
  mustHave: boolean;
  weight: number;
  score: number;
  verdict: string;
  reasoning: string;
  evidence: ScreeningEvidence[];
  confidence: string;
}
export interface Screening {
  id: string;
  status: 'pending' | 'waiting' | 'completed' | 'failed' | string;
  statusReason: string | null;
  provider: string | null;
  simulated: boolean;
  model: string | null;
  recommendation: 'advance' | 'review' | 'not_advance' | string | null;
  overallScore: number | null;
  flags: string[];
  injectionKinds: string[];
  criteria: ScreeningCriterion[];
  summary: string | null;
  reasons: string[];
  injectionFindings: { kind: string; source: string; excerpt: string }[];
  criteriaVersion?: number;
  promptVersion?: string | null;
  createdAt: string;
  completedAt: string | null;
}
export interface ScreeningAnswer {
  applicationId: string;
  advisory: true;
  label: string;
  revealed: boolean;
  /** The job's criteria changed after the latest screening (rescreen API). */
  stale?: boolean;
  staleReason?: string | null;
  latest: Screening | null;
  history: Screening[];
}

export const patch = <T>(path: string, body?: unknown): Promise<T> => api<T>('PATCH', path, body);
export const put = <T>(path: string, body?: unknown): Promise<T> => api<T>('PUT', path, body);
export const del = (path: string): Promise<void> => api<void>('DELETE', path);

/** GET/PATCH /api/v1/ai/settings */
export interface AiSettings {
  paused: boolean;
  pausedReason: string | null;
  model: string | null;
  monthlyTokenBudget: number | null;
  concurrency: number;
  tokensUsedThisMonth: number;
  budgetExceeded: boolean;
}
/** GET/PUT /api/v1/interviews/settings */
export interface VapiSettings {
  assistantId: string | null;
  phoneNumberId: string | null;
  maxCallRetries: number;
  retryDelaysSeconds: number[];
  rescheduleCutoffMinutes: number;
  /** Vapi's restricted public key (browser calls), never the private key. */
  publicKey: string | null;
  /** The voice assistant's language model chosen by the org (null: the operator's default below). */
  assistantModelProvider: string | null;
  assistantModel: string | null;
  defaultAssistantModel: { provider: string; model: string };
  /** The shared circuit breaker in front of Vapi (closed = calls go out). */
  provider: { state: string; retryAt: string | null };
}
/** GET/POST /api/v1/webhooks/vapi */
export interface WebhookEndpoint {
  id: string;
  url: string;
  mode: string;
  signatureHeader: string;
  timestampHeader: string;
  createdAt: string;
  revokedAt: string | null;
}
/** GET /api/v1/interviews/:id (scoring is advisory, from the transcript text only). */
export interface InterviewQuestionScore {
  key: string;
  question: string;
  status: 'scored' | 'insufficient_evidence' | string;
  insufficientReason: string | null;
  score: number | null;
  verdict: string;
  reasoning: string;
  evidence: { quote: string; grounded: boolean }[];
  confidence: string | null;
}
export interface InterviewScoring {
  status: 'pending' | 'waiting' | 'completed' | 'failed' | string;
  reason: string | null;
  basis: 'transcript_text_only';
  advisory: true;
  simulated: boolean;
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  overallScore: number | null;
  summary: string | null;
  flags: string[];
  reasons: string[];
  questions: InterviewQuestionScore[];
  completedAt: string | null;
}
export interface Interview {
  id: string;
  applicationId: string;
  jobId: string;
  status: string;
  mode: string;
  questions: string[];
  maxDurationSeconds: number;
  language: string;
  invite: { expiresAt: string; usedAt: string | null; revokedAt: string | null };
  consent: { noticeVersion: string; consentedAt: string | null; recording: boolean | null } | null;
  humanRequestedAt: string | null;
  declinedAt: string | null;
  call: { id: string | null; status: string | null; endedReason: string | null; error: string | null; reportReceivedAt: string | null; reconciledAt: string | null };
  transcript: string | null;
  recordingRef: string | null;
  /** The recording held on the box (played from /api/v1/interviews/:id/recording; each play audited). */
  recording?: { contentType: string; size: number } | null;
  /** The voice assistant's language model the call used (null: the org's own Vapi assistant). */
  assistantModel?: { provider: string; model: string } | null;
  scoring: InterviewScoring | null;
  attempts?: { attempt: number; callId: string; mode: string; endedReason: string | null; placedAt: string; endedAt: string | null }[];
  schedule?: { scheduledFor: string | null; timezone: string | null; display: string | null; nextAttemptAt: string | null; availability: { start: string; end: string }[] };
  cancelled?: { at: string; by: string } | null;
  createdAt: string;
}
/** /api/v1/message-templates */
export interface MessageTemplate {
  id: string;
  name: string;
  kind: string;
  subject: string;
  body: string;
  sendOn: string | null;
  /** Wording per candidate language (en, de, fr, es, nl); a send uses the candidate's. */
  translations: Record<string, { subject: string; body: string }>;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
}
/** /api/v1/applications/:id/messages */
export interface Message {
  id: string;
  applicationId: string;
  kind: string;
  templateId: string | null;
  origin: string;
  subject: string;
  body: string;
  sentBy: string | null;
  status: string;
  error: string | null;
  /** Delivery attempts (from the retry API). */
  attempts?: number;
  sentAt: string | null;
  createdAt: string;
}

/** Structured interview scorecards (docs/scorecards.md). */
export type { ScorecardRecommendation };
export interface ScorecardRating {
  criterion: string;
  rating: number;
  evidence: string;
}
/** One scorecard as GET/PUT /api/v1/applications/:id/scorecard(s) answer it. */
export interface Scorecard {
  id: string;
  authorId: string;
  mine: boolean;
  status: 'draft' | 'submitted';
  submittedAt: string | null;
  updatedAt: string;
  recommendation: ScorecardRecommendation;
  criteriaVersion: number;
  ratings: ScorecardRating[];
}
/** GET /api/v1/applications/:id/scorecards: others stay hidden until you submit yours. */
export interface ScorecardList {
  criteria: { key: string; name: string }[];
  criteriaVersion: number;
  locked: boolean;
  mine: Scorecard | null;
  othersHidden: boolean;
  othersSubmitted: number;
  others: Scorecard[];
}
/** GET /api/v1/jobs/:id/scorecards/summary */
export interface ScorecardSummary {
  jobId: string;
  criteriaVersion: number;
  scale: { human: string; ai: string };
  agreementMethod: string;
  scorecards: number;
  applications: number;
  criteria: {
    key: string;
    name: string;
    ratings: number;
    humanMean: number | null;
    raterPairs: number;
    agreementWithin1: number | null;
    aiCompared: number;
    aiMeanDifference: number | null;
    aiMeanAbsDifference: number | null;
  }[];
}
