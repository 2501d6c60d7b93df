import type { Shape } from '../../catalog-shape.js';
import type { typed as source } from '../en/typed.js';

export const typed: Shape<typeof source> = {
  heading: 'Getypt gesprek voor {job}',
  finish: 'Het gesprek afronden en mijn antwoorden versturen',
  allAnswered: 'U hebt {total, plural, one {de # vraag} other {alle # vragen}} beantwoord.',
  progress: 'Vraag {number} van {total}. Neem de tijd die u nodig hebt; alleen de inhoud van uw antwoorden wordt beoordeeld.',
  send: 'Dit antwoord versturen',
  errorNotTyped: 'Deze uitnodiging is geen getypt gesprek; kies eerst de getypte vorm op de uitnodigingspagina.',
  errorFinished: 'Dit getypte gesprek is al afgerond.',
  errorEmpty: 'Typ een antwoord (of rond het gesprek af).',
  errorAlreadyAnswered: 'Deze vraag is al beantwoord; laad de pagina opnieuw voor de volgende.',
};
