import type { Shape } from '../../catalog-shape.js';
import type { resubmission as source } from '../en/resubmission.js';

export const resubmission: Shape<typeof source> = {
  mailSubject: 'Confirmez le nouveau CV de votre candidature chez {org}',
  mailIntro: 'Quelqu’un a envoyé un nouveau CV pour votre candidature « {job} » chez {org}, avec cette adresse e-mail.',
  mailConfirm: 'Si c’était vous, ouvrez ce lien et confirmez pour remplacer le CV de votre candidature :',
  mailIgnore: 'Si ce n’était pas vous, ignorez ce message : rien ne change dans votre candidature, et le fichier sera supprimé le {date}.',
  confirmTitle: 'Confirmez votre nouveau CV',
  confirmIntro: 'Un nouveau CV a été envoyé pour votre candidature au poste {job} chez {org}, avec votre adresse e-mail. Si vous l’avez envoyé, confirmez ci-dessous : il remplace le CV que {org} examine et sera évalué à nouveau comme tout nouveau CV.',
  confirmIgnore: 'Si vous ne l’avez pas envoyé, fermez cette page : rien ne change dans votre candidature, et le fichier sera supprimé le {date}.',
  confirmButton: 'Oui, j’ai envoyé ce CV : utilisez-le pour ma candidature',
  confirmedTitle: 'CV confirmé',
  confirmedHeading: 'Merci',
  confirmedBody: 'Votre nouveau CV fait désormais partie de votre candidature au poste {job} chez {org}. Une personne va l’examiner.',
};
