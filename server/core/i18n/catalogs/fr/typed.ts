import type { Shape } from '../../catalog-shape.js';
import type { typed as source } from '../en/typed.js';

export const typed: Shape<typeof source> = {
  heading: 'Entretien écrit pour {job}',
  finish: 'Terminer l’entretien et envoyer mes réponses',
  allAnswered: 'Vous avez répondu {total, plural, one {à la # question} other {aux # questions}}.',
  progress: 'Question {number} sur {total}. Prenez le temps qu’il vous faut ; seul le contenu de vos réponses est évalué.',
  send: 'Envoyer cette réponse',
  errorNotTyped: 'Cette invitation n’est pas un entretien écrit ; choisissez d’abord le mode écrit sur la page d’invitation.',
  errorFinished: 'Cet entretien écrit est déjà terminé.',
  errorEmpty: 'Veuillez écrire une réponse (ou terminer l’entretien).',
  errorAlreadyAnswered: 'Il a déjà été répondu à cette question ; rechargez la page pour la suivante.',
};
