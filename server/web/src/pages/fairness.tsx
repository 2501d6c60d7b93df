// Fairness (DESIGN §8; admins and auditors, bias:read): the bias report for the whole org
// or one job. Selection rates (advanced past screening, hired), AI scoring rates and impact
// ratios by self-identified demographic category (NYC LL144 method), with categories under
// the org threshold flagged and small-sample ones marked. Aggregates only: the API never
// returns an individual's answer, and every view is audited.
import { useState } from 'preact/hooks';
import { get, put, qs, type BiasCategory, type BiasReport } from '../api.js';
import { BarChart } from '../chart.js';
import { useSession } from '../session.js';
import { ColumnHeads, Empty, ErrorBox, HowComputed, Loading, NotLoaded, useData, when } from '../ui.js';
import { SettingsCard, useSettingsForm } from '../settings-form.js';

type Category = BiasCategory;
/** Advanced and hired also count the applications still pending at that step. */
type Metric = Category['knockout'] & { pending?: number };

const METRICS: [keyof Pick<Category, 'advanced' | 'hired' | 'scoring' | 'knockout'>, string][] = [
  ['advanced', 'Advanced past screening'],
  ['hired', 'Hired'],
  ['scoring', 'AI score above median'],
  ['knockout', 'Passed knock-out questions'],
];

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

function MetricCell({ m, label }: { m: Metric; label: string }) {
  return (
    <td data-label={label} data-testid="metric" class={m.flagged ? 'metric flagged' : 'metric'}>
      <span>
        {m.selected}/{m.assessed} · {pct(m.rate)}
      </span>
      <br />
      {m.smallSample ? (
        <span class="badge" title="Too few people for an impact ratio: not flagged">
          small sample
        </span>
      ) : (
        <span>ratio {m.impactRatio === null ? '—' : m.impactRatio.toFixed(2)}</span>
      )}
      {m.flagged ? (
        <>
          {' '}
          <span class="flag">below threshold</span>
        </>
      ) : null}
      {m.pending ? <span class="muted"> · {m.pending} pending</span> : null}
    </td>
  );
}

interface Thresholds {
  impactRatioThreshold: number;
  minSampleSize: number;
  minSampleShare: number;
}

/** Admins (settings:manage): the org's thresholds; the daily monitor alerts on new breaches of them. */
function ThresholdsForm({ onSaved }: { onSaved: () => void }) {
  const { stored: settings, draft, edit, save, saved, setSaved, commit } = useSettingsForm<Thresholds, { ratio: string; size: string; share: string }>(() => get<Thresholds>('/api/v1/org/bias-settings'));
  if (!settings.data) return <NotLoaded error={settings.error} card />;
  const d = settings.data;
  const v = draft ?? { ratio: String(d.impactRatioThreshold), size: String(d.minSampleSize), share: String(Math.round(d.minSampleShare * 1000) / 10) };
  const submit = (): void => {
    setSaved(false);
    commit(() => put<Thresholds>('/api/v1/org/bias-settings', { impactRatioThreshold: Number(v.ratio), minSampleSize: Number(v.size), minSampleShare: Number(v.share) / 100 }), onSaved);
  };
  return (
    <SettingsCard labelledBy="thr-h" save={save} saved={saved} savedText="Thresholds saved." submitLabel="Save thresholds" onSubmit={submit}>
      <h2 id="thr-h">Thresholds</h2>
      <p class="muted">A daily check alerts the org's alert channel when a category newly falls below the threshold (alert kind "Bias threshold breaches").</p>
      <label>
        Impact ratio threshold (0.5 to 1; four-fifths rule: 0.8)
        <input name="impactRatioThreshold" type="number" min={0.5} max={1} step={0.01} required value={v.ratio} onInput={(e) => edit(v, { ratio: e.currentTarget.value })} />
      </label>
      <label>
        Minimum people per category
        <input name="minSampleSize" type="number" min={1} max={1000} step={1} required value={v.size} onInput={(e) => edit(v, { size: e.currentTarget.value })} />
      </label>
      <label>
        Minimum share of those assessed, in % (LL144: 2)
        <input name="minSampleShare" type="number" min={0} max={20} step={0.1} required value={v.share} onInput={(e) => edit(v, { share: e.currentTarget.value })} />
      </label>
    </SettingsCard>
  );
}

