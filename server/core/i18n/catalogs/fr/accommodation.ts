import type { Shape } from '../../catalog-shape.js';
import type { accommodation as source } from '../en/accommodation.js';

export const accommodation: Shape<typeof source> = {
  heading: 'Besoin d’un aménagement ?',
  legend: 'Qu’est-ce qui vous aiderait ?',
  moreTime: 'Plus de temps pour l’entretien',
  typedMode: 'Écrire mes réponses au lieu de parler',
  humanInterviewer: 'Un entretien avec une personne',
  noteLabel: 'Ce que l’équipe de recrutement devrait savoir (facultatif ; vous n’avez pas à donner de raison)',
  send: 'Envoyer ma demande',
  receivedTitle: 'Demande reçue',
  granted: 'Le mode écrit vous est ouvert : revenez à l’invitation et choisissez d’écrire vos réponses.',
  due: 'Merci. L’équipe de recrutement répondra d’ici le {due, date, full} à {due, time, short}.',
  back: 'Retour à l’invitation',
  errorOver: 'Cet entretien est terminé ; contactez directement l’équipe de recrutement.',
  errorAlreadyAsked: 'Vous l’avez déjà demandé ; l’équipe de recrutement vous répondra.',
};
