import type { Shape } from '../../catalog-shape.js';
import type { questions as source } from '../en/questions.js';

export const questions: Shape<typeof source> = {
  legend: 'Fragen des Arbeitgebers',
  optional: '{label} (freiwillig)',
  yes: 'Ja',
  no: 'Nein',
  knockoutNote: 'Bei manchen Antworten sieht sich zuerst eine Person Ihre Bewerbung an. Keine Antwort führt automatisch zu einer Absage: Jede Entscheidung trifft eine Person.',
};
