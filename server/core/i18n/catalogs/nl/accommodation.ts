import type { Shape } from '../../catalog-shape.js';
import type { accommodation as source } from '../en/accommodation.js';

export const accommodation: Shape<typeof source> = {
  heading: 'Hebt u een aanpassing nodig?',
  legend: 'Wat zou u helpen?',
  moreTime: 'Meer tijd voor het gesprek',
  typedMode: 'Mijn antwoorden typen in plaats van spreken',
  humanInterviewer: 'Een gesprek met een persoon',
  noteLabel: 'Wat het wervingsteam zou moeten weten (optioneel; u hoeft geen reden te geven)',
  send: 'Mijn verzoek versturen',
  receivedTitle: 'Verzoek ontvangen',
  granted: 'De getypte vorm staat voor u open: ga terug naar de uitnodiging en kies ervoor uw antwoorden te typen.',
  due: 'Dank u. Het wervingsteam antwoordt uiterlijk op {due, date, full} om {due, time, short}.',
  back: 'Terug naar de uitnodiging',
  errorOver: 'Dit gesprek is voorbij; neem rechtstreeks contact op met het wervingsteam.',
  errorAlreadyAsked: 'Daar hebt u al om gevraagd; het wervingsteam antwoordt u.',
};
