// The deterministic stand-in for plan drafting (AI_PROVIDER=simulated, the demo): one
// question per criterion from a fixed template in the interview language, with a rubric
// anchor naming the criterion. Labelled SIMULATED in every anchor: a template, not a
// model's judgement. The same prompt always gives the same plan.
import { readPlanPrompt, type PlanOutput } from './plan-draft.js';

const QUESTION: Record<string, (name: string, description: string) => string> = {
  en: (n, d) => `Tell me about a recent piece of work where you used ${n}${d ? ` (${d})` : ''}. What did you do, and what was the result?`,
  de: (n, d) => `Erzählen Sie von einer aktuellen Aufgabe, bei der Sie ${n}${d ? ` (${d})` : ''} eingesetzt haben. Was haben Sie getan, und was war das Ergebnis?`,
  fr: (n, d) => `Parlez-moi d’un travail récent où vous avez utilisé ${n}${d ? ` (${d})` : ''}. Qu’avez-vous fait, et quel a été le résultat ?`,
  es: (n, d) => `Háblenos de un trabajo reciente en el que usó ${n}${d ? ` (${d})` : ''}. ¿Qué hizo y cuál fue el resultado?`,
  nl: (n, d) => `Vertel over recent werk waarin u ${n}${d ? ` (${d})` : ''} gebruikte. Wat deed u, en wat was het resultaat?`,
};
const ANCHOR: Record<string, (name: string) => string> = {
  en: (n) => `SIMULATED anchor: a concrete example of ${n} with the candidate's own actions, the trade-offs made and a measurable outcome.`,
  de: (n) => `SIMULATED anchor: ein konkretes Beispiel für ${n} mit eigenem Beitrag, abgewogenen Alternativen und einem messbaren Ergebnis.`,
  fr: (n) => `SIMULATED anchor : un exemple concret de ${n} avec les actions du candidat, les compromis choisis et un résultat mesurable.`,
  es: (n) => `SIMULATED anchor: un ejemplo concreto de ${n} con sus propias acciones, las alternativas sopesadas y un resultado medible.`,
  nl: (n) => `SIMULATED anchor: een concreet voorbeeld van ${n} met eigen acties, afgewogen keuzes en een meetbaar resultaat.`,
};

export function simulatePlanDraft(system: string, user: string): PlanOutput {
  const { language, criteria } = readPlanPrompt(system, user);
  const q = QUESTION[language] ?? (QUESTION.en as (n: string, d: string) => string);
  const a = ANCHOR[language] ?? (ANCHOR.en as (n: string) => string);
  return {
    questions: criteria.slice(0, 20).map((c) => ({ criterion: c.key, text: q(c.name, c.description).slice(0, 500), anchor: a(c.name).slice(0, 500) })),
  };
}
