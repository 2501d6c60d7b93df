import type { Shape } from '../../catalog-shape.js';
import type { careers as source } from '../en/careers.js';

export const careers: Shape<typeof source> = {
  title: 'Offres d’emploi de {org}',
  description: 'Postes ouverts chez {org}',
  count: '{count, plural, one {# poste ouvert} other {# postes ouverts}}',
  countMatching: '{count, plural, one {# poste ouvert correspond à votre recherche} other {# postes ouverts correspondent à votre recherche}}',
  search: 'Recherche',
  location: 'Lieu',
  anywhere: 'Partout',
  workplace: 'Mode de travail',
  anyWorkplace: 'Tous les modes de travail',
  remoteOnly: 'Télétravail uniquement',
  onsiteOrHybrid: 'Sur site ou hybride',
  searchButton: 'Rechercher',
  noneOpen: '{org} n’a aucun poste ouvert pour le moment. Revenez plus tard.',
  noneOpenWebsite: '{org} n’a aucun poste ouvert pour le moment. Revenez plus tard, ou consultez son site :',
  website: 'site de {org}',
  noSuchPage: 'Cette page n’existe pas.',
  noMatch: 'Aucun poste ouvert ne correspond à votre recherche.',
  showAll: 'Voir toutes les offres',
  pages: 'Pages de résultats',
  previous: 'Précédent',
  next: 'Suivant',
  pageOf: 'Page {page} sur {pages}',
  embedEmpty: 'Aucun poste ouvert pour le moment.',
};
