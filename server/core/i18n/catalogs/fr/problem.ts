import type { Shape } from '../../catalog-shape.js';
import type { problem as source } from '../en/problem.js';

export const problem: Shape<typeof source> = {
  badRequest: 'La demande n’a pas pu être traitée.',
  validation: 'Certaines informations envoyées manquent ou n’ont pas le format attendu.',
  unauthorized: 'Ce lien ou cette session n’est plus valide. Demandez un nouveau lien.',
  forbidden: 'Cette action n’est pas autorisée ici.',
  notFound: 'Cette page ou ce lien n’existe pas, ou a expiré.',
  conflict: 'C’est déjà fait, ou quelque chose a changé entre-temps. Rechargez la page et réessayez.',
  gone: 'Ce lien a expiré.',
  tooLarge: 'Ce que vous avez envoyé dépasse la taille autorisée.',
  unsupportedMediaType: 'Ce type de contenu n’est pas accepté ici.',
  unprocessable: 'Les informations envoyées ne peuvent pas être acceptées telles quelles.',
  tooManyRequests: 'Trop de tentatives. Veuillez attendre {minutes, plural, one {# minute} other {# minutes}} puis réessayer.',
  unavailable: 'Le service est momentanément indisponible. Veuillez réessayer dans quelques minutes.',
  internal: 'Un problème est survenu de notre côté. Veuillez réessayer plus tard.',
};
