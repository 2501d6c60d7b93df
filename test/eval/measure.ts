// Measures the injection detector and blind-screening redaction on the evaluation corpora
// in test/fixtures/eval/ (npm run eval:screening prints it; test/unit/screening-eval.test.ts
// holds the targets). Everything runs through the production functions: detectInjection as
// the screening service calls it, and blindInput (invisible characters stripped, redacted,
// put into the prompt) for redaction, checked on the prompt the model would receive.
import { detectInjection } from '../../server/modules/screening/injection.js';
import { blindInput } from '../../server/modules/screening/blind-call.js';
import { CLEAN_CORPUS, INJECTION_CORPUS, INJECTION_KINDS, type EvalCase } from '../fixtures/eval/injection-corpus.js';
import { REDACTION_CORPUS, type IdentifierType } from '../fixtures/eval/redaction-corpus.js';
import { LANGS } from '../fixtures/eval/bodies.js';
import type { HoldoutRound } from '../fixtures/eval/holdout.js';

export interface Rate {
  hits: number;
  total: number;
  rate: number;
}

const rate = (hits: number, total: number): Rate => ({ hits, total, rate: total ? hits / total : 0 });

export interface DetectionReport {
  detection: Rate;
  falsePositives: Rate;
  byKind: Record<string, Rate>;
  byLanguage: Record<string, { detection: Rate; falsePositives: Rate }>;
  missed: string[];
  falselyFlagged: { id: string; kinds: string[]; excerpt: string }[];
  ms: number;
}

export function measureDetection(injection: EvalCase[] = INJECTION_CORPUS, clean: EvalCase[] = CLEAN_CORPUS): DetectionReport {
  const started = performance.now();
  const flagged = new Map<string, ReturnType<typeof detectInjection>>();
  for (const c of [...injection, ...clean]) flagged.set(c.id, detectInjection(c.text, c.hidden ?? {}));
  const hit = (c: EvalCase): boolean => flagged.get(c.id)?.flagged === true;
  const byKind: Record<string, Rate> = {};
  for (const k of INJECTION_KINDS) {
    const cs = injection.filter((c) => c.kind === k);
    byKind[k] = rate(cs.filter(hit).length, cs.length);
  }
  const byLanguage: DetectionReport['byLanguage'] = {};
  for (const l of LANGS) {
    const inj = injection.filter((c) => c.lang === l);
    const cl = clean.filter((c) => c.lang === l);
    byLanguage[l] = { detection: rate(inj.filter(hit).length, inj.length), falsePositives: rate(cl.filter(hit).length, cl.length) };
  }
  return {
    detection: rate(injection.filter(hit).length, injection.length),
    falsePositives: rate(clean.filter(hit).length, clean.length),
    byKind,
    byLanguage,
    missed: injection.filter((c) => !hit(c)).map((c) => c.id),
    falselyFlagged: clean.filter(hit).map((c) => ({ id: c.id, kinds: flagged.get(c.id)?.kinds ?? [], excerpt: flagged.get(c.id)?.findings[0]?.excerpt ?? '' })),
    ms: Math.round(performance.now() - started),
  };
}

export interface RedactionReport {
  cvs: number;
  identifiers: number;
  leaks: Record<IdentifierType, number>;
  checked: Record<IdentifierType, number>;
  byLanguage: Record<string, number>;
  leaked: { id: string; type: IdentifierType; value: string }[];
  /** Over-redaction: lines of the CV bodies (experience, skills; no identifiers) that did not reach the prompt unchanged. */
  bodyLinesAltered: { total: number; altered: number; examples: string[] };
  ms: number;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Present as a whole word (any case), the way a reader of the prompt would find it. */
export function contains(haystack: string, value: string): boolean {
  // eslint-disable-next-line security/detect-non-literal-regexp -- escaped corpus value
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(value.trim())}(?![\\p{L}\\p{N}])`, 'iu').test(haystack);
}

export function measureRedaction(): RedactionReport {
  const started = performance.now();
  const leaks = {} as Record<IdentifierType, number>;
  const checked = {} as Record<IdentifierType, number>;
  const byLanguage: Record<string, number> = Object.fromEntries(LANGS.map((l) => [l, 0]));
  const leaked: RedactionReport['leaked'] = [];
  let identifiers = 0;
  const body = { total: 0, altered: 0, examples: [] as string[] };
  const job = { title: 'Backend engineer', description: 'TypeScript and Postgres services', criteria: [{ name: 'TypeScript', description: '', weight: 1, mustHave: true }] };
  for (const c of REDACTION_CORPUS) {
    const { prompt } = blindInput('eval-model', job, c.text, c.known);
    // Places count where they say where the candidate lives: the header and contact lines
    // (the body's "Adventure Works France" is an employer). Everything else: the whole prompt.
    const firstBodyLine = c.body.split('\n')[0] ?? '';
    const header = prompt.user.slice(0, prompt.user.lastIndexOf(firstBodyLine));
    for (const line of c.body.split('\n').filter((l) => l.trim())) {
      body.total += 1;
      if (!prompt.user.includes(line)) {
        body.altered += 1;
        if (body.examples.length < 5) body.examples.push(`${c.id}: ${line}`);
      }
    }
    for (const id of c.identifiers) {
      identifiers += 1;
      checked[id.type] = (checked[id.type] ?? 0) + 1;
      leaks[id.type] = leaks[id.type] ?? 0;
      if (contains(['CITY', 'REGION', 'COUNTRY'].includes(id.type) ? header : prompt.user, id.value)) {
        leaks[id.type] += 1;
        byLanguage[c.lang] = (byLanguage[c.lang] ?? 0) + 1;
        leaked.push({ id: c.id, type: id.type, value: id.value });
      }
    }
  }
  return { cvs: REDACTION_CORPUS.length, identifiers, leaks, checked, byLanguage, leaked, bodyLinesAltered: body, ms: Math.round(performance.now() - started) };
}

/** A held-out round: each line inside a short CV, flagged or not (no targets: see holdout.ts). */
export function measureHoldout(round: HoldoutRound): { detection: Rate; falsePositives: Rate; missed: string[]; falselyFlagged: string[] } {
  const wrap = (line: string): string => `Experience\nBackend engineer, Northwind\n${line}\nSkills: TypeScript, Postgres`;
  const missed = round.injections.filter((l) => !detectInjection(wrap(l)).flagged);
  const falselyFlagged = round.benign.filter((l) => detectInjection(wrap(l)).flagged);
  return { detection: rate(round.injections.length - missed.length, round.injections.length), falsePositives: rate(falselyFlagged.length, round.benign.length), missed, falselyFlagged };
}
