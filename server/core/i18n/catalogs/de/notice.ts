import type { Shape } from '../../catalog-shape.js';
import type { notice as source } from '../en/notice.js';

export const notice: Shape<typeof source> = {
  applyProcesses: '{org} verarbeitet die Angaben, die Sie senden (Ihre Daten und Ihren Lebenslauf), um Sie für diese Stelle zu berücksichtigen. hirebox speichert sie im Auftrag von {org}.',
  applyAi: 'Ein KI-System unterstützt die Vorauswahl: Es vergleicht Ihren Lebenslauf mit den Kriterien der Stelle und zeigt die Belege, auf die es sich stützt. Es entscheidet nie; eine Person prüft jede Bewerbung und trifft jede Entscheidung.',
  applyHumanChoice: 'Sie können unten wählen, dass eine Person Ihre Bewerbung ganz ohne KI-Vorauswahl prüft: Ihr Lebenslauf wird dann nie an ein KI-Modell gesendet, und die Wahl hat keinen Einfluss darauf, wie Ihre Bewerbung bewertet wird.',
  applyRetention: 'Wir bewahren Bewerbungsdaten nach einer endgültigen Entscheidung {days, plural, one {# Tag} other {# Tage}} lang auf und löschen sie dann. Sie können schon vorher eine Kopie, eine Berichtigung oder die Löschung verlangen.',
  applyContact: 'Datenschutzkontakt von {org}: {contact}.',
  applyDemographics: 'Die demografischen Fragen sind freiwillig. Die Antworten werden verschlüsselt und getrennt gespeichert, nie den Personen gezeigt, die Ihre Bewerbung prüfen, und nie an ein KI-Modell gesendet; sie werden nur zusammengefasst genutzt, um die Fairness des Verfahrens zu prüfen.',
  contactNone: 'die Organisation, die diese Stelle ausgeschrieben hat',
  contactEmail: 'E-Mail an {email}',
  contactUrl: 'besuchen Sie {url}',
  contactBoth: 'E-Mail an {email} oder besuchen Sie {url}',
  interviewRetention: 'Transkript und Aufnahme werden nach der endgültigen Entscheidung höchstens {days, plural, one {# Tag} other {# Tage}} lang aufbewahrt und dann gelöscht. Sie können {org} jederzeit um eine Kopie oder um die Löschung bitten.',
  interviewContact: 'Fragen und Anliegen zum Datenschutz: {contact}.',
  mailRetention: '{org} bewahrt Ihre Bewerbungsdaten nach einer endgültigen Entscheidung {days, plural, one {# Tag} other {# Tage}} lang auf und löscht sie dann.',
  mailContact: 'Fragen zum Datenschutz, eine Kopie Ihrer Daten, eine Prüfung ohne KI oder die Löschung: {contact}. (Antworten an diese Adresse werden nicht gelesen.)',
};