export function Fairness() {
  const s = useSession();
  const [jobId, setJobId] = useState('');
  const jobs = useData(async () => (await get<{ jobs: { id: string; title: string }[] }>('/api/v1/bias/jobs')).jobs, []);
  const report = useData(() => get<BiasReport>(`/api/v1/bias/report${qs({ jobId: jobId || undefined })}`), [jobId]);
  const r = report.data;
  return (
    <section aria-labelledby="fair-h">
      <h1 id="fair-h">Fairness</h1>
      <p class="muted">
        Selection rates and impact ratios by voluntary, self-identified demographic category (NYC Local Law 144 method). Impact ratio = a category's rate divided by the highest category's rate; below the
        threshold is flagged. Counts only: nobody's answers are shown, and each view is recorded in the audit log.
      </p>
      <label>
        Report for
        <select name="biasJob" value={jobId} onChange={(e) => setJobId(e.currentTarget.value)}>
          <option value="">Whole organisation (all jobs)</option>
          {(jobs.data ?? []).map((j) => (
            <option key={j.id} value={j.id}>
              {j.title}
            </option>
          ))}
        </select>
      </label>
      <ErrorBox error={jobs.error ?? report.error} />
      {report.loading || !r ? (
        report.error ? null : <Loading />
      ) : (
        <>
          <p data-testid="bias-summary">
            {r.totals.applications} applications, {r.totals.withDemographics} with self-identified demographics, {r.totals.scored} AI-scored. Threshold {r.settings.impactRatioThreshold}; small sample under{' '}
            {r.settings.minSampleSize} people or {(r.settings.minSampleShare * 100).toFixed(1)}% of those assessed.
            {r.totals.erasedExcluded ? ` ${r.totals.erasedExcluded} applications of erased candidates are not included.` : ''} Generated {when(r.generatedAt)}.
          </p>
          {r.breaches.length > 0 ? (
            <div class="notice warn" role="status" data-testid="bias-breaches">
              <p>
                <strong>
                  {r.breaches.length} {r.breaches.length === 1 ? 'category is' : 'categories are'} below the threshold.
                </strong>{' '}
                Look at how these applications were decided; the rates alone do not say why.
              </p>
            </div>
          ) : null}
          {r.dimensions.length === 0 ? (
            <Empty title="No self-identified demographics yet.">Candidates may answer the voluntary questions on the apply form; the report appears once some have.</Empty>
          ) : (
            r.dimensions.map((d) => (
              <div key={d.key} class="card">
                <h2>{d.label}</h2>
                <BarChart
                  id={`chart-bias-${d.key}`}
                  title={`${d.label}: share advanced past screening (%)`}
                  rows={d.categories.map((c) => ({ label: c.category, value: c.advanced.rate === null ? 0 : Math.round(c.advanced.rate * 1000) / 10 }))}
                />
                <table class="table" data-testid={`bias-${d.key}`}>
                  <ColumnHeads cols={['Category', 'Applicants', ...METRICS.map(([, label]) => label)]} />
                  <tbody>
                    {d.categories.map((c) => (
                      <tr key={c.category}>
                        <th scope="row" data-label="Category">
                          {c.category}
                        </th>
                        <td data-label="Applicants">{c.applicants}</td>
                        {METRICS.map(([k, label]) => (
                          <MetricCell key={k} m={c[k]} label={label} />
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p class="muted">Declined or not answered: {d.unknown} (not a category).</p>
              </div>
            ))
          )}
          <HowComputed method={r.method} />
        </>
      )}
      {s.can('settings:manage') ? <ThresholdsForm onSaved={() => void report.reload()} /> : null}
    </section>
  );
}
