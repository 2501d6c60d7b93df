import type { Shape } from '../../catalog-shape.js';
import type { common as source } from '../en/common.js';

export const common: Shape<typeof source> = {
  language: 'Langue',
  languageSwitcher: 'Choisir une langue',
  timeZoneNote: 'Les heures sont indiquées dans le fuseau {timeZone}.',
  poweredBy: 'Recrutement avec hirebox',
};
