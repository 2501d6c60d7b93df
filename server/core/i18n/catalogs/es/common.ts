import type { Shape } from '../../catalog-shape.js';
import type { common as source } from '../en/common.js';

export const common: Shape<typeof source> = {
  language: 'Idioma',
  languageSwitcher: 'Elegir un idioma',
  timeZoneNote: 'Las horas se muestran en la zona horaria {timeZone}.',
  poweredBy: 'Selección de personal con hirebox',
};
