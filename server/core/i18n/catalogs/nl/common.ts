import type { Shape } from '../../catalog-shape.js';
import type { common as source } from '../en/common.js';

export const common: Shape<typeof source> = {
  language: 'Taal',
  languageSwitcher: 'Kies een taal',
  timeZoneNote: 'Tijden worden getoond in de tijdzone {timeZone}.',
  poweredBy: 'Werving met hirebox',
};
