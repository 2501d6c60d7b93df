import type { Shape } from '../../catalog-shape.js';
import type { contest as source } from '../en/contest.js';

export const contest: Shape<typeof source> = {
  title: 'Demander un examen par une personne',
  used: 'Nous avons déjà reçu votre demande d’examen de votre candidature au poste {job}. {org} vous répondra.',
  expired: 'Ce lien a expiré. Veuillez contacter directement {org} pour demander un examen de votre candidature au poste {job}.',
  heading: 'Demander un examen par une personne de votre candidature au poste {job} chez {org}',
  intro: 'Un système d’IA a aidé à évaluer votre candidature : il a proposé des notes au regard des critères du poste, avec des citations de votre CV. Une personne chez {org} a pris la décision. Si vous pensez que le résultat est erroné, expliquez-nous pourquoi ci-dessous. Une personne réexaminera le résultat et vous répondra.',
  reasonLabel: 'Qu’est-ce qui vous semble erroné, et pourquoi ? ({max} caractères maximum)',
  submit: 'Envoyer ma demande d’examen par une personne',
  once: 'Ce lien n’est utilisable qu’une fois. Ce que vous écrivez est chiffré et sert uniquement à cet examen.',
  receivedTitle: 'Demande reçue',
  receivedBody: 'Merci. Une personne chez {org} réexaminera le résultat de votre candidature et vous répondra.',
};
