// Structured interview scorecards (docs/scorecards.md): the interviewer's own scorecard form
// on the application page (a 1-5 radio group and a required evidence note per criterion, an
// overall recommendation, save draft or submit), the other interviewers' scorecards once yours
// is submitted (the API hides them before), and the job's summary panel (per-criterion
// agreement and the AI's difference from the interviewers).
import { useEffect, useState } from 'preact/hooks';
import { get, put, type Scorecard, type ScorecardList, type ScorecardRecommendation, type ScorecardSummary } from '../api.js';
import { draftOf, scorecardProblems, type Draft } from '../scorecard-rules.js';
import { ColumnHeads, ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';

const RECOMMENDATIONS: { value: ScorecardRecommendation; label: string }[] = [
  { value: 'strong_no', label: 'Strong no' },
  { value: 'no', label: 'No' },
  { value: 'yes', label: 'Yes' },
  { value: 'strong_yes', label: 'Strong yes' },
];
const REC_TEXT: Record<string, string> = Object.fromEntries(RECOMMENDATIONS.map((r) => [r.value, r.label]));
const RATING_TEXT: Record<number, string> = { 1: 'poor', 2: 'weak', 3: 'adequate', 4: 'good', 5: 'excellent' };
const EVIDENCE_MAX = 2000;

export function ScorecardPanel({ applicationId, who }: { applicationId: string; who: (id: string | null) => string }) {
  const list = useData(() => get<ScorecardList>(`/api/v1/applications/${applicationId}/scorecards`), [applicationId]);
  if (!list.data) return <section aria-labelledby="sc-h" class="card"><h2 id="sc-h">Your scorecard</h2>{list.error ? <ErrorBox error={list.error} /> : <Loading />}</section>;
  const s = list.data;
  return (
    <>
      <section aria-labelledby="sc-h" class="card scorecard" data-testid="scorecard">
        <h2 id="sc-h">Your scorecard</h2>
        {s.criteria.length === 0 ? (
          <p class="muted">This job has no criteria to rate.</p>
        ) : (
          <ScorecardForm applicationId={applicationId} list={s} onSaved={() => void list.reload()} />
        )}
      </section>
      <section aria-labelledby="sco-h" class="card" data-testid="other-scorecards">
        <h2 id="sco-h">Other interviewers' scorecards</h2>
        {s.othersHidden ? (
          <p class="muted">
            {s.othersSubmitted === 0 ? 'No other interviewer has submitted a scorecard yet.' : `${s.othersSubmitted} other interviewer(s) submitted a scorecard.`} They are shown after you submit
            yours, so that each judgement is made independently.
          </p>
        ) : s.others.length === 0 ? (
          <p class="muted">No other interviewer has submitted a scorecard yet.</p>
        ) : (
          <ul class="log" aria-label="Other scorecards">
            {s.others.map((o) => (
              <li key={o.id}>
                <p>
                  <strong>{who(o.authorId)}</strong>: {REC_TEXT[o.recommendation] ?? o.recommendation} · submitted {when(o.submittedAt)}
                </p>
                <dl class="facts">
                  {o.ratings.map((r) => (
                    <div key={r.criterion}>
                      <dt>
                        {s.criteria.find((c) => c.key === r.criterion)?.name ?? r.criterion}: {r.rating}/5
                      </dt>
                      <dd>{r.evidence}</dd>
                    </div>
                  ))}
                </dl>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function ScorecardForm({ applicationId, list, onSaved }: { applicationId: string; list: ScorecardList; onSaved: () => void }) {
  const mine = list.mine;
  const [d, setD] = useState<Draft>(() => draftOf(mine));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  useEffect(() => setD(draftOf(mine)), [mine?.id, mine?.updatedAt]);
  const locked = list.locked;
  const submitted = mine?.status === 'submitted';
  const save = (submit: boolean) => {
    setDone(null);
    const found = scorecardProblems(list.criteria, d, submit);
    setProblems(found);
    if (Object.keys(found).length) {
      // Move focus to the first field with a problem so keyboard and screen-reader users land on it.
      const first = Object.keys(found)[0] as string;
      window.setTimeout(() => document.getElementById(first === 'recommendation' ? 'sc-rec-legend' : `sc-ev-${first === 'form' ? (list.criteria[0]?.key ?? '') : first}`)?.focus(), 0);
      return;
    }
    const ratings = list.criteria.flatMap((c) => {
      const rating = d.ratings[c.key];
      return rating === undefined ? [] : [{ criterion: c.key, rating, evidence: (d.evidence[c.key] ?? '').trim() }];
    });
    void run(async () => {
      await put<Scorecard>(`/api/v1/applications/${applicationId}/scorecard`, { ratings, recommendation: d.recommendation, submit });
      setDone(submit || submitted ? 'Scorecard submitted.' : 'Draft saved. Others cannot see it; submit it when you are done.');
      onSaved();
    });
  };
  const problemCount = Object.keys(problems).length;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save(true);
      }}
    >
      <p class="muted">
        Rate each criterion from 1 (poor) to 5 (excellent) and note what the candidate said or did that supports it.
        {mine ? ` Status: ${submitted ? `submitted ${when(mine.submittedAt)}` : `draft, saved ${when(mine.updatedAt)}`}.` : ''}
      </p>
      {locked ? <Notice>The hiring decision has been made; this scorecard can no longer be changed.</Notice> : null}
      {problemCount ? (
        <p class="error" role="alert" data-testid="scorecard-problems">
          {problemCount === 1 ? 'One thing to fix' : `${problemCount} things to fix`} before saving: {Object.values(problems).join(' ')}
        </p>
      ) : null}
      {list.criteria.map((c) => {
        const problem = problems[c.key];
        const rating = d.ratings[c.key];
        return (
          <fieldset key={c.key} disabled={locked} aria-describedby={problem ? `sc-err-${c.key}` : undefined}>
            <legend>{c.name}</legend>
            <div role="radiogroup" aria-label={`Rating for ${c.name}`} class="rating-group">
              {[1, 2, 3, 4, 5].map((r) => (
                <label key={r} class="inline">
                  <input
                    type="radio"
                    name={`rating-${c.key}`}
                    value={String(r)}
                    checked={rating === r}
                    onChange={() => setD({ ...d, ratings: { ...d.ratings, [c.key]: r } })}
                  />{' '}
                  {r} <span class="muted">{RATING_TEXT[r]}</span>
                </label>
              ))}
            </div>
            <label for={`sc-ev-${c.key}`}>Evidence for {c.name}</label>
            <textarea
              id={`sc-ev-${c.key}`}
              name={`evidence-${c.key}`}
              rows={2}
              maxLength={EVIDENCE_MAX}
              aria-required="true"
              aria-invalid={problem ? 'true' : undefined}
              aria-describedby={problem ? `sc-err-${c.key}` : undefined}
              value={d.evidence[c.key] ?? ''}
              onInput={(e) => setD({ ...d, evidence: { ...d.evidence, [c.key]: e.currentTarget.value } })}
            />
            {problem ? (
              <p class="error" id={`sc-err-${c.key}`}>
                {problem}
              </p>
            ) : null}
          </fieldset>
        );
      })}
      <fieldset disabled={locked} aria-describedby={problems.recommendation ? 'sc-err-rec' : undefined}>
        <legend id="sc-rec-legend" tabIndex={-1}>
          Overall recommendation
        </legend>
        {RECOMMENDATIONS.map((r) => (
          <label key={r.value} class="inline">
            <input type="radio" name="recommendation" value={r.value} checked={d.recommendation === r.value} onChange={() => setD({ ...d, recommendation: r.value })} /> {r.label}
          </label>
        ))}
        {problems.recommendation ? (
          <p class="error" id="sc-err-rec">
            {problems.recommendation}
          </p>
        ) : null}
      </fieldset>
      <ErrorBox error={error} />
      {done ? <Notice>{done}</Notice> : null}
      {locked ? null : (
        <div class="actions">
          {submitted ? null : (
            <button type="button" class="secondary" disabled={busy} onClick={() => save(false)}>
              Save draft
            </button>
          )}
          <button type="submit" disabled={busy}>
            {submitted ? 'Update scorecard' : 'Submit scorecard'}
          </button>
        </div>
      )}
    </form>
  );
}

const pct = (x: number | null): string => (x === null ? '—' : `${Math.round(x * 100)}%`);
const signed = (x: number | null): string => (x === null ? '—' : `${x > 0 ? '+' : ''}${x.toFixed(1)}`);

/** The job page's summary: per-criterion agreement between interviewers and the AI's difference. */
export function ScorecardSummaryPanel({ jobId }: { jobId: string }) {
  const summary = useData(() => get<ScorecardSummary>(`/api/v1/jobs/${jobId}/scorecards/summary`), [jobId]);
  const s = summary.data;
  return (
    <section aria-labelledby="scs-h" class="card" data-testid="scorecard-summary">
      <h2 id="scs-h">Scorecards</h2>
      {!s ? (
        summary.error ? <ErrorBox error={summary.error} /> : <Loading />
      ) : s.scorecards === 0 ? (
        <p class="muted">No submitted scorecards yet. Interviewers fill them in on each application.</p>
      ) : (
        <>
          <p class="muted">
            {s.scorecards} submitted scorecard(s) on {s.applications} application(s). Agreement: {s.agreementMethod}. AI gap: the AI screening's score ({s.scale.ai}) minus the interviewers'
            mean ({s.scale.human}); positive means the AI rates higher.
          </p>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Scorecards per criterion</caption>
              <ColumnHeads cols={['Criterion', 'Ratings', 'Mean', 'Agreement (pairs)', 'AI gap (applications)']} />
              <tbody>
                {s.criteria.map((c) => (
                  <tr key={c.key}>
                    <th scope="row">{c.name}</th>
                    <td>{c.ratings}</td>
                    <td>{c.humanMean === null ? '—' : c.humanMean.toFixed(1)}</td>
                    <td>
                      {pct(c.agreementWithin1)} ({c.raterPairs})
                    </td>
                    <td>
                      {signed(c.aiMeanDifference)} ({c.aiCompared})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
