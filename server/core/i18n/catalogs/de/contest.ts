import type { Shape } from '../../catalog-shape.js';
import type { contest as source } from '../en/contest.js';

export const contest: Shape<typeof source> = {
  title: 'Prüfung durch eine Person beantragen',
  used: 'Wir haben Ihren Antrag auf Prüfung Ihrer Bewerbung als {job} bereits erhalten. {org} wird Ihnen antworten.',
  expired: 'Dieser Link ist abgelaufen. Bitte wenden Sie sich direkt an {org}, um eine Prüfung Ihrer Bewerbung als {job} zu beantragen.',
  heading: 'Prüfung Ihrer Bewerbung als {job} bei {org} durch eine Person beantragen',
  intro: 'Ein KI-System hat bei der Bewertung Ihrer Bewerbung geholfen: Es hat Bewertungen zu den Kriterien der Stelle vorgeschlagen, mit Zitaten aus Ihrem Lebenslauf. Die Entscheidung hat eine Person bei {org} getroffen. Wenn Sie das Ergebnis für falsch halten, schreiben Sie uns unten, warum. Eine Person prüft das Ergebnis und antwortet Ihnen.',
  reasonLabel: 'Was ist Ihrer Meinung nach falsch, und warum? (höchstens {max} Zeichen)',
  submit: 'Antrag auf Prüfung durch eine Person senden',
  once: 'Sie können diesen Link einmal verwenden. Was Sie schreiben, wird verschlüsselt gespeichert und nur für diese Prüfung verwendet.',
  receivedTitle: 'Antrag eingegangen',
  receivedBody: 'Vielen Dank. Eine Person bei {org} prüft das Ergebnis Ihrer Bewerbung und antwortet Ihnen.',
};
