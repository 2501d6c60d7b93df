// Jobs list and the job editor (details, criteria rubric, interview questions, hiring managers,
// application questions).
import { useState } from 'preact/hooks';
import { api, get, qs, type Job, type JobSummary, type Member } from '../api.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';
import { InterviewPlanEditor } from './interviews.js';
import { PipelineEditor } from './pipeline-editor.js';
import { QuestionsEditor } from './questions-editor.js';
import { SelectField } from '../fields.js';
import { FilterBar, LoadMore, usePagedList } from '../list.js';
import { EMPLOYMENT_LABEL, Empty, ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';
import { patchAt, removeAt, replaceAt } from '../list-edit.js';

function JobCounts({ summary }: { summary: JobSummary | undefined }) {
  if (!summary) return null;
  return (
    <div class="job-counts">
      {summary.newSinceLastVisit > 0 ? (
        <span class="badge new-badge">
          {summary.newSinceLastVisit} new {summary.lastVisitAt ? 'since your last visit' : '(not opened yet)'}
        </span>
      ) : null}{' '}
      <span class="muted">{summary.total} applications</span>
      {summary.total > 0 ? (
        <ul class="job-stages" aria-label="Applications per stage">
          {summary.stages.map((st) => (
            <li key={st.stageId}>
              {st.name}: <strong>{st.count}</strong>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function JobsList() {
  const session = useSession();
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const list = usePagedList(
    async (cursor: string | null) => {
      const res = await get<{ jobs: Job[]; nextCursor: string | null }>(`/api/v1/jobs${qs({ status, q: search, limit: 25, cursor })}`);
      return { items: res.jobs, next: res.nextCursor };
    },
    [status, search],
  );
  const { page, more } = list;
  const jobs = list.items;
  const canWrite = session.can('jobs:write');
  // Per-stage counts and what arrived since the member last opened each pipeline (issue 21).
  const summaries = useData(
    async () => (session.can('applications:read') ? new Map((await get<{ jobs: JobSummary[] }>('/api/v1/job-summaries')).jobs.map((j) => [j.jobId, j])) : new Map<string, JobSummary>()),
    [],
    30_000,
  );
  return (
    <section aria-labelledby="jobs-h">
      <div class="page-head">
        <h1 id="jobs-h">Jobs</h1>
        {canWrite ? (
          <a class="button" href="/app/jobs/new">
            New job
          </a>
        ) : null}
      </div>
      <FilterBar onSearch={() => setSearch(q.trim())} submitLabel="Search">
        <SelectField label="Status" value={status} onChange={setStatus}>
          <option value="">All</option>
          <option value="open">Open</option>
          <option value="draft">Draft</option>
          <option value="closed">Closed</option>
        </SelectField>
        <label>
          Search titles
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
      </FilterBar>
      <ErrorBox error={page.error} />
      {page.loading ? (
        <Loading />
      ) : jobs.length === 0 && !page.error ? (
        <Empty title={search || status ? 'No jobs match these filters.' : 'No jobs yet.'}>
          {canWrite ? 'Create a job with its criteria, then publish it to get an apply page.' : session.me.role === 'hiring_manager' ? 'Jobs appear here once a recruiter assigns you to them.' : 'Jobs appear here once recruiters create them.'}
        </Empty>
      ) : (
        <ul class="rows" aria-label="Jobs">
          {jobs.map((job) => (
            <li key={job.id} class="row">
              <div>
                <a class="row-title" href={`/app/jobs/${job.id}/pipeline`}>
                  {job.title}
                </a>
                <p class="muted">
                  <span class={`badge status-${job.status}`}>{job.status}</span> {EMPLOYMENT_LABEL[job.employmentType] ?? job.employmentType}
                  {job.location ? ` · ${job.location}` : ''} · {job.criteria.length} criteria · updated {when(job.updatedAt)}
                  {job.status === 'open' && job.validThrough && Date.parse(job.validThrough) <= Date.now() ? ' · expired: no longer on the careers site' : ''}
                </p>
                <JobCounts summary={summaries.data?.get(job.id)} />
              </div>
              <div class="row-actions">
                <a href={`/app/jobs/${job.id}/pipeline`}>Candidates</a>
                {canWrite ? <a href={`/app/jobs/${job.id}`}>Edit</a> : null}
                {job.status === 'open' && session.org ? (
                  <a href={`/jobs/${session.org.slug}/${job.slug}`} target="_blank" rel="noopener">
                    Apply page
                  </a>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      <LoadMore list={list} label="Load more jobs" />
      <ErrorBox error={more.error} />
    </section>
  );
}

/** The languages a job can be advertised in; candidates can still switch on the page. */
const JOB_LANGUAGES: Record<string, string> = { en: 'English', de: 'German (Deutsch)', fr: 'French (Français)', es: 'Spanish (Español)', nl: 'Dutch (Nederlands)' };

interface Draft {
  title: string;
  description: string;
  location: string;
  employmentType: string;
  status: string;
  /** The language the job is advertised in: its candidate pages, mails and interview (issue 22). */
  language: string;
  criteria: { name: string; description: string; weight: number; mustHave: boolean }[];
  interviewQuestions: string[];
  hiringManagerIds: string[];
  careers: CareersDraft;
}

/** The careers-site facts as the form holds them (strings; converted on save). */
interface CareersDraft {
  workplace: string;
  streetAddress: string;
  postalCode: string;
  region: string;
  country: string;
  remoteCountries: string;
  salaryMin: string;
  salaryMax: string;
  currency: string;
  unit: string;
  validThrough: string;
}

const EMPTY_CAREERS: CareersDraft = { workplace: 'onsite', streetAddress: '', postalCode: '', region: '', country: '', remoteCountries: '', salaryMin: '', salaryMax: '', currency: 'EUR', unit: 'YEAR', validThrough: '' };

function careersDraft(j: Job): CareersDraft {
  return {
    workplace: j.workplace,
    streetAddress: j.streetAddress,
    postalCode: j.postalCode,
    region: j.region,
    country: j.country ?? '',
    remoteCountries: j.remoteCountries.join(', '),
    salaryMin: j.salary ? String(j.salary.min) : '',
    salaryMax: j.salary?.max !== null && j.salary?.max !== undefined ? String(j.salary.max) : '',
    currency: j.salary?.currency ?? 'EUR',
    unit: j.salary?.unit ?? 'YEAR',
    validThrough: j.validThrough ? j.validThrough.slice(0, 10) : '',
  };
}

/** The API fields of the careers draft; validThrough only when it changed (a past date cannot be sent again). */
function careersBody(c: CareersDraft, before: CareersDraft | null): Record<string, unknown> {
  const countries = c.remoteCountries.split(/[\s,]+/).map((x) => x.trim().toUpperCase()).filter(Boolean);
  return {
    workplace: c.workplace,
    streetAddress: c.streetAddress,
    postalCode: c.postalCode,
    region: c.region,
    country: c.country.trim() ? c.country.trim().toUpperCase() : null,
    remoteCountries: countries,
    salary: c.salaryMin.trim() ? { min: Number(c.salaryMin), ...(c.salaryMax.trim() ? { max: Number(c.salaryMax) } : {}), currency: c.currency.trim().toUpperCase(), unit: c.unit } : null,
    ...(before && before.validThrough === c.validThrough ? {} : { validThrough: c.validThrough ? `${c.validThrough}T23:59:59Z` : null }),
  };
}

const EMPTY: Draft = { title: '', description: '', location: '', employmentType: 'full_time', status: 'draft', language: 'en', criteria: [], interviewQuestions: [], hiringManagerIds: [], careers: EMPTY_CAREERS };

export function JobEditor({ id }: { id: string | null }) {
  const session = useSession();
  const [draft, setDraft] = useState<Draft | null>(id ? null : EMPTY);
  const [saved, setSaved] = useState(false);
  const job = useData(async () => {
    if (!id) return null;
    const j = await get<Job>(`/api/v1/jobs/${id}`);
    setDraft({ title: j.title, description: j.description, location: j.location, employmentType: j.employmentType, status: j.status, language: j.language, criteria: j.criteria, interviewQuestions: j.interviewQuestions, hiringManagerIds: j.hiringManagerIds, careers: careersDraft(j) });
    return j;
  }, [id]);
  const members = useData(async () => (session.can('members:read') ? (await get<{ members: Member[] }>('/api/v1/members')).members : []), []);
  const save = useAction();
  if (job.error) return <ErrorBox error={job.error} />;
  if (!draft) return <Loading />;
  const set = (patch: Partial<Draft>): void => {
    setSaved(false);
    setDraft({ ...draft, ...patch });
  };
  const managers = (members.data ?? []).filter((m) => m.role === 'hiring_manager');
  const submit = (e: Event): void => {
    e.preventDefault();
    void save.run(async () => {
      const { careers, ...rest } = draft;
      const body = {
        ...rest,
        criteria: draft.criteria.map((c) => ({ ...c, weight: Number(c.weight) || 0 })),
        interviewQuestions: draft.interviewQuestions.filter((q) => q.trim()),
        ...careersBody(careers, job.data ? careersDraft(job.data) : null),
      };
      const result = id ? await api<Job>('PATCH', `/api/v1/jobs/${id}`, body) : await api<Job>('POST', '/api/v1/jobs', body);
      setSaved(true);
      if (!id) navigate(`/app/jobs/${result.id}`, true);
      else void job.reload();
    });
  };
  return (
    <section aria-labelledby="job-h">
      <div class="page-head">
        <h1 id="job-h">{id ? `Edit: ${job.data?.title ?? ''}` : 'New job'}</h1>
        {id ? <a href={`/app/jobs/${id}/pipeline`}>Candidates</a> : null}
      </div>
      <form onSubmit={submit} class="editor">
        <fieldset>
          <legend>Details</legend>
          <label>
            Title
            <input name="title" required maxLength={200} value={draft.title} onInput={(e) => set({ title: e.currentTarget.value })} />
          </label>
          <div class="cols">
            <label>
              Location
              <input name="location" maxLength={200} value={draft.location} onInput={(e) => set({ location: e.currentTarget.value })} />
            </label>
            <SelectField label="Employment type" name="employmentType" value={draft.employmentType} onChange={(employmentType) => set({ employmentType })} options={EMPLOYMENT_LABEL} />
            <SelectField label="Status" name="status" value={draft.status} onChange={(status) => set({ status })}>
              <option value="draft">Draft (not public)</option>
              <option value="open">Open (apply page live)</option>
              <option value="closed">Closed</option>
            </SelectField>
            <SelectField label="Language" name="language" value={draft.language} onChange={(language) => set({ language })} options={JOB_LANGUAGES} />
          </div>
          <label>
            Description
            <textarea name="description" rows={6} maxLength={20000} value={draft.description} onInput={(e) => set({ description: e.currentTarget.value })} />
          </label>
        </fieldset>
        <CareersFields value={draft.careers} onChange={(careers) => set({ careers: { ...draft.careers, ...careers } })} />
        <fieldset>
          <legend>Screening criteria (rubric)</legend>
          {draft.criteria.length === 0 ? <p class="muted">No criteria yet. Add what the AI should look for in a CV; every score must quote the CV as evidence.</p> : null}
          {draft.criteria.map((c, i) => (
            <div class="criterion" key={i}>
              <label>
                Criterion {i + 1}
                <input
                  name={`criterion-${i}-name`}
                  required
                  maxLength={120}
                  value={c.name}
                  onInput={(e) => set({ criteria: patchAt(draft.criteria, i, { name: e.currentTarget.value }) })}
                />
              </label>
              <label>
                What good looks like
                <textarea
                  name={`criterion-${i}-description`}
                  rows={2}
                  maxLength={2000}
                  value={c.description}
                  onInput={(e) => set({ criteria: patchAt(draft.criteria, i, { description: e.currentTarget.value }) })}
                />
              </label>
              <div class="cols">
                <label>
                  Weight
                  <input
                    name={`criterion-${i}-weight`}
                    type="number"
                    min={0}
                    max={100}
                    step="any"
                    value={c.weight}
                    onInput={(e) => set({ criteria: patchAt(draft.criteria, i, { weight: Number(e.currentTarget.value) }) })}
                  />
                </label>
                <label class="check">
                  <input type="checkbox" checked={c.mustHave} onChange={(e) => set({ criteria: patchAt(draft.criteria, i, { mustHave: e.currentTarget.checked }) })} /> Must have
                </label>
                <button type="button" class="secondary" onClick={() => set({ criteria: removeAt(draft.criteria, i) })}>
                  Remove criterion {i + 1}
                </button>
              </div>
            </div>
          ))}
          <button type="button" class="secondary" disabled={draft.criteria.length >= 30} onClick={() => set({ criteria: [...draft.criteria, { name: '', description: '', weight: 1, mustHave: false }] })}>
            Add criterion
          </button>
        </fieldset>
        <fieldset>
          <legend>Interview questions</legend>
          {draft.interviewQuestions.length === 0 ? <p class="muted">No questions yet. The voice interview asks these in order.</p> : null}
          {draft.interviewQuestions.map((q, i) => (
            <div class="question" key={i}>
              <label>
                Question {i + 1}
                <input name={`question-${i}`} maxLength={1000} value={q} onInput={(e) => set({ interviewQuestions: replaceAt(draft.interviewQuestions, i, e.currentTarget.value) })} />
              </label>
              <button type="button" class="secondary" onClick={() => set({ interviewQuestions: removeAt(draft.interviewQuestions, i) })}>
                Remove question {i + 1}
              </button>
            </div>
          ))}
          <button type="button" class="secondary" disabled={draft.interviewQuestions.length >= 30} onClick={() => set({ interviewQuestions: [...draft.interviewQuestions, ''] })}>
            Add question
          </button>
        </fieldset>
        <fieldset>
          <legend>Hiring managers</legend>
          {managers.length === 0 ? (
            <p class="muted">No members have the hiring manager role. Invite one under Members to assign them to this job.</p>
          ) : (
            managers.map((m) => (
              <label class="check" key={m.userId}>
                <input
                  type="checkbox"
                  checked={draft.hiringManagerIds.includes(m.userId)}
                  onChange={(e) => set({ hiringManagerIds: e.currentTarget.checked ? [...draft.hiringManagerIds, m.userId] : draft.hiringManagerIds.filter((x) => x !== m.userId) })}
                />{' '}
                {m.displayName ?? m.email}
              </label>
            ))
          )}
        </fieldset>
        <ErrorBox error={save.error} />
        {saved ? <Notice>Saved.</Notice> : null}
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : id ? 'Save changes' : 'Create job'}
        </button>
      </form>
      {id && session.can('interviews:manage') ? <InterviewPlanEditor jobId={id} /> : null}
      {id ? <QuestionsEditor jobId={id} canWrite={session.can('jobs:write')} /> : null}
      {id && session.can('jobs:write') ? (
        <PipelineEditor url={`/api/v1/jobs/${id}/pipeline`} title="Stages for this job" intro="This job's candidate pipeline. Until you change it here, the job follows the organisation's default pipeline (Settings)." canWrite />
      ) : null}
    </section>
  );
}

const WORKPLACES: Record<string, string> = { onsite: 'On-site', hybrid: 'Hybrid', remote: 'Remote' };
const UNITS: Record<string, string> = { YEAR: 'per year', MONTH: 'per month', WEEK: 'per week', DAY: 'per day', HOUR: 'per hour' };

/** Careers site and job boards (JobPosting): where, how, pay and until when. */
function CareersFields({ value: c, onChange }: { value: CareersDraft; onChange: (p: Partial<CareersDraft>) => void }) {
  return (
    <fieldset>
      <legend>Careers site and job boards</legend>
      <p class="muted">Shown on your careers page and to search engines. A remote job names the countries applicants may live in; a salary is shown only if you enter one.</p>
      <div class="cols">
        <SelectField label="Workplace" name="workplace" value={c.workplace} onChange={(workplace) => onChange({ workplace })} options={WORKPLACES} />
        <label>
          Country (ISO code, e.g. DE)
          <input name="country" maxLength={2} pattern="[A-Za-z]{2}" value={c.country} onInput={(e) => onChange({ country: e.currentTarget.value })} />
        </label>
        <label>
          Region
          <input name="region" maxLength={100} value={c.region} onInput={(e) => onChange({ region: e.currentTarget.value })} />
        </label>
      </div>
      <div class="cols">
        <label>
          Street address
          <input name="streetAddress" maxLength={200} value={c.streetAddress} onInput={(e) => onChange({ streetAddress: e.currentTarget.value })} />
        </label>
        <label>
          Postal code
          <input name="postalCode" maxLength={20} value={c.postalCode} onInput={(e) => onChange({ postalCode: e.currentTarget.value })} />
        </label>
      </div>
      {c.workplace === 'remote' ? (
        <label>
          Applicants may live in (ISO country codes, comma separated)
          <input name="remoteCountries" required value={c.remoteCountries} placeholder="DE, AT, CH" onInput={(e) => onChange({ remoteCountries: e.currentTarget.value })} />
        </label>
      ) : null}
      <div class="cols">
        <label>
          Salary from
          <input name="salaryMin" type="number" min={0} step="any" value={c.salaryMin} onInput={(e) => onChange({ salaryMin: e.currentTarget.value })} />
        </label>
        <label>
          Salary to (optional)
          <input name="salaryMax" type="number" min={0} step="any" value={c.salaryMax} onInput={(e) => onChange({ salaryMax: e.currentTarget.value })} />
        </label>
        <label>
          Currency
          <input name="currency" maxLength={3} pattern="[A-Za-z]{3}" value={c.currency} onInput={(e) => onChange({ currency: e.currentTarget.value })} />
        </label>
        <SelectField label="Per" name="salaryUnit" value={c.unit} onChange={(unit) => onChange({ unit })} options={UNITS} />
      </div>
      <label>
        Valid through (the posting leaves the careers site after this day)
        <input name="validThrough" type="date" value={c.validThrough} onInput={(e) => onChange({ validThrough: e.currentTarget.value })} />
      </label>
    </fieldset>
  );
}
