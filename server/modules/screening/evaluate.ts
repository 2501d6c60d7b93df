// Turns a schema-valid model answer into what is stored and shown: each evidence quote is
// checked against the redacted CV text the model saw (whitespace-normalised, case and
// quote-style insensitive); ungrounded quotes are marked and lower their criterion's
// confidence; suspicious output (high scores without grounded evidence) and injection
// findings flag the application. The effective recommendation can never be "advance"
// when anything is flagged or a must-have criterion lacks grounded evidence. Evidence quoted
// from a suspect part of the CV (a line with an injection finding, a markup comment, hidden
// markup) is marked and never counts towards a must-have: an injected "I have 10 years of
// Kubernetes" inside an instruction is not evidence. The model's own report of
// instructions in the CV (instructions_found) and the independent detector check each flag.
import type { JobCriterion } from './prompt.js';
import { criterionKey, type Recommendation, type ScreeningOutput, type Verdict } from './schema.js';

export type Confidence = 'high' | 'medium' | 'low';

export interface EvaluatedCriterion {
  key: string;
  name: string;
  mustHave: boolean;
  weight: number;
  score: number;
  verdict: Verdict;
  reasoning: string;
  evidence: { quote: string; grounded: boolean; suspect?: boolean }[];
  confidence: Confidence;
}

export type Flag =
  | 'ungrounded_evidence'
  | 'must_have_without_evidence'
  | 'high_score_without_evidence'
  | 'injection_suspected'
  | 'model_reported_instructions'
  | 'injection_check_flagged'
  | 'injection_check_unavailable'
  | 'evidence_from_suspect_part'
  | 'recommendation_downgraded';

export interface Evaluation {
  criteria: EvaluatedCriterion[];
  summary: string;
  modelRecommendation: Recommendation;
  recommendation: Recommendation;
  /** Weighted mean score scaled to 0-100. */
  overallScore: number;
  flags: Flag[];
  reasons: string[];
}

export function normaliseForGrounding(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201a\u201b`´]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export function isGrounded(quote: string, normalisedSource: string): boolean {
  const q = normaliseForGrounding(quote).replace(/^["'.…\s]+|["'.…\s]+$/g, '');
  return q.length >= 3 && normalisedSource.includes(q);
}

export interface InjectionSignals {
  /** The pattern detector flagged the CV. */
  flagged: boolean;
  /** Lines of the CV (redacted like the text the model saw) that hold a finding or hidden markup. */
  suspectLines?: string[];
  /** The separate detector call: what it found, or null when it was off; 'unavailable' when it failed. */
  check?: { instructions: string[] } | 'unavailable' | null;
}

/** A quote taken from a suspect line (or one that contains a whole suspect line). */
function fromSuspect(quote: string, suspect: string[]): boolean {
  const q = normaliseForGrounding(quote);
  if (q.length < 3) return false;
  return suspect.some((l) => l.includes(q) || (l.length >= 12 && q.includes(l)));
}

export function evaluate(output: ScreeningOutput, criteria: JobCriterion[], redactedCv: string, injection: boolean | InjectionSignals): Evaluation {
  const signals: InjectionSignals = typeof injection === 'boolean' ? { flagged: injection } : injection;
  const injectionFlagged = signals.flagged;
  const suspect = (signals.suspectLines ?? []).map(normaliseForGrounding).filter((l) => l.length >= 3);
  const source = normaliseForGrounding(redactedCv);
  const flags = new Set<Flag>();
  const reasons: string[] = [];
  const evaluated: EvaluatedCriterion[] = criteria.map((c, i) => {
    const key = criterionKey(i);
    const r = output.criteria[key];
    if (!r) throw new TypeError(`missing ${key}: validate the output first`);
    const evidence = r.evidence.map((quote) => {
      const grounded = isGrounded(quote, source);
      return grounded && suspect.length > 0 && fromSuspect(quote, suspect) ? { quote, grounded, suspect: true } : { quote, grounded };
    });
    if (evidence.some((e) => e.suspect)) {
      flags.add('evidence_from_suspect_part');
      reasons.push(`${key} (${c.name}): evidence quoted from a part of the CV that looks like instructions or is hidden`);
    }
    const groundedCount = evidence.filter((e) => e.grounded).length;
    let confidence: Confidence = groundedCount === evidence.length ? 'high' : groundedCount > 0 ? 'medium' : 'low';
    if (groundedCount < evidence.length) {
      flags.add('ungrounded_evidence');
      reasons.push(`${key} (${c.name}): ${evidence.length - groundedCount} of ${evidence.length} quotes do not appear in the CV`);
    }
    const claimsMet = r.verdict === 'met' || r.verdict === 'partly' || r.score >= 2;
    if (claimsMet && groundedCount === 0) {
      confidence = 'low';
      if (r.score >= 3) {
        flags.add('high_score_without_evidence');
        reasons.push(`${key} (${c.name}): score ${r.score} with no evidence found in the CV`);
      }
    }
    if (c.mustHave && (groundedCount === 0 || r.verdict === 'unknown' || r.verdict === 'not_met')) {
      if (groundedCount === 0) {
        flags.add('must_have_without_evidence');
        reasons.push(`${key} (${c.name}) is a must-have with no grounded evidence`);
      }
    }
    return { key, name: c.name, mustHave: c.mustHave, weight: c.weight, score: r.score, verdict: r.verdict as Verdict, reasoning: r.reasoning, evidence, confidence };
  });
  if (injectionFlagged) {
    flags.add('injection_suspected');
    reasons.push('the CV contains text that looks like instructions to an AI');
  }
  const reported = (output.instructions_found ?? []).filter((s) => s.trim().length > 0);
  if (reported.length > 0) {
    flags.add('model_reported_instructions');
    reasons.push(`the model reported ${reported.length} instruction(s) in the CV addressed to an evaluator`);
  }
  if (signals.check === 'unavailable') {
    flags.add('injection_check_unavailable');
    reasons.push('the independent injection check could not run: a human should look');
  } else if (signals.check && signals.check.instructions.length > 0) {
    flags.add('injection_check_flagged');
    reasons.push(`the independent injection check found ${signals.check.instructions.length} instruction(s) in the CV`);
  }

  const modelRecommendation = output.recommendation;
  let recommendation = modelRecommendation;
  if (recommendation === 'advance') {
    // Every must-have met, with grounded evidence that is not itself inside a suspect part.
    const mustHaveNotMet = evaluated.some((c) => c.mustHave && (c.verdict !== 'met' || !c.evidence.some((e) => e.grounded && !e.suspect)));
    if (flags.size > 0 || mustHaveNotMet) {
      recommendation = 'review';
      flags.add('recommendation_downgraded');
      reasons.push(mustHaveNotMet ? 'advance needs every must-have met with grounded evidence' : 'advance is not allowed while the screening is flagged');
    }
  }
  const totalWeight = evaluated.reduce((s, c) => s + (c.weight > 0 ? c.weight : 0), 0);
  const overallScore =
    totalWeight > 0 ? Math.round((evaluated.reduce((s, c) => s + (c.weight > 0 ? c.weight : 0) * c.score, 0) / totalWeight / 4) * 100) : 0;
  return { criteria: evaluated, summary: output.summary, modelRecommendation, recommendation, overallScore, flags: [...flags], reasons };
}
