import type { Shape } from '../../catalog-shape.js';
import type { typed as source } from '../en/typed.js';

export const typed: Shape<typeof source> = {
  heading: 'Schriftliches Interview für {job}',
  finish: 'Interview beenden und meine Antworten senden',
  allAnswered: 'Sie haben {total, plural, one {die # Frage} other {alle # Fragen}} beantwortet.',
  progress: 'Frage {number} von {total}. Nehmen Sie sich die Zeit, die Sie brauchen; bewertet wird nur der Inhalt Ihrer Antworten.',
  send: 'Antwort senden',
  errorNotTyped: 'Diese Einladung ist kein schriftliches Interview; wählen Sie zuerst auf der Einladungsseite die schriftliche Form.',
  errorFinished: 'Dieses schriftliche Interview ist bereits beendet.',
  errorEmpty: 'Bitte schreiben Sie eine Antwort (oder beenden Sie das Interview).',
  errorAlreadyAnswered: 'Diese Frage ist bereits beantwortet; laden Sie die Seite für die nächste neu.',
};
