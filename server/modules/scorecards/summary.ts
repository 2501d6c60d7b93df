// Job-level scorecard statistics (issue 21 item 4), pure functions so they are unit-testable.
//
// Agreement per criterion: the share of rater pairs, within the same application, whose
// ratings are within 1 point of each other (1-5 scale). Chosen over Krippendorff's alpha
// because it stays meaningful with the 2-3 raters per candidate hiring teams actually have.
// Divergence per criterion: for each application with both human ratings and an AI
// screening score, AI score mapped from 0-4 to 1-5 (+1) minus the humans' mean; we report
// the mean signed difference (positive = AI rates higher) and the mean absolute difference.

export interface CriterionSummary {
  key: string;
  name: string;
  ratings: number;
  humanMean: number | null;
  raterPairs: number;
  agreementWithin1: number | null;
  aiCompared: number;
  aiMeanDifference: number | null;
  aiMeanAbsDifference: number | null;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export function summarise(
  criteria: { key: string; name: string }[],
  human: { applicationId: string; ratings: Record<string, number> }[],
  ai: { applicationId: string; scores: Record<string, number> }[],
): CriterionSummary[] {
  const byApp = new Map<string, Record<string, number>[]>();
  for (const h of human) byApp.set(h.applicationId, [...(byApp.get(h.applicationId) ?? []), h.ratings]);
  const aiByApp = new Map(ai.map((a) => [a.applicationId, a.scores]));
  return criteria.map(({ key, name }) => {
    let count = 0;
    let sum = 0;
    let pairs = 0;
    let agreeing = 0;
    let compared = 0;
    let diff = 0;
    let absDiff = 0;
    for (const [applicationId, cards] of byApp) {
      const values = cards.map((c) => c[key]).filter((v): v is number => typeof v === 'number');
      count += values.length;
      sum += values.reduce((a, b) => a + b, 0);
      for (let i = 0; i < values.length; i++) {
        for (let j = i + 1; j < values.length; j++) {
          pairs++;
          if (Math.abs((values[i] as number) - (values[j] as number)) <= 1) agreeing++;
        }
      }
      const aiScore = aiByApp.get(applicationId)?.[key];
      if (values.length > 0 && typeof aiScore === 'number') {
        const d = aiScore + 1 - values.reduce((a, b) => a + b, 0) / values.length;
        compared++;
        diff += d;
        absDiff += Math.abs(d);
      }
    }
    return {
      key,
      name,
      ratings: count,
      humanMean: count ? round(sum / count) : null,
      raterPairs: pairs,
      agreementWithin1: pairs ? round(agreeing / pairs) : null,
      aiCompared: compared,
      aiMeanDifference: compared ? round(diff / compared) : null,
      aiMeanAbsDifference: compared ? round(absDiff / compared) : null,
    };
  });
}
