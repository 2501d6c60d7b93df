// The scorecard form's checks before anything is sent (docs/scorecards.md): every rated
// criterion needs an evidence note, a note needs a rating, submitting needs every criterion,
// a draft at least one, and an overall recommendation is always required. Pure, so it is
// unit-tested without a browser (so it imports nothing from the browser-only api.ts).

export type ScorecardRecommendation = 'strong_no' | 'no' | 'yes' | 'strong_yes';
interface SavedScorecard {
  recommendation: ScorecardRecommendation;
  ratings: { criterion: string; rating: number; evidence: string }[];
}

export interface Draft {
  ratings: Record<string, number | undefined>;
  evidence: Record<string, string>;
  recommendation: ScorecardRecommendation | '';
}

export function draftOf(mine: SavedScorecard | null): Draft {
  return {
    ratings: Object.fromEntries((mine?.ratings ?? []).map((r) => [r.criterion, r.rating])),
    evidence: Object.fromEntries((mine?.ratings ?? []).map((r) => [r.criterion, r.evidence])),
    recommendation: mine?.recommendation ?? '',
  };
}

/** Field problems of a draft: key -> message. Submitting needs every criterion rated. */
export function scorecardProblems(criteria: { key: string; name: string }[], d: Draft, submit: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of criteria) {
    const rating = d.ratings[c.key];
    const evidence = (d.evidence[c.key] ?? '').trim();
    if (rating === undefined) {
      if (submit) out[c.key] = 'Choose a rating.';
      else if (evidence) out[c.key] = 'Choose a rating for this note, or clear the note.';
    } else if (!evidence) out[c.key] = 'Write the evidence for this rating.';
  }
  if (!submit && !Object.values(d.ratings).some((r) => r !== undefined)) out.form = 'Rate at least one criterion.';
  if (!d.recommendation) out.recommendation = 'Choose an overall recommendation.';
  return out;
}

