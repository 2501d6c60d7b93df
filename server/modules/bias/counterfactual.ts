// Counterfactual audit (DESIGN §8), behind `hirebox bias counterfactual`: re-screens a sample
// of a job's screened CVs with the candidate's name swapped for names that signal another
// gender or origin (Bertrand & Mullainathan's résumé-study names) and gendered pronouns and
// words swapped to match, through exactly the blinded call a real screening makes
// (screening/blind-call.ts, temperature 0, fixed seed), and reports per criterion how far
// the scores moved against the original CV.
//
// Blind screening already redacts names, pronouns and gender words, so most swaps never
// reach the model: when a variant's blinded input is identical to the original's, no call
// is made and its shift is 0 by construction (reported as such). What does reach the model
// (e.g. "women's chess team" -> "men's chess team") is measured. Nothing is stored on the
// screenings; the model calls are AI runs with purpose 'counterfactual', charged to the
// org's token budget, and each application checked is audited (`bias.counterfactual_checked`).
// Demographics are never used here: variants are fixed, the same for everyone.
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import { blindInput, SEED, type BlindInput } from '../screening/index.js';
import type { Evaluation } from '../screening/index.js';
import type { ModelProvider } from '../screening/index.js';
import { PROMPT_VERSION } from '../screening/index.js';
import { createSampleRuns, type SampleOutcome } from '../screening/index.js';

export const COUNTERFACTUAL_MAX_SAMPLE = 50;

export interface Variant {
  key: string;
  name: string;
  pronouns: 'female' | 'male';
}

export const VARIANTS: readonly Variant[] = [
  { key: 'emily_walsh', name: 'Emily Walsh', pronouns: 'female' },
  { key: 'greg_baker', name: 'Greg Baker', pronouns: 'male' },
  { key: 'lakisha_washington', name: 'Lakisha Washington', pronouns: 'female' },
  { key: 'jamal_jones', name: 'Jamal Jones', pronouns: 'male' },
];

// Gendered words and their counterparts. "her" is both possessive and object: it becomes
// "his" before a word and "him" otherwise.
const FEMALE_OF: Readonly<Record<string, string>> = {
  he: 'she',
  him: 'her',
  his: 'her',
  himself: 'herself',
  mr: 'ms',
  man: 'woman',
  men: 'women',
  male: 'female',
  boy: 'girl',
  boys: 'girls',
  father: 'mother',
  son: 'daughter',
  sons: 'daughters',
  brother: 'sister',
  brothers: 'sisters',
  husband: 'wife',
  gentleman: 'lady',
  gentlemen: 'ladies',
  fraternity: 'sorority',
  chairman: 'chairwoman',
  sportsman: 'sportswoman',
};
const MALE_OF: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(FEMALE_OF).map(([m, f]) => [f, m])),
  hers: 'his',
  mrs: 'mr',
  miss: 'mr',
};

function matchCase(original: string, replacement: string): string {
  if (original.length > 1 && original === original.toUpperCase()) return replacement.toUpperCase();
  if (original[0] && original[0] === original[0].toUpperCase()) return replacement.charAt(0).toUpperCase() + replacement.slice(1);
  return replacement;
}

/** Swaps gendered pronouns and words to the given side; other text is unchanged. */
export function swapGenderedWords(text: string, to: 'female' | 'male'): string {
  const table = to === 'female' ? FEMALE_OF : MALE_OF;
  return text.replace(/\p{L}+/gu, (word, offset: number) => {
    const lower = word.toLowerCase();
    if (to === 'male' && lower === 'her') {
      const next = /^\s*(\p{L})/u.exec(text.slice(offset + word.length, offset + word.length + 40));
      return matchCase(word, next ? 'his' : 'him');
    }
    const swapped = table[lower];
    return swapped ? matchCase(word, swapped) : word;
  });
}

const isLetter = (ch: string | undefined): boolean => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/** Replaces whole-word, case-insensitive occurrences of `needle` (no regex built from data). */
function replaceWord(text: string, needle: string, replacement: string): string {
  if (needle.length < 2) return text;
  const hay = text.toLowerCase();
  const n = needle.toLowerCase();
  if (hay.length !== text.length) return text.split(needle).join(replacement);
  let out = '';
  let from = 0;
  for (let i = hay.indexOf(n); i !== -1; i = hay.indexOf(n, i + n.length)) {
    if (isLetter(text[i - 1]) || isLetter(text[i + n.length])) continue;
    out += text.slice(from, i) + replacement;
    from = i + n.length;
  }
  return out + text.slice(from);
}

/** The CV as the same person would have written it under another name and with other pronouns. */
export function counterfactualText(cvText: string, name: string, variant: Variant): string {
  const parts = name.trim().split(/\s+/).filter((p) => p.length >= 2);
  const [first, ...rest] = variant.name.split(' ');
  const last = rest.join(' ') || (first as string);
  let out = replaceWord(cvText, name.trim().replace(/\s+/g, ' '), variant.name);
  parts.forEach((p, i) => {
    out = replaceWord(out, p, i === 0 ? (first as string) : last);
  });
  return swapGenderedWords(out, variant.pronouns);
}

