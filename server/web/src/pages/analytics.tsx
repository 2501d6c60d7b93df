// Analytics (issue 21 item 3; admins, recruiters and auditors, analytics:read): the funnel by
// stage, median time in stage and to hire, sources and AI-recommendation agreement, for the
// whole org or one job. Charts are inline SVG (no script or style from elsewhere, so the
// strict CSP holds), each with a title, a description and the same numbers as a table.
import { useState } from 'preact/hooks';
import { get, qs } from '../api.js';
import { BarChart } from '../chart.js';
import { ColumnHeads, ErrorBox, HowComputed, Loading, useData, when } from '../ui.js';

interface Supp {
  value: number | null;
  n: number;
  suppressed: boolean;
}
interface SourceRow {
  source: string;
  pooled: boolean;
  applications: number;
  hired: number;
}
interface Figures {
  applications: number;
  funnel: { kind: string; reached: number; conversionFromPrevious: number | null }[];
  outcomes: { rejected: number; withdrawn: number; inProgress: number; hired: number };
  timeInStageDays: { kind: string; median: Supp }[];
  timeToHireDays: Supp;
  agreement: { compared: number; agreed: number; rate: Supp; excludedReview: number; excludedHold: number };
  sources: SourceRow[];
  campaigns: SourceRow[];
}
interface Report {
  job: { id: string; title: string } | null;
  generatedAt: string;
  minSampleSize: number;
  figures: Figures;
  byJob: { job: { id: string; title: string }; figures: Figures }[];
  method: Record<string, string>;
}

const KIND_LABEL: Record<string, string> = { new: 'New', screening: 'Screening', interview: 'Interview', offer: 'Offer', hired: 'Hired' };
const days = (s: Supp): string => (s.suppressed ? `hidden (fewer than the minimum sample; n=${s.n})` : s.value === null ? '—' : `${s.value} days (n=${s.n})`);

function SourceTable({ caption, rows, testid }: { caption: string; rows: SourceRow[]; testid: string }) {
  return (
    <table class="table" data-testid={testid}>
      <caption>{caption}</caption>
      <ColumnHeads cols={['Value', 'Applications', 'Hired']} />
      <tbody>
        {rows.map((r) => (
          <tr key={r.source}>
            <th scope="row">{r.source}</th>
            <td>{r.applications}</td>
            <td>{r.hired}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Analytics() {
  const [jobId, setJobId] = useState('');
  // The org report lists the jobs with applications (auditors have no jobs list).
  const org = useData(() => get<Report>('/api/v1/analytics/report'), []);
  const report = useData(() => get<Report>(`/api/v1/analytics/report${qs({ jobId: jobId || undefined })}`), [jobId]);
  const jobs = (org.data?.byJob ?? []).map((j) => j.job);
  const r = report.data;
  const csvHref = `/api/v1/analytics/report.csv${qs({ jobId: jobId || undefined })}`;
  return (
    <section aria-labelledby="an-h">
      <h1 id="an-h">Analytics</h1>
      <p class="muted">Where applicants come from, how far they get and how long it takes. Figures from fewer applications than the minimum sample size are hidden, as in the fairness report.</p>
      <label>
        Analytics for
        <select name="analyticsJob" value={jobId} onChange={(e) => setJobId(e.currentTarget.value)}>
          <option value="">Whole organisation (all jobs)</option>
          {jobs.map((j) => (
            <option key={j.id} value={j.id}>
              {j.title}
            </option>
          ))}
        </select>
      </label>
      <ErrorBox error={report.error} />
      {report.loading || !r ? (
        report.error ? null : <Loading />
      ) : (
        <>
          <p data-testid="analytics-summary">
            {r.figures.applications} applications; {r.figures.outcomes.hired} hired, {r.figures.outcomes.rejected} rejected, {r.figures.outcomes.inProgress} in progress. Time to hire: {days(r.figures.timeToHireDays)}.
            Minimum sample {r.minSampleSize}. Generated {when(r.generatedAt)}. <a href={csvHref}>Download CSV</a>
          </p>
          <div class="card">
            <h2>Funnel</h2>
            <BarChart id="chart-funnel" title="Applications that reached each stage" rows={r.figures.funnel.map((f) => ({ label: KIND_LABEL[f.kind] ?? f.kind, value: f.reached }))} />
            <table class="table" data-testid="analytics-funnel">
              <caption>Funnel by stage</caption>
              <ColumnHeads cols={['Stage', 'Reached', 'From previous stage', 'Median days in stage']} />
              <tbody>
                {r.figures.funnel.map((f) => {
                  const stay = r.figures.timeInStageDays.find((s) => s.kind === f.kind);
                  return (
                    <tr key={f.kind}>
                      <th scope="row">{KIND_LABEL[f.kind] ?? f.kind}</th>
                      <td>{f.reached}</td>
                      <td>{f.conversionFromPrevious === null ? '—' : `${(f.conversionFromPrevious * 100).toFixed(1)}%`}</td>
                      <td>{stay ? days(stay.median) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div class="card">
            <h2>Sources</h2>
            <BarChart id="chart-sources" title="Applications by source (utm_source)" rows={r.figures.sources.map((s) => ({ label: s.source.startsWith('(other') ? 'other (small)' : s.source, value: s.applications }))} />
            <SourceTable caption="Applications and hires by source" rows={r.figures.sources} testid="analytics-sources" />
            <SourceTable caption="Applications and hires by campaign" rows={r.figures.campaigns} testid="analytics-campaigns" />
          </div>
          <div class="card">
            <h2>AI recommendation and human decisions</h2>
            <p data-testid="analytics-agreement">
              {r.figures.agreement.compared === 0
                ? 'No decisions with a stored AI recommendation to compare yet.'
                : r.figures.agreement.rate.suppressed
                  ? `${r.figures.agreement.compared} decisions compared: fewer than the minimum sample, rate hidden.`
                  : `${r.figures.agreement.agreed} of ${r.figures.agreement.compared} decisions agreed with the AI recommendation (${((r.figures.agreement.rate.value ?? 0) * 100).toFixed(1)}%).`}{' '}
              Not compared: {r.figures.agreement.excludedReview} with a “review” recommendation, {r.figures.agreement.excludedHold} on hold.
            </p>
          </div>
          <HowComputed method={r.method} />
        </>
      )}
    </section>
  );
}
