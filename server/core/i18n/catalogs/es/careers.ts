import type { Shape } from '../../catalog-shape.js';
import type { careers as source } from '../en/careers.js';

export const careers: Shape<typeof source> = {
  title: 'Empleo en {org}',
  description: 'Puestos vacantes en {org}',
  count: '{count, plural, one {# puesto vacante} other {# puestos vacantes}}',
  countMatching: '{count, plural, one {# puesto vacante coincide con su búsqueda} other {# puestos vacantes coinciden con su búsqueda}}',
  search: 'Buscar',
  location: 'Ubicación',
  anywhere: 'Cualquier lugar',
  workplace: 'Modalidad',
  anyWorkplace: 'Cualquier modalidad',
  remoteOnly: 'Solo en remoto',
  onsiteOrHybrid: 'Presencial o híbrido',
  searchButton: 'Buscar ofertas',
  noneOpen: '{org} no tiene puestos vacantes en este momento. Vuelva a consultar más adelante.',
  noneOpenWebsite: '{org} no tiene puestos vacantes en este momento. Vuelva a consultar más adelante o visite su sitio web:',
  website: 'sitio web de {org}',
  noSuchPage: 'Esta página no existe.',
  noMatch: 'Ningún puesto vacante coincide con su búsqueda.',
  showAll: 'Ver todas las ofertas',
  pages: 'Páginas',
  previous: 'Anterior',
  next: 'Siguiente',
  pageOf: 'Página {page} de {pages}',
  embedEmpty: 'No hay puestos vacantes en este momento.',
};
