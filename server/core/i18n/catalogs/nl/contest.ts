import type { Shape } from '../../catalog-shape.js';
import type { contest as source } from '../en/contest.js';

export const contest: Shape<typeof source> = {
  title: 'Beoordeling door een mens aanvragen',
  used: 'We hebben uw verzoek om beoordeling van uw sollicitatie voor {job} al ontvangen. {org} zal u antwoorden.',
  expired: 'Deze link is verlopen. Neem rechtstreeks contact op met {org} om een beoordeling van uw sollicitatie voor {job} aan te vragen.',
  heading: 'Beoordeling door een mens aanvragen van uw sollicitatie voor {job} bij {org}',
  intro: 'Een AI-systeem heeft geholpen uw sollicitatie te beoordelen: het stelde scores voor op de criteria van de vacature, met citaten uit uw cv. Een mens bij {org} heeft de beslissing genomen. Als u denkt dat de uitkomst niet klopt, vertel ons hieronder waarom. Een mens beoordeelt de uitkomst opnieuw en antwoordt u.',
  reasonLabel: 'Wat klopt er volgens u niet, en waarom? (maximaal {max} tekens)',
  submit: 'Mijn verzoek om beoordeling door een mens versturen',
  once: 'U kunt deze link één keer gebruiken. Wat u schrijft, wordt versleuteld opgeslagen en alleen voor deze beoordeling gebruikt.',
  receivedTitle: 'Verzoek ontvangen',
  receivedBody: 'Bedankt. Een mens bij {org} beoordeelt de uitkomst van uw sollicitatie opnieuw en antwoordt u.',
};
