import type { Shape } from '../../catalog-shape.js';
import type { common as source } from '../en/common.js';

export const common: Shape<typeof source> = {
  language: 'Sprache',
  languageSwitcher: 'Sprache wählen',
  timeZoneNote: 'Zeiten werden in der Zeitzone {timeZone} angezeigt.',
  poweredBy: 'Recruiting mit hirebox',
};
