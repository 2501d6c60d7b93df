import type { Shape } from '../../catalog-shape.js';
import type { notice as source } from '../en/notice.js';

export const notice: Shape<typeof source> = {
  applyProcesses: '{org} verwerkt de gegevens die u verstuurt (uw gegevens en cv) om u voor deze functie in overweging te nemen. hirebox bewaart ze namens {org}.',
  applyAi: 'Een AI-systeem helpt bij de voorselectie: het vergelijkt uw cv met de criteria van de functie en toont het bewijs waarop het zich baseert. Het beslist nooit; een mens beoordeelt elke sollicitatie en neemt elk besluit.',
  applyHumanChoice: 'Hieronder kunt u kiezen dat een mens uw sollicitatie beoordeelt zonder enige AI-voorselectie: uw cv wordt dan nooit naar een AI-model gestuurd, en de keuze heeft geen invloed op hoe uw sollicitatie wordt beoordeeld.',
  applyRetention: 'We bewaren sollicitatiegegevens {days, plural, one {# dag} other {# dagen}} na een definitief besluit en verwijderen ze daarna. U kunt eerder om een kopie, een correctie of verwijdering vragen.',
  applyContact: 'Privacycontact van {org}: {contact}.',
  applyDemographics: 'De demografische vragen zijn vrijwillig. Antwoorden worden versleuteld en apart bewaard, nooit getoond aan wie uw sollicitatie beoordeelt en nooit naar een AI-model gestuurd; ze worden alleen samengevoegd gebruikt om de eerlijkheid van het proces te controleren.',
  contactNone: 'de organisatie die deze vacature heeft geplaatst',
  contactEmail: 'mail naar {email}',
  contactUrl: 'ga naar {url}',
  contactBoth: 'mail naar {email} of ga naar {url}',
  interviewRetention: 'het transcript en de opname worden maximaal {days, plural, one {# dag} other {# dagen}} na het definitieve besluit bewaard en daarna verwijderd. U kunt {org} op elk moment om een kopie of om verwijdering vragen.',
  interviewContact: 'privacyvragen en -verzoeken: {contact}.',
  mailRetention: '{org} bewaart uw sollicitatiegegevens {days, plural, one {# dag} other {# dagen}} na een definitief besluit en verwijdert ze daarna.',
  mailContact: 'Privacyvragen, een kopie van uw gegevens, een beoordeling zonder AI of verwijdering: {contact}. (Antwoorden op dit adres worden niet gelezen.)',
};
