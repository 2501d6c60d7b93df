import type { Shape } from '../../catalog-shape.js';
import type { explanation as source } from '../en/explanation.js';

export const explanation: Shape<typeof source> = {
  title: 'Hoe uw sollicitatie voor ‘{job}’ is beoordeeld',
  noAi: 'Bij de beoordeling van deze sollicitatie is geen AI-systeem gebruikt.',
  advisory: 'Een AI-systeem heeft de onderstaande scores en aanbeveling voorgesteld op basis van uw cv. Ze zijn alleen een advies: een mens heeft ze bekeken en de beslissing genomen. U kunt bezwaar maken tegen de uitkomst en om beoordeling door een mens vragen.',
  simulated: 'Let op: deze beoordeling komt van een GESIMULEERDE AI (een demovervanger die op trefwoorden zoekt), niet van een taalmodel.',
  assessedHeading: 'Wat is beoordeeld (met hulp van AI, {date})',
  assessedIntro: 'Uw cv is vergeleken met {count, plural, one {# criterium} other {# criteria}} van de vacature. Voor elk criterium gaf de AI een score van 0 (geen onderbouwing) tot 4 (duidelijk voldaan) en citeerde ze de delen van uw cv waarop ze zich baseerde.',
  required: '{name} (verplicht)',
  score: 'Score: {score} van {max} ({verdict, select, met {voldaan} partly {deels voldaan} not_met {niet voldaan} other {onbekend}})',
  why: 'Waarom: {reasoning}',
  quote: 'Uit uw cv: ‘{quote}’',
  quoteNotFound: 'Uit uw cv: ‘{quote}’ (dit citaat is niet in uw cv gevonden en telde daarom minder zwaar)',
  recommendationHeading: 'De aanbeveling van de AI (alleen een advies)',
  recommendation: 'De AI stelde voor de sollicitatie {rec, select, advance {door te laten gaan} not_advance {niet door te laten gaan} other {door een mens te laten beoordelen}}. Dit voorstel heeft op zichzelf niets beslist.',
  decisionHeading: 'De beslissing',
  decision: 'Beslissing: {outcome, select, advance {door naar de volgende stap} reject {afwijzing} hire {aanname} hold {aangehouden} other {{outcome}}}, genomen door {who} (een mens) op {date}.',
  someone: 'een lid van het wervingsteam',
  reason: 'Opgegeven reden: {reason}',
  followed: 'De beslissing volgde de aanbeveling van de AI.',
  notFollowed: 'De beslissing volgde de aanbeveling van de AI niet.',
  noDecision: 'Er is nog geen beslissing genomen.',
  disagreeHeading: 'Als u het er niet mee eens bent',
  disagree: 'U kunt bezwaar maken tegen deze uitkomst. Een mens die niet gebonden is aan het voorstel van de AI beoordeelt haar opnieuw en antwoordt u.',
};
