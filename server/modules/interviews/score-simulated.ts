// The deterministic stand-in for interview scoring (AI_PROVIDER=simulated): each answered
// question gets the longest sentences of the candidate turns the prompt assigns to it as
// verbatim evidence and a score from the answer's length. Labelled SIMULATED: a length
// heuristic, not anyone's judgement.
import { readScorePrompt } from './score-prompt.js';
import type { ScoreOutput } from './score-schema.js';

export function simulateInterviewScoring(user: string): ScoreOutput {
  const { questions, turns } = readScorePrompt(user);
  const out: ScoreOutput['questions'] = {};
  for (const q of questions) {
    const texts = q.turns.map((i) => turns[i]).filter((t) => t?.speaker === 'candidate').map((t) => (t as { text: string }).text);
    if (!q.answered || texts.length === 0) {
      out[q.key] = { score: 0, verdict: 'insufficient_evidence', reasoning: 'SIMULATED: no scorable answer.', evidence: [] };
      continue;
    }
    const sentences = texts.flatMap((t) => t.split(/(?<=[.!?])\s+/)).map((x) => x.trim()).filter((x) => x.length >= 3);
    const quotes = [...sentences].sort((a, b) => b.length - a.length).slice(0, 2).map((x) => x.slice(0, 300));
    const words = texts.join(' ').split(/\s+/).length;
    const score = words >= 40 ? 4 : words >= 20 ? 3 : 2;
    out[q.key] = { score, verdict: score >= 3 ? 'met' : 'partly', reasoning: `SIMULATED: a ${words}-word answer.`, evidence: quotes };
  }
  return { questions: out, summary: 'SIMULATED interview scoring (AI_PROVIDER=simulated): answer length and verbatim sentences, not a model judgement.' };
}
