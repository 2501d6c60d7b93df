import type { Shape } from '../../catalog-shape.js';
import type { explanation as source } from '../en/explanation.js';

export const explanation: Shape<typeof source> = {
  title: 'Wie Ihre Bewerbung als „{job}“ bewertet wurde',
  noAi: 'Bei der Bewertung dieser Bewerbung wurde kein KI-System eingesetzt.',
  advisory: 'Ein KI-System hat die folgenden Bewertungen und die Empfehlung anhand Ihres Lebenslaufs vorgeschlagen. Sie sind nur Vorschläge: Eine Person hat sie geprüft und die Entscheidung getroffen. Sie können das Ergebnis anfechten und eine Prüfung durch eine Person verlangen.',
  simulated: 'Hinweis: Diese Bewertung stammt von einer SIMULIERTEN KI (einem Demo-Ersatz, der nach Stichwörtern sucht), nicht von einem Sprachmodell.',
  assessedHeading: 'Was bewertet wurde (KI-gestützt, {date})',
  assessedIntro: 'Ihr Lebenslauf wurde mit {count, plural, one {# Kriterium} other {# Kriterien}} der Stelle verglichen. Für jedes hat die KI eine Bewertung von 0 (kein Beleg) bis 4 (klar erfüllt) vergeben und die Stellen Ihres Lebenslaufs zitiert, auf die sie sich stützt.',
  required: '{name} (Pflicht)',
  score: 'Bewertung: {score} von {max} ({verdict, select, met {erfüllt} partly {teilweise erfüllt} not_met {nicht erfüllt} other {unklar}})',
  why: 'Begründung: {reasoning}',
  quote: 'Aus Ihrem Lebenslauf: „{quote}“',
  quoteNotFound: 'Aus Ihrem Lebenslauf: „{quote}“ (dieses Zitat wurde in Ihrem Lebenslauf nicht gefunden und daher geringer gewichtet)',
  recommendationHeading: 'Die Empfehlung der KI (nur ein Vorschlag)',
  recommendation: 'Die KI hat vorgeschlagen, die Bewerbung {rec, select, advance {weiterzuverfolgen} not_advance {nicht weiterzuverfolgen} other {von einer Person prüfen zu lassen}}. Dieser Vorschlag hat allein nichts entschieden.',
  decisionHeading: 'Die Entscheidung',
  decision: 'Entscheidung: {outcome, select, advance {weiter im Verfahren} reject {Absage} hire {Einstellung} hold {zurückgestellt} other {{outcome}}}, getroffen von {who} (einer Person) am {date}.',
  someone: 'einem Mitglied des Einstellungsteams',
  reason: 'Angegebener Grund: {reason}',
  followed: 'Die Entscheidung folgte der Empfehlung der KI.',
  notFollowed: 'Die Entscheidung folgte nicht der Empfehlung der KI.',
  noDecision: 'Es wurde noch keine Entscheidung getroffen.',
  disagreeHeading: 'Wenn Sie nicht einverstanden sind',
  disagree: 'Sie können dieses Ergebnis anfechten. Eine Person, die nicht an den Vorschlag der KI gebunden ist, prüft es und antwortet Ihnen.',
};
