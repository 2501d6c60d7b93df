import type { Shape } from '../../catalog-shape.js';
import type { problem as source } from '../en/problem.js';

export const problem: Shape<typeof source> = {
  badRequest: 'Die Anfrage konnte nicht verarbeitet werden.',
  validation: 'Einige Angaben fehlen oder haben nicht das erwartete Format.',
  unauthorized: 'Dieser Link oder diese Sitzung ist nicht mehr gültig. Fordern Sie einen neuen Link an.',
  forbidden: 'Diese Aktion ist hier nicht erlaubt.',
  notFound: 'Diese Seite oder dieser Link existiert nicht oder ist abgelaufen.',
  conflict: 'Das wurde bereits erledigt, oder inzwischen hat sich etwas geändert. Laden Sie die Seite neu und versuchen Sie es noch einmal.',
  gone: 'Dieser Link ist abgelaufen.',
  tooLarge: 'Die gesendeten Daten sind größer als erlaubt.',
  unsupportedMediaType: 'Diese Art von Inhalt wird hier nicht angenommen.',
  unprocessable: 'Die gesendeten Angaben können so nicht angenommen werden.',
  tooManyRequests: 'Zu viele Versuche. Bitte warten Sie {minutes, plural, one {# Minute} other {# Minuten}} und versuchen Sie es dann erneut.',
  unavailable: 'Der Dienst ist kurz nicht erreichbar. Bitte versuchen Sie es in ein paar Minuten erneut.',
  internal: 'Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es später erneut.',
};
