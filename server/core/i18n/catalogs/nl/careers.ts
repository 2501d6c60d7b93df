import type { Shape } from '../../catalog-shape.js';
import type { careers as source } from '../en/careers.js';

export const careers: Shape<typeof source> = {
  title: 'Vacatures bij {org}',
  description: 'Openstaande vacatures bij {org}',
  count: '{count, plural, one {# openstaande vacature} other {# openstaande vacatures}}',
  countMatching: '{count, plural, one {# openstaande vacature past bij uw zoekopdracht} other {# openstaande vacatures passen bij uw zoekopdracht}}',
  search: 'Zoekterm',
  location: 'Locatie',
  anywhere: 'Overal',
  workplace: 'Werkplek',
  anyWorkplace: 'Elke werkplek',
  remoteOnly: 'Alleen op afstand',
  onsiteOrHybrid: 'Op locatie of hybride',
  searchButton: 'Zoeken',
  noneOpen: '{org} heeft op dit moment geen openstaande vacatures. Kijk later nog eens.',
  noneOpenWebsite: '{org} heeft op dit moment geen openstaande vacatures. Kijk later nog eens, of bezoek de website:',
  website: 'website van {org}',
  noSuchPage: 'Deze pagina bestaat niet.',
  noMatch: 'Geen openstaande vacatures passen bij uw zoekopdracht.',
  showAll: 'Alle vacatures tonen',
  pages: 'Pagina’s',
  previous: 'Vorige',
  next: 'Volgende',
  pageOf: 'Pagina {page} van {pages}',
  embedEmpty: 'Op dit moment geen openstaande vacatures.',
};
