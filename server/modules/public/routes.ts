// Candidate-facing routes: the apply page, the apply API, the org's RSS feed of open
// jobs and the page's stylesheet. Public by design; the apply API is rate limited per IP.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../core/db.js';
import { AppError, NotFoundError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { Problem } from '../../core/schemas.js';
import { readApplicationForm } from '../applications/index.js';
import { parseUtm, UTM_FIELDS, utmFromQuery } from '../analytics/index.js';
import type { ApplicationService } from '../applications/index.js';
import { findOpenJobBySlug, listOpenJobs, type JobRow } from '../jobs/index.js';
import { currentNoticeIn } from '../notices/index.js';
import { currentQuestionSetIn } from '../jobs/index.js';
import { knockoutMatches, parseAnswers } from '../jobs/index.js';
import { requirePublicOrg, resolvePublicOrg, type ResolvedOrg } from './org.js';
import { CAREERS_RATE_LIMIT_PER_MINUTE } from './careers.js';
import { APPLY_CSS, TZ_JS, renderApplyPage, renderRss, renderThankYou } from './html.js';
import { candidateTranslator } from '../../plugins/locale.js';
import { isLocale, validTimeZone, type Locale } from '../../core/i18n/locales.js';
import { translator } from '../../core/i18n/translator.js';
import { PRIVACY_NOTICE_VERSION } from './notice.js';
import type { ApplyLimiter } from './limits.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const SlugParam = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$' });
const JobParams = Type.Object({ orgSlug: SlugParam, jobSlug: SlugParam }, { additionalProperties: false });
const OrgParams = Type.Object({ orgSlug: SlugParam }, { additionalProperties: false });
/** How long an open job is remembered for the apply limiter, and how many are. */
const LIMITER_VIEW_TTL_MS = 5_000;
const LIMITER_VIEW_MAX = 1_000;
const PublicErrors = { 400: Problem, 404: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem, 503: Problem };

/** The AI-free choice: "true"/"on" or absent/"false"; anything else is a 400, never a silent default. */
function parseChoice(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true' || value === 'on') return true;
  throw new ValidationError([{ path: 'body/humanReviewOnly', message: 'must be "true" or "false"' }], undefined, { key: 'apply.invalidChoice' });
}

/**
 * The locale the form was shown in (issue 22): one of the shipped locales, or absent/empty
 * for API clients (then the request's own locale). Anything else is a 400.
 */
function parseFormLocale(value: string | undefined, fallback: Locale): Locale {
  if (value === undefined || value === '') return fallback;
  if (isLocale(value)) return value;
  throw new ValidationError([{ path: 'body/locale', message: 'must be one of en, de, fr, es, nl' }], undefined, { key: 'apply.formMalformed' });
}

export interface PublicRouteOptions {
  db: Db;
  applications: ApplicationService;
  publicUrl: URL;
  /** Applications per IP per minute. */
  applyRateLimit?: number;
  /** Applications per job and per org per hour (Redis); counted before the upload is read. */
  applyLimiter?: ApplyLimiter;
}