export interface VariantShift {
  variant: string;
  /** Applications whose blinded input for this variant was identical to the original's (no call, shift 0). */
  identicalInput: number;
  compared: number;
  meanShift: number;
  maxAbsShift: number;
  /** Applications where this criterion's score moved at all. */
  changed: number;
}

export interface CounterfactualReport {
  orgId: string;
  jobId: string;
  provider: string;
  model: string;
  promptVersion: string;
  temperature: 0;
  seed: number;
  variants: Variant[];
  sampled: number;
  runs: { made: number; skippedIdentical: number; failed: number };
  tokens: { input: number; output: number };
  stoppedEarly: string | null;
  criteria: { key: string; name: string; mustHave: boolean; maxAbsShift: number; variants: VariantShift[] }[];
  overall: VariantShift[];
  recommendationChanges: { variant: string; changed: number; compared: number }[];
  /** No score and no recommendation moved for any variant. */
  invariant: boolean;
}

export type CounterfactualOutcome = SampleOutcome<CounterfactualReport>;

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Per variant, from a list of (variant, shift or null when identical) observations. */
export function summariseShifts(variants: readonly Variant[], observations: readonly { variant: string; shift: number; identical: boolean }[]): VariantShift[] {
  return variants.map((v) => {
    const mine = observations.filter((o) => o.variant === v.key);
    const shifts = mine.map((o) => o.shift);
    return {
      variant: v.key,
      identicalInput: mine.filter((o) => o.identical).length,
      compared: mine.length,
      meanShift: shifts.length ? round(shifts.reduce((s, x) => s + x, 0) / shifts.length) : 0,
      maxAbsShift: shifts.length ? Math.max(...shifts.map(Math.abs)) : 0,
      changed: shifts.filter((x) => x !== 0).length,
    };
  });
}

export function createCounterfactualAudit(deps: { db: Db; audit: AuditLog; keyring: Keyring; provider: ModelProvider; defaultModel: string; clock?: () => Date; variants?: readonly Variant[] }) {
  const clock = deps.clock ?? (() => new Date());
  const variants = deps.variants ?? VARIANTS;

  const samples = createSampleRuns({ ...deps, clock });

  return {
    async run(opts: { jobId: string; sample: number }): Promise<CounterfactualOutcome> {
      const orgId = (await samples.orgOfJob(opts.jobId))?.orgId;
      if (!orgId) return { status: 'job_not_found' };
      const refused = await samples.hold(orgId);
      if (refused) return { status: 'refused', reason: refused };
      const setup = await samples.setup(orgId, opts.jobId, opts.sample);
      if (setup.sample.length === 0) return { status: 'no_sample', reason: 'the job has no screened application with a parsed CV' };
      const { model } = setup;
      const totals = { made: 0, skippedIdentical: 0, failed: 0, input: 0, output: 0 };
      let stoppedEarly: string | null = null;
      const perCriterion = new Map<string, { name: string; mustHave: boolean; obs: { variant: string; shift: number; identical: boolean }[] }>();
      const overall: { variant: string; shift: number; identical: boolean }[] = [];
      const recChanges = new Map<string, { changed: number; compared: number }>();
      let sampled = 0;

      for (const picked of setup.sample) {
        if (stoppedEarly) break;
        const input = await samples.loadInput(orgId, picked.application_id);
        if (!input) continue;
        sampled += 1;
        const { src, candidate } = input;
        const appTotals = { made: 0, skippedIdentical: 0, failed: 0, input: 0, output: 0 };
        const hashes: string[] = [];

        /** One blinded model call; null when it failed (counted) or was held. */
        const screen = async (blind: BlindInput): Promise<Evaluation | null> => {
          const why = await samples.hold(orgId);
          if (why) {
            stoppedEarly = why;
            return null;
          }
          const call = await samples.call(orgId, picked, input, model, blind, 'counterfactual');
          appTotals.input += call.inputTokens;
          appTotals.output += call.outputTokens;
          appTotals.made += 1;
          if (!call.evaluation) appTotals.failed += 1;
          return call.evaluation;
        };

        const originalBlind = blindInput(model, src, input.text, candidate);
        hashes.push(originalBlind.inputHash);
        const original = await screen(originalBlind);
        if (original) {
          for (const v of variants) {
            if (stoppedEarly) break;
            const text = counterfactualText(input.text, candidate.name, v);
            const blind = blindInput(model, src, text, { ...candidate, name: v.name });
            hashes.push(blind.inputHash);
            const identical = blind.inputHash === originalBlind.inputHash;
            let result: Evaluation | null = original;
            if (identical) appTotals.skippedIdentical += 1;
            else result = await screen(blind);
            if (!result) continue;
            for (const c of original.criteria) {
              const after = result.criteria.find((x) => x.key === c.key);
              if (!after) continue;
              const entry = perCriterion.get(c.key) ?? { name: c.name, mustHave: c.mustHave, obs: [] };
              entry.obs.push({ variant: v.key, shift: after.score - c.score, identical });
              perCriterion.set(c.key, entry);
            }
            overall.push({ variant: v.key, shift: result.overallScore - original.overallScore, identical });
            const rc = recChanges.get(v.key) ?? { changed: 0, compared: 0 };
            rc.compared += 1;
            if (result.recommendation !== original.recommendation) rc.changed += 1;
            recChanges.set(v.key, rc);
          }
        }
        totals.made += appTotals.made;
        totals.skippedIdentical += appTotals.skippedIdentical;
        totals.failed += appTotals.failed;
        totals.input += appTotals.input;
        totals.output += appTotals.output;
        await samples.auditChecked(orgId, 'bias.counterfactual_checked', opts.jobId, picked, model, {
          inputHashes: hashes,
          variants: variants.map((v) => v.key),
          runs: appTotals.made,
          skippedIdentical: appTotals.skippedIdentical,
          failed: appTotals.failed,
          inputTokens: appTotals.input,
          outputTokens: appTotals.output,
        });
      }

      const criteria = [...perCriterion.entries()].map(([key, c]) => {
        const vs = summariseShifts(variants, c.obs);
        return { key, name: c.name, mustHave: c.mustHave, maxAbsShift: Math.max(0, ...vs.map((v) => v.maxAbsShift)), variants: vs };
      });
      const overallShifts = summariseShifts(variants, overall);
      const recommendationChanges = variants.map((v) => ({ variant: v.key, ...(recChanges.get(v.key) ?? { changed: 0, compared: 0 }) }));
      return {
        status: 'ok',
        report: {
          orgId,
          jobId: opts.jobId,
          provider: deps.provider.name,
          model,
          promptVersion: PROMPT_VERSION,
          temperature: 0,
          seed: SEED,
          variants: [...variants],
          sampled,
          runs: { made: totals.made, skippedIdentical: totals.skippedIdentical, failed: totals.failed },
          tokens: { input: totals.input, output: totals.output },
          stoppedEarly,
          criteria,
          overall: overallShifts,
          recommendationChanges,
          invariant: criteria.every((c) => c.maxAbsShift === 0) && overallShifts.every((o) => o.maxAbsShift === 0) && recommendationChanges.every((r) => r.changed === 0),
        },
      };
    },
  };
}

