// Triage pieces shared by the pipeline list and board (issue 21): the advisory AI
// recommendation, score and flags of an application, and the filters' query string.
import { qs, type ApplicationSummary, type TriageFlag, type ViewFilters } from '../api.js';

export const REC_TEXT: Record<string, string> = { advance: 'Advance', review: 'Review', not_advance: 'Do not advance' };
export const FLAG_TEXT: Record<TriageFlag, string> = {
  injection: 'Possible injection',
  insufficient_evidence: 'Insufficient evidence',
  ai_free: 'AI-free route',
  knockout: 'Knock-out: needs human review',
};
/** Query string of the triage filters (flags repeat). */
export function triageQuery(f: ViewFilters, extra: Record<string, string | number | undefined | null> = {}): string {
  const base = qs({ sort: f.sort && f.sort !== 'newest' ? f.sort : undefined, recommendation: f.recommendation, tag: f.tag?.trim(), ...extra });
  const flags = (f.flag ?? []).map((x) => `flag=${encodeURIComponent(x)}`).join('&');
  if (!flags) return base;
  return base ? `${base}&${flags}` : `?${flags}`;
}

export function Triage({ a }: { a: ApplicationSummary }) {
  return (
    <>
      {a.recommendation ? <span class={`badge rec-${a.recommendation}`}>{REC_TEXT[a.recommendation] ?? a.recommendation}</span> : <span class="muted">Not screened</span>}
      {typeof a.overallScore === 'number' ? (
        <span class="score-pill" aria-label={`AI score ${a.overallScore} of 100`}>
          {a.overallScore}
        </span>
      ) : null}
      {(a.flags ?? []).map((f) => (
        <span key={f} class={`badge flag-${f}`}>
          {FLAG_TEXT[f]}
        </span>
      ))}
    </>
  );
}

