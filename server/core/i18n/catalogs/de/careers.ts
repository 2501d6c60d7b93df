import type { Shape } from '../../catalog-shape.js';
import type { careers as source } from '../en/careers.js';

export const careers: Shape<typeof source> = {
  title: 'Stellen bei {org}',
  description: 'Offene Stellen bei {org}',
  count: '{count, plural, one {# offene Stelle} other {# offene Stellen}}',
  countMatching: '{count, plural, one {# offene Stelle passt zu Ihrer Suche} other {# offene Stellen passen zu Ihrer Suche}}',
  search: 'Suchbegriff',
  location: 'Ort',
  anywhere: 'Überall',
  workplace: 'Arbeitsort',
  anyWorkplace: 'Beliebiger Arbeitsort',
  remoteOnly: 'Nur Homeoffice',
  onsiteOrHybrid: 'Vor Ort oder hybrid',
  searchButton: 'Suchen',
  noneOpen: '{org} hat zurzeit keine offenen Stellen. Bitte schauen Sie später wieder vorbei.',
  noneOpenWebsite: '{org} hat zurzeit keine offenen Stellen. Bitte schauen Sie später wieder vorbei oder besuchen Sie die Website:',
  website: 'Website von {org}',
  noSuchPage: 'Diese Seite gibt es nicht.',
  noMatch: 'Keine offene Stelle passt zu Ihrer Suche.',
  showAll: 'Alle Stellen anzeigen',
  pages: 'Seiten',
  previous: 'Zurück',
  next: 'Weiter',
  pageOf: 'Seite {page} von {pages}',
  embedEmpty: 'Zurzeit keine offenen Stellen.',
};
