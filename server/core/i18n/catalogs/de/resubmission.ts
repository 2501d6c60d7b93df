import type { Shape } from '../../catalog-shape.js';
import type { resubmission as source } from '../en/resubmission.js';

export const resubmission: Shape<typeof source> = {
  mailSubject: 'Bitte bestätigen Sie den neuen Lebenslauf für Ihre Bewerbung bei {org}',
  mailIntro: 'Jemand hat mit dieser E-Mail-Adresse einen neuen Lebenslauf für Ihre Bewerbung als „{job}“ bei {org} gesendet.',
  mailConfirm: 'Wenn Sie das waren, öffnen Sie diesen Link und bestätigen Sie, um den Lebenslauf Ihrer Bewerbung zu ersetzen:',
  mailIgnore: 'Wenn Sie das nicht waren, ignorieren Sie diese Nachricht: An Ihrer Bewerbung ändert sich nichts, und die Datei wird am {date} gelöscht.',
  confirmTitle: 'Neuen Lebenslauf bestätigen',
  confirmIntro: 'Für Ihre Bewerbung als {job} bei {org} wurde mit Ihrer E-Mail-Adresse ein neuer Lebenslauf gesendet. Wenn Sie ihn gesendet haben, bestätigen Sie unten: Er ersetzt den Lebenslauf, den {org} prüft, und wird wie jeder neue Lebenslauf erneut bewertet.',
  confirmIgnore: 'Wenn Sie ihn nicht gesendet haben, schließen Sie diese Seite: An Ihrer Bewerbung ändert sich nichts, und die Datei wird am {date} gelöscht.',
  confirmButton: 'Ja, ich habe diesen Lebenslauf gesendet: für meine Bewerbung verwenden',
  confirmedTitle: 'Lebenslauf bestätigt',
  confirmedHeading: 'Vielen Dank',
  confirmedBody: 'Ihr neuer Lebenslauf ist jetzt Teil Ihrer Bewerbung als {job} bei {org}. Eine Person wird ihn prüfen.',
};
