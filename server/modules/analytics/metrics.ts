// Hiring analytics arithmetic (issue 21 item 3), pure: funnel by stage, time in stage, time to
// hire and AI-recommendation vs human-decision agreement, from per-application facts. The
// service loads the facts (tenant-bound) and the unit tests compute hand-checked answers.
//
// Small-cell suppression (as the fairness report, server/modules/bias): a median or a rate
// computed from fewer than `minSampleSize` applications is not shown (null, suppressed).

export const FUNNEL_KINDS = ['new', 'screening', 'interview', 'offer', 'hired'] as const;
const RANK: Readonly<Record<string, number>> = { new: 0, screening: 1, interview: 2, offer: 3, hired: 4 };
const DAY_MS = 86_400_000;

export interface StageEntry {
  /** Stage kind entered. */
  kind: string;
  at: Date;
}

export interface ApplicationFacts {
  createdAt: Date;
  /** Current stage kind. */
  stageKind: string;
  /** Stage moves by members (decisions and stage changes), oldest first. */
  moves: readonly StageEntry[];
  /** utm_source / utm_campaign captured on apply (null: none). */
  source?: string | null;
  campaign?: string | null;
}

export interface SourceRow {
  /** The utm value, DIRECT for none, or SMALL_SOURCES for the pooled small ones. */
  source: string;
  pooled: boolean;
  applications: number;
  hired: number;
}

export const DIRECT = '(none)';
export const SMALL_SOURCES = '(other: values with fewer applications than the minimum sample)';

export interface DecisionFacts {
  outcome: 'advance' | 'reject' | 'hire' | 'hold';
  aiRecommendation: 'advance' | 'review' | 'not_advance' | null;
}

export interface Suppressible {
  value: number | null;
  /** How many applications (or decisions) the figure is computed from. */
  n: number;
  suppressed: boolean;
}

export interface AnalyticsFigures {
  applications: number;
  funnel: { kind: string; reached: number; conversionFromPrevious: number | null }[];
  outcomes: { rejected: number; withdrawn: number; inProgress: number; hired: number };
  timeInStageDays: { kind: string; median: Suppressible }[];
  timeToHireDays: Suppressible;
  agreement: { compared: number; agreed: number; rate: Suppressible; excludedReview: number; excludedHold: number };
  sources: SourceRow[];
  campaigns: SourceRow[];
}

/** Applications and hires per value; values with fewer applications than minSampleSize are pooled (as the fairness report pools rare answers). */
export function sourceTable(apps: readonly ApplicationFacts[], valueOf: (a: ApplicationFacts) => string | null | undefined, minSampleSize: number): SourceRow[] {
  const by = new Map<string, { applications: number; hired: number }>();
  for (const a of apps) {
    const key = valueOf(a) ?? DIRECT;
    const row = by.get(key) ?? { applications: 0, hired: 0 };
    row.applications += 1;
    if (a.stageKind === 'hired') row.hired += 1;
    by.set(key, row);
  }
  const out: SourceRow[] = [];
  const small = { applications: 0, hired: 0, values: 0 };
  for (const [source, r] of by) {
    if (source !== DIRECT && r.applications < minSampleSize) {
      small.applications += r.applications;
      small.hired += r.hired;
      small.values += 1;
    } else out.push({ source, pooled: false, ...r });
  }
  out.sort((a, b) => b.applications - a.applications || a.source.localeCompare(b.source));
  if (small.values > 0) out.push({ source: SMALL_SOURCES, pooled: true, applications: small.applications, hired: small.hired });
  return out;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const round2 = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);

export function suppress(values: readonly number[], minSampleSize: number): Suppressible {
  const n = values.length;
  if (n === 0) return { value: null, n, suppressed: false };
  if (n < minSampleSize) return { value: null, n, suppressed: true };
  return { value: round2(median(values)), n, suppressed: false };
}

/** Furthest pipeline rank an application reached (current stage or any member move). */
export function furthestRank(f: ApplicationFacts): number {
  let best = RANK[f.stageKind] ?? 0;
  for (const m of f.moves) best = Math.max(best, RANK[m.kind] ?? 0);
  return best;
}

/** AI recommendation and human decision agree: advance ~ advance/hire, not_advance ~ reject. */
export function agrees(d: DecisionFacts): boolean | null {
  if (d.aiRecommendation === null || d.aiRecommendation === 'review' || d.outcome === 'hold') return null;
  if (d.aiRecommendation === 'advance') return d.outcome === 'advance' || d.outcome === 'hire';
  return d.outcome === 'reject';
}

export function computeAnalytics(apps: readonly ApplicationFacts[], decisions: readonly DecisionFacts[], minSampleSize: number): AnalyticsFigures {
  const reached = FUNNEL_KINDS.map(() => 0);
  const stays = new Map<string, number[]>(FUNNEL_KINDS.map((k) => [k, []]));
  const hireDays: number[] = [];
  const outcomes = { rejected: 0, withdrawn: 0, inProgress: 0, hired: 0 };
  for (const a of apps) {
    const rank = furthestRank(a);
    for (let i = 0; i <= rank; i += 1) reached[i] = (reached[i] as number) + 1;
    if (a.stageKind === 'rejected') outcomes.rejected += 1;
    else if (a.stageKind === 'withdrawn') outcomes.withdrawn += 1;
    else if (a.stageKind === 'hired') outcomes.hired += 1;
    else outcomes.inProgress += 1;
    // Time in stage: completed stays only (entered, then left by a later move).
    const entries: StageEntry[] = [{ kind: 'new', at: a.createdAt }, ...a.moves];
    for (let i = 0; i + 1 < entries.length; i += 1) {
      const cur = entries[i] as StageEntry;
      const next = entries[i + 1] as StageEntry;
      if (cur.kind === next.kind) continue;
      stays.get(cur.kind)?.push((next.at.getTime() - cur.at.getTime()) / DAY_MS);
    }
    const hiredAt = a.moves.find((m) => m.kind === 'hired');
    if (hiredAt) hireDays.push((hiredAt.at.getTime() - a.createdAt.getTime()) / DAY_MS);
  }
  let compared = 0;
  let agreed = 0;
  let excludedReview = 0;
  let excludedHold = 0;
  for (const d of decisions) {
    const r = agrees(d);
    if (r === null) {
      if (d.outcome === 'hold') excludedHold += 1;
      else if (d.aiRecommendation === 'review') excludedReview += 1;
      continue;
    }
    compared += 1;
    if (r) agreed += 1;
  }
  const rate: Suppressible =
    compared === 0 ? { value: null, n: 0, suppressed: false } : compared < minSampleSize ? { value: null, n: compared, suppressed: true } : { value: Math.round((agreed / compared) * 10_000) / 10_000, n: compared, suppressed: false };
  return {
    applications: apps.length,
    funnel: FUNNEL_KINDS.map((kind, i) => ({
      kind,
      reached: reached[i] as number,
      conversionFromPrevious: i === 0 || (reached[i - 1] as number) === 0 ? null : Math.round(((reached[i] as number) / (reached[i - 1] as number)) * 10_000) / 10_000,
    })),
    outcomes,
    timeInStageDays: FUNNEL_KINDS.filter((k) => k !== 'hired').map((kind) => ({ kind, median: suppress(stays.get(kind) ?? [], minSampleSize) })),
    timeToHireDays: suppress(hireDays, minSampleSize),
    agreement: { compared, agreed, rate, excludedReview, excludedHold },
    sources: sourceTable(apps, (a) => a.source, minSampleSize),
    campaigns: sourceTable(apps, (a) => a.campaign, minSampleSize),
  };
}
