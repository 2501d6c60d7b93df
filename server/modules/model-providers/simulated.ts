// A deterministic stand-in for a language model (AI_PROVIDER=simulated; refused in
// production by config). It reads the screening prompt, finds CV lines that mention each
// criterion's words, and answers in the pinned schema with those lines as verbatim
// evidence. The same input always gives the same output, and everything it says is
// labelled SIMULATED: it is a keyword match, not anyone's judgement.
import { createHash } from 'node:crypto';
import { readPrompt } from '../screening/index.js';
import type { ModelProvider, StructuredRequest, StructuredResponse } from '../ai/index.js';
import { SCORE_SCHEMA_NAME } from '../interviews/index.js';
import { CHECK_SCHEMA_NAME } from '../screening/index.js';
import { detectInjection } from '../screening/index.js';
import { simulateInterviewScoring } from '../interviews/index.js';
import { PLAN_SCHEMA_NAME } from '../interviews/index.js';
import { simulatePlanDraft } from '../interviews/index.js';

export const SIMULATED_MODEL = 'hirebox-simulated-1';
const STOP = new Set(['and', 'the', 'with', 'for', 'experience', 'years', 'knowledge', 'skills', 'good', 'strong', 'production']);

function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}+#.]{3,}/gu) ?? []).map((w) => w.replace(/\.$/, '')).filter((w) => w.length >= 2 && !STOP.has(w));
}

/**
 * What the simulation "notices" as instructions to an evaluator: the CV lines the pattern
 * detector flags (the same detector the pipeline runs, so a demo shows the second channel
 * working; a real model is a genuinely independent reader).
 */
export function simulatedInstructions(cv: string): string[] {
  return detectInjection(cv).suspectLines.map((l) => l.trim().slice(0, 400)).slice(0, 10);
}

export function simulateInjectionCheck(user: string): { instructions: string[] } {
  return { instructions: simulatedInstructions(readPrompt(user).cv) };
}

export function simulateScreening(user: string): { criteria: Record<string, unknown>; summary: string; recommendation: string; instructions_found: string[] } {
  const { cv, criteria } = readPrompt(user);
  const lines = cv.split('\n').map((l) => l.trim()).filter((l) => l.length >= 3);
  const out: Record<string, unknown> = {};
  let mustUnmet = false;
  let allMustMet = true;
  for (const c of criteria) {
    const terms = words(c.name);
    const hits = lines.filter((l) => {
      const lw = l.toLowerCase();
      return terms.some((t) => lw.includes(t));
    });
    const quotes = hits.slice(0, 3).map((l) => l.slice(0, 300));
    const met = hits.length >= 2 ? 'met' : hits.length === 1 ? 'partly' : 'unknown';
    const score = hits.length >= 3 ? 4 : hits.length === 2 ? 3 : hits.length === 1 ? 2 : 0;
    if (c.mustHave && met !== 'met') allMustMet = false;
    if (c.mustHave && hits.length === 0) mustUnmet = true;
    out[c.key] = {
      score,
      verdict: met,
      reasoning: hits.length
        ? `SIMULATED: ${hits.length} CV line(s) mention "${c.name}".`
        : `SIMULATED: no CV line mentions "${c.name}".`,
      evidence: quotes.length ? quotes : [(lines[0] ?? cv).slice(0, 300)],
    };
  }
  const recommendation = mustUnmet ? 'not_advance' : allMustMet && criteria.length > 0 ? 'advance' : 'review';
  return {
    criteria: out,
    summary: 'SIMULATED screening (AI_PROVIDER=simulated): deterministic keyword matching of criteria against CV lines, not a model judgement.',
    recommendation,
    instructions_found: simulatedInstructions(cv),
  };
}

export function createSimulatedProvider(options: { latencyMs?: number } = {}): ModelProvider {
  return {
    name: 'simulated',
    async complete(req: StructuredRequest): Promise<StructuredResponse> {
      const started = Date.now();
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      const content = JSON.stringify(
        req.schemaName === SCORE_SCHEMA_NAME
          ? simulateInterviewScoring(req.user)
          : req.schemaName === CHECK_SCHEMA_NAME
            ? simulateInjectionCheck(req.user)
            : req.schemaName === PLAN_SCHEMA_NAME
              ? simulatePlanDraft(req.system, req.user)
              : simulateScreening(req.user),
      );
      const inputTokens = Math.ceil((req.system.length + req.user.length) / 4);
      const outputTokens = Math.ceil(content.length / 4);
      return {
        content,
        refusal: null,
        model: SIMULATED_MODEL,
        requestId: `sim_${createHash('sha256').update(req.system).update(req.user).digest('hex').slice(0, 24)}`,
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        latencyMs: Date.now() - started,
        attempts: 1,
        simulated: true,
      };
    },
  };
}
