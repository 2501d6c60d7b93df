import type { Shape } from '../../catalog-shape.js';
import type { questions as source } from '../en/questions.js';

export const questions: Shape<typeof source> = {
  legend: 'Questions de l’employeur',
  optional: '{label} (facultatif)',
  yes: 'Oui',
  no: 'Non',
  knockoutNote: 'Certaines réponses font qu’une personne examine d’abord votre candidature. Aucune réponse n’entraîne un refus automatique : chaque décision est prise par une personne.',
};
