// Bias-report arithmetic (DESIGN §8), pure and shared by the report service, the monitor
// and the unit tests. The method is NYC Local Law 144's (DCWP rules, 6 RCNY §5-300):
//
// - selection rate of a category = selected / assessed in that category;
// - impact ratio = a category's selection rate / the highest selection rate of any category;
// - scoring rate (for a score, not a yes/no) = share of a category scoring above the median
//   score of everyone in the sample, with its impact ratio the same way;
// - categories that hold too few people are marked small-sample and left out of the impact
//   ratio calculation (LL144 allows leaving out categories under 2% of the data; an absolute
//   minimum n guards tiny samples too): their ratio is null and they are never flagged;
// - a category whose impact ratio is under the threshold (four-fifths rule: 0.8) is flagged.

export interface CategoryCount {
  category: string;
  /** People in the category the step applies to (the denominator). */
  assessed: number;
  /** Of those, how many were selected (or scored above the median). */
  selected: number;
}

export interface ImpactOptions {
  /** Impact ratio under which a category is flagged (0.8: the four-fifths rule). */
  threshold: number;
  /** Categories with fewer people than this are small-sample. */
  minSampleSize: number;
  /** Categories holding less than this share of all assessed people (0.02 = 2%) are small-sample. */
  minSampleShare: number;
}

export interface ImpactRow {
  category: string;
  assessed: number;
  selected: number;
  /** selected / assessed; null when nobody was assessed. */
  rate: number | null;
  /** rate / highest rate among categories that are not small-sample; null when small-sample or undefined (highest rate 0). */
  impactRatio: number | null;
  smallSample: boolean;
  flagged: boolean;
}

// Ratios are quotients of counts: 0.3 / 0.375 is 0.7999999999999999, which must not be flagged
// against 0.8. Comparisons allow this much rounding.
const EPSILON = 1e-9;

export function isSmallSample(assessed: number, total: number, opts: Pick<ImpactOptions, 'minSampleSize' | 'minSampleShare'>): boolean {
  return assessed === 0 || assessed < opts.minSampleSize || assessed < opts.minSampleShare * total - EPSILON;
}

/** Selection (or scoring) rates and impact ratios of every category, in the order given. */
export function impactTable(counts: readonly CategoryCount[], opts: ImpactOptions): ImpactRow[] {
  const total = counts.reduce((n, c) => n + c.assessed, 0);
  const rows = counts.map((c) => ({
    category: c.category,
    assessed: c.assessed,
    selected: c.selected,
    rate: c.assessed > 0 ? c.selected / c.assessed : null,
    smallSample: isSmallSample(c.assessed, total, opts),
  }));
  const highest = rows.reduce((max, r) => (!r.smallSample && r.rate !== null && r.rate > max ? r.rate : max), 0);
  return rows.map((r) => {
    const impactRatio = r.smallSample || r.rate === null || highest <= 0 ? null : Math.min(1, r.rate / highest);
    return { ...r, impactRatio, flagged: impactRatio !== null && impactRatio < opts.threshold - EPSILON };
  });
}

/** Median of a list of numbers (mean of the two middle values for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** LL144 scoring rate input: per category, how many were scored and how many scored strictly above the median. */
export function scoringCounts(scored: readonly { category: string; score: number }[], sampleMedian: number | null): CategoryCount[] {
  const byCategory = new Map<string, CategoryCount>();
  for (const s of scored) {
    const c = byCategory.get(s.category) ?? { category: s.category, assessed: 0, selected: 0 };
    c.assessed += 1;
    if (sampleMedian !== null && s.score > sampleMedian) c.selected += 1;
    byCategory.set(s.category, c);
  }
  return [...byCategory.values()];
}

/** Rounds a rate or ratio for display (4 decimals); null stays null. */
export function round4(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}