export async function publicRoutes(fastify: FastifyInstance, deps: PublicRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  async function openJob(orgSlug: string, jobSlug: string): Promise<{ org: ResolvedOrg; job: JobRow }> {
    const org = await resolvePublicOrg(deps.db, orgSlug);
    const job = org ? await deps.db.withTenant(org.id, (q) => findOpenJobBySlug(q, jobSlug)) : null;
    if (!org || !job) throw new NotFoundError({ resource: 'Job', detail: 'This job does not exist or is no longer open.', i18n: { key: 'apply.jobNotFound' } });
    return { org, job };
  }

  // The apply limiter needs the org and job ids. Under a flood from many addresses nearly
  // every request is refused by it, and resolving the slugs (three database round trips)
  // was most of what a refused request cost (issue 19, npm run test:floods). Open jobs are
  // remembered briefly for the limiter only: a request the limiter lets through resolves
  // the job again, so a job closed meanwhile is still refused with 404. Unknown slugs are
  // not remembered (a job published a moment later is found at once).
  const limiterView = new Map<string, { org: ResolvedOrg; job: JobRow; until: number }>();
  /** The notice and the job's questions as the apply page shows them, read together (one round trip when the notice is unchanged). */
  function noticeAndQuestions(orgId: string, jobId: string) {
    return deps.db.withTenantTx(orgId, (tx) => Promise.all([currentNoticeIn(tx, orgId), currentQuestionSetIn(tx, jobId)]));
  }
  async function jobForLimiter(orgSlug: string, jobSlug: string): Promise<{ org: ResolvedOrg; job: JobRow; fresh: boolean }> {
    const key = `${orgSlug}/${jobSlug}`;
    const now = Date.now();
    const hit = limiterView.get(key);
    if (hit && hit.until > now) return { org: hit.org, job: hit.job, fresh: false };
    const found = await openJob(orgSlug, jobSlug);
    if (limiterView.size >= LIMITER_VIEW_MAX) limiterView.clear();
    limiterView.set(key, { ...found, until: now + LIMITER_VIEW_TTL_MS });
    return { ...found, fresh: true };
  }

  app.get(
    '/assets/apply.css',
    { schema: { hide: true }, config: { access: { public: 'stylesheet of the public job pages' } } },
    async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(APPLY_CSS),
  );

  app.get(
    '/assets/tz.js',
    { schema: { hide: true }, config: { access: { public: 'script that fills the apply form with the browser time zone' } } },
    async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(TZ_JS),
  );

  app.get(
    '/jobs/:orgSlug/feed.xml',
    {
      schema: { operationId: 'openJobsFeed', tags: ['public'], params: OrgParams, response: { 200: Type.String(), 400: Problem, 404: Problem } },
      config: { access: { public: 'RSS feed of open jobs for job boards' }, rateLimit: { max: CAREERS_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { orgSlug } = request.params;
      const org = await requirePublicOrg(deps.db, orgSlug);
      const jobs = await deps.db.withTenant(org.id, (q) => listOpenJobs(q, 200));
      return reply.type('application/rss+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(renderRss({ name: org.name, slug: orgSlug }, jobs, deps.publicUrl));
    },
  );

  app.get(
    '/jobs/:orgSlug/:jobSlug',
    {
      schema: { operationId: 'applyPage', tags: ['public'], params: JobParams, response: { 200: Type.String(), 400: Problem, 404: Problem } },
      config: { access: { public: 'public job page with the privacy notice and apply form' }, rateLimit: { max: CAREERS_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { orgSlug, jobSlug } = request.params;
      const { org, job } = await openJob(orgSlug, jobSlug);
      // The job's language unless the candidate chose another (?lang=, remembered in a cookie).
      const tr = candidateTranslator(request, reply, { content: job.language });
      const [notice, questions] = await noticeAndQuestions(org.id, job.id);
      return reply.type('text/html; charset=utf-8').send(renderApplyPage(job, org, deps.publicUrl, notice, utmFromQuery(request.query), questions, tr, request.url));
    },
  );

  app.post(
    '/api/v1/public/jobs/:orgSlug/:jobSlug/apply',
    {
      schema: {
        operationId: 'applyToJob',
        tags: ['public'],
        description:
          'multipart/form-data: cv (file), name, email, phone?, location?, links (repeatable), consent=true, noticeVersion (the template version shown), locale? (the language the page was shown in: en, de, fr, es or nl; consent records it), timeZone? (the candidate\'s IANA time zone; an unknown one is ignored), noticeRevision? (the org notice revision shown; when sent it must be the current one, and consent records it), humanReviewOnly? ("true": a person reviews the application without AI screening; it is never sent to a model), demographics.gender? and demographics.ethnicity? (fixed categories, voluntary, stored encrypted and separately), utm_source?, utm_medium?, utm_campaign? (campaign source: up to 100 letters, digits, spaces or . _ ~ + -), questionsVersion? (the version of the job\'s application questions shown; when sent it must be the current one), answers.<questionId> (one per question; repeat the field for multiple choice; yes_no takes "yes"/"no", number a decimal, date YYYY-MM-DD).',
        consumes: ['multipart/form-data'],
        params: JobParams,
        response: { 202: Type.Object({ status: Type.Literal('received'), noticeVersion: Type.String(), noticeRevision: Type.Integer(), humanReviewOnly: Type.Boolean() }), 200: Type.String(), ...PublicErrors },
      },
      config: {
        access: { public: 'candidates apply without an account' },
        rateLimit: { max: deps.applyRateLimit ?? 10, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const { orgSlug, jobSlug } = request.params;
      // Limiter first, from the remembered job; the upload is not read before it allows the request.
      const forLimit = await jobForLimiter(orgSlug, jobSlug);
      // Errors from here on are in the job's language (or the candidate's explicit choice).
      const requestTr = candidateTranslator(request, reply, { content: forLimit.job.language });
      if (deps.applyLimiter) {
        try {
          await deps.applyLimiter.take(forLimit.org.id, forLimit.job.id);
        } catch (err) {
          if (err instanceof AppError) throw err;
          // Redis unavailable: fail open like the global limit; the per-IP limit still holds.
          request.log.warn({ err: { message: (err as Error).message } }, 'apply rate check failed');
        }
      }
      const { org, job } = forLimit.fresh ? forLimit : await openJob(orgSlug, jobSlug);
      const form = await readApplicationForm(request, ['consent', 'noticeVersion', 'noticeRevision', 'questionsVersion', 'humanReviewOnly', 'locale', 'timeZone', ...UTM_FIELDS]);
      // The language the form (and so the notice) was shown in: consent records it, and the
      // rest of this answer uses it. An unknown or empty zone is ignored (the org's default applies).
      const locale = parseFormLocale(form.extra.locale, requestTr.locale);
      request.candidateLocale = locale;
      reply.header('content-language', locale);
      const timeZone = validTimeZone(form.extra.timeZone);
      if (form.extra.consent !== 'true' && form.extra.consent !== 'on') {
        throw new UnprocessableError({ detail: 'Please read the privacy notice and give your consent to apply.', extra: { noticeVersion: PRIVACY_NOTICE_VERSION }, i18n: { key: 'apply.consentMissing' } });
      }
      if (form.extra.noticeVersion !== PRIVACY_NOTICE_VERSION) {
        throw new UnprocessableError({ detail: 'The privacy notice has changed; please reload the page and read it again.', extra: { noticeVersion: PRIVACY_NOTICE_VERSION }, i18n: { key: 'apply.noticeChanged' } });
      }
      const humanReviewOnly = parseChoice(form.extra.humanReviewOnly);
      const utm = parseUtm(form.extra);
      const [notice, questions] = await noticeAndQuestions(org.id, job.id);
      // The questions are versioned like the notice: a page showing an older set is answered
      // again (consent records the version asked). API clients may omit the version.
      if (form.extra.questionsVersion !== undefined && form.extra.questionsVersion !== String(questions.version)) {
        throw new UnprocessableError({ detail: 'The application questions have changed; please reload the page and answer them again.', extra: { questionsVersion: questions.version }, i18n: { key: 'apply.questionsChanged' } });
      }
      const values = parseAnswers(questions, form.answers);
      const answers = questions.version > 0 ? { questionsVersion: questions.version, values, assessed: questions.knockouts.length > 0, knockedOutBy: knockoutMatches(questions, values) } : null;
      // A page shown before a settings change states old facts: the candidate reads the new
      // notice first. API clients that render no page may omit the revision; the current
      // one is recorded (it is the one GET /jobs/:org/:job shows).
      if (form.extra.noticeRevision !== undefined && !/^[1-9][0-9]{0,8}$/.test(form.extra.noticeRevision)) {
        throw new ValidationError([{ path: 'body/noticeRevision', message: 'must be a positive integer' }], undefined, { key: 'apply.formMalformed' });
      }
      if (form.extra.noticeRevision !== undefined && form.extra.noticeRevision !== String(notice.version)) {
        throw new UnprocessableError({
          detail: 'The privacy notice has changed; please reload the page and read it again.',
          extra: { noticeVersion: PRIVACY_NOTICE_VERSION, noticeRevision: notice.version },
          i18n: { key: 'apply.noticeChanged' },
        });
      }
      // A re-submission for an existing application is held until the candidate confirms it
      // by mail (issue 14, M2); the submitter cannot tell which case applied.
      await deps.applications.submitPublic(
        org.id,
        job.id,
        {
          candidate: form.candidate,
          file: form.file,
          source: 'public',
          noticeVersion: PRIVACY_NOTICE_VERSION,
          noticeRevision: notice.version,
          humanReviewOnly,
          demographics: form.demographics,
          utm,
          answers,
          locale,
          timeZone,
        },
        request.id,
      );
      // The same answer whether or not this email applied before: nothing to enumerate.
      const accept = request.headers.accept ?? '';
      if (accept.includes('text/html') && !accept.includes('application/json')) {
        return reply.code(200).type('text/html; charset=utf-8').send(renderThankYou(org, job, humanReviewOnly, translator(locale, timeZone)));
      }
      return reply.code(202).send({ status: 'received', noticeVersion: PRIVACY_NOTICE_VERSION, noticeRevision: notice.version, humanReviewOnly });
    },
  );
}