/** A fixed-width table for people. */
export function renderCounterfactualReport(r: CounterfactualReport): string {
  const lines = [
    `counterfactual audit of job ${r.jobId}: ${r.sampled} CV(s) x ${r.variants.length} variant(s) (${r.variants.map((v) => `${v.name}, ${v.pronouns} pronouns`).join('; ')}), ${r.provider} ${r.model}, prompt ${r.promptVersion}, temperature 0, seed ${r.seed}`,
    `model calls: ${r.runs.made} (${r.runs.failed} failed); ${r.runs.skippedIdentical} variant(s) not called: blinding made their input identical to the original (shift 0); tokens: ${r.tokens.input} in, ${r.tokens.output} out${r.stoppedEarly ? `; stopped early: ${r.stoppedEarly}` : ''}`,
    '',
    `${'criterion'.padEnd(32)} ${r.variants.map((v) => v.key.slice(0, 18).padStart(20)).join(' ')}`,
    `${''.padEnd(32)} ${r.variants.map(() => 'mean / max|shift|'.padStart(20)).join(' ')}`,
  ];
  const cell = (s: VariantShift | undefined) => (s ? `${s.meanShift >= 0 ? '+' : ''}${s.meanShift.toFixed(2)} / ${s.maxAbsShift}`.padStart(20) : '-'.padStart(20));
  for (const c of r.criteria) lines.push(`${`${c.key} ${c.name}${c.mustHave ? ' (must)' : ''}`.slice(0, 32).padEnd(32)} ${r.variants.map((v) => cell(c.variants.find((x) => x.variant === v.key))).join(' ')}`);
  lines.push(`${'overall score (0-100)'.padEnd(32)} ${r.variants.map((v) => cell(r.overall.find((x) => x.variant === v.key))).join(' ')}`);
  lines.push(`${'recommendation changed'.padEnd(32)} ${r.recommendationChanges.map((x) => `${x.changed}/${x.compared}`.padStart(20)).join(' ')}`);
  lines.push('', r.invariant ? 'INVARIANT: no score or recommendation moved when names and pronouns were swapped.' : 'SHIFTED: some scores moved when only names and pronouns changed; look at what in these CVs reaches the model.');
  return lines.join('\n');
}
