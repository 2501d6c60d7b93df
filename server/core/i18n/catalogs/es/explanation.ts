import type { Shape } from '../../catalog-shape.js';
import type { explanation as source } from '../en/explanation.js';

export const explanation: Shape<typeof source> = {
  title: 'Cómo se evaluó su candidatura para «{job}»',
  noAi: 'No se utilizó ningún sistema de IA para evaluar esta candidatura.',
  advisory: 'Un sistema de IA propuso las puntuaciones y la recomendación siguientes a partir de su CV. Son solo orientativas: una persona las revisó y tomó la decisión. Puede impugnar el resultado y pedir una revisión por una persona.',
  simulated: 'Nota: esta evaluación procede de una IA SIMULADA (un sustituto de demostración que busca palabras clave), no de un modelo de lenguaje.',
  assessedHeading: 'Qué se evaluó (con ayuda de IA, {date})',
  assessedIntro: 'Su CV se comparó con {count, plural, one {# criterio} other {# criterios}} del puesto. Para cada uno, la IA dio una puntuación de 0 (sin pruebas) a 4 (claramente cumplido) y citó las partes de su CV en las que se basó.',
  required: '{name} (obligatorio)',
  score: 'Puntuación: {score} de {max} ({verdict, select, met {cumplido} partly {cumplido en parte} not_met {no cumplido} other {sin determinar}})',
  why: 'Motivo: {reasoning}',
  quote: 'De su CV: «{quote}»',
  quoteNotFound: 'De su CV: «{quote}» (esta cita no se encontró en su CV, por lo que tuvo menos peso)',
  recommendationHeading: 'La recomendación de la IA (solo orientativa)',
  recommendation: 'La IA sugirió que la candidatura {rec, select, advance {siguiera adelante} not_advance {no siguiera adelante} other {la revisara una persona}}. Esta sugerencia no decidió nada por sí sola.',
  decisionHeading: 'La decisión',
  decision: 'Decisión: {outcome, select, advance {sigue en el proceso} reject {rechazo} hire {contratación} hold {en espera} other {{outcome}}}, tomada por {who} (una persona) el {date}.',
  someone: 'un miembro del equipo de selección',
  reason: 'Motivo indicado: {reason}',
  followed: 'La decisión siguió la recomendación de la IA.',
  notFollowed: 'La decisión no siguió la recomendación de la IA.',
  noDecision: 'Todavía no se ha tomado ninguna decisión.',
  disagreeHeading: 'Si no está de acuerdo',
  disagree: 'Puede impugnar este resultado. Una persona que no está vinculada por la sugerencia de la IA lo revisará y le responderá.',
};
