import type { Shape } from '../../catalog-shape.js';
import type { questions as source } from '../en/questions.js';

export const questions: Shape<typeof source> = {
  legend: 'Vragen van de werkgever',
  optional: '{label} (optioneel)',
  yes: 'Ja',
  no: 'Nee',
  knockoutNote: 'Bij sommige antwoorden bekijkt eerst een mens uw sollicitatie. Geen enkel antwoord leidt automatisch tot een afwijzing: elke beslissing wordt door een mens genomen.',
};
