import type { Shape } from '../../catalog-shape.js';
import type { demographics as source } from '../en/demographics.js';

export const demographics: Shape<typeof source> = {
  legend: 'Freiwillige demografische Fragen (optional, getrennt gespeichert)',
  intro: 'Sie können jede Frage unbeantwortet lassen oder „Ich möchte keine Angabe machen“ wählen. Die Personen, die Bewerbungen prüfen, sehen Ihre Antworten nie.',
  notAnswered: 'Keine Antwort',
  gender: 'Geschlecht',
  gender_female: 'Weiblich',
  gender_male: 'Männlich',
  gender_non_binary_other: 'Nichtbinär oder ein anderes Geschlecht',
  ethnicity: 'Herkunft / ethnische Zugehörigkeit',
  ethnicity_hispanic_latino: 'Hispanisch oder lateinamerikanisch',
  ethnicity_white: 'Weiß',
  ethnicity_black_african_american: 'Schwarz oder afroamerikanisch',
  ethnicity_native_hawaiian_pacific_islander: 'Indigen hawaiisch oder pazifische Inseln',
  ethnicity_asian: 'Asiatisch',
  ethnicity_native_american_alaska_native: 'Indigen amerikanisch oder indigen alaskisch',
  ethnicity_two_or_more: 'Zwei oder mehr Zugehörigkeiten',
  decline: 'Ich möchte keine Angabe machen',
};
