import type { Shape } from '../../catalog-shape.js';
import type { problem as source } from '../en/problem.js';

export const problem: Shape<typeof source> = {
  badRequest: 'Het verzoek kon niet worden verwerkt.',
  validation: 'Sommige gegevens ontbreken of hebben niet de verwachte vorm.',
  unauthorized: 'Deze link of sessie is niet meer geldig. Vraag een nieuwe link aan.',
  forbidden: 'Deze actie is hier niet toegestaan.',
  notFound: 'Deze pagina of link bestaat niet of is verlopen.',
  conflict: 'Dit is al gedaan, of er is intussen iets veranderd. Laad de pagina opnieuw en probeer het nog eens.',
  gone: 'Deze link is verlopen.',
  tooLarge: 'Wat u hebt verstuurd is groter dan toegestaan.',
  unsupportedMediaType: 'Dit soort inhoud wordt hier niet geaccepteerd.',
  unprocessable: 'De verstuurde gegevens kunnen zo niet worden geaccepteerd.',
  tooManyRequests: 'Te veel pogingen. Wacht {minutes, plural, one {# minuut} other {# minuten}} en probeer het opnieuw.',
  unavailable: 'De dienst is even niet beschikbaar. Probeer het over een paar minuten opnieuw.',
  internal: 'Er ging bij ons iets mis. Probeer het later opnieuw.',
};
