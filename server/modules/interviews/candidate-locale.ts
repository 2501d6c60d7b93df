// The candidate's language and zone for interview pages and mails (issue 22 item 1): the
// locale they applied in (else the job's language, else English) and the zone they chose
// for the interview (else the one their application recorded, else UTC).
import type { MessageKey } from '../../core/i18n/catalog-shape.js';
import { pickLocale, validTimeZone } from '../../core/i18n/locales.js';
import { translator, type Translator } from '../../core/i18n/translator.js';

export interface CandidateLanguage {
  locale: string | null;
  timeZone: string | null;
}

/** The zone the candidate reads times in: the interview's chosen one, else the application's. */
export function candidateZone(lang: CandidateLanguage, interviewZone: string | null | undefined): string | null {
  return validTimeZone(interviewZone) ?? validTimeZone(lang.timeZone);
}

/** The translator for a mail (no request: no ?lang or cookie to consult). */
export function mailTranslator(lang: CandidateLanguage, interviewZone: string | null | undefined): Translator {
  return translator(pickLocale({ content: lang.locale }), candidateZone(lang, interviewZone));
}

/**
 * "Monday, 7 December 2026 at 10:00 (Europe/Berlin) = Monday, 7 December 2026 at 09:00 (UTC)"
 * in the translator's locale: the candidate's zone, and UTC beside it as before localisation.
 */
export function zonedWhen(tr: Translator, at: Date): string {
  const local = `${tr.dateTime(at)} (${tr.timeZone})`;
  return tr.timeZone === 'UTC' ? local : `${local} = ${translator(tr.locale, 'UTC').dateTime(at)} (UTC)`;
}

const INTERVIEW_STATUSES: Record<string, MessageKey> = {
  invited: 'interview.statusInvited',
  scheduled: 'interview.statusScheduled',
  human_requested: 'interview.statusHumanRequested',
  declined: 'interview.statusDeclined',
  calling: 'interview.statusCalling',
  in_progress: 'interview.statusInProgress',
  ended: 'interview.statusEnded',
  failed: 'interview.statusFailed',
  cancelled: 'interview.statusCancelled',
  unreachable: 'interview.statusUnreachable',
};

const MODES: Record<string, MessageKey> = { phone: 'interview.modePhone', browser: 'interview.modeBrowser', typed: 'interview.modeTyped' };

/** An interview's state and mode in the candidate's words (status page, invitation page). */
export const interviewStatusLabel = (tr: Translator, status: string): string => tr.t(INTERVIEW_STATUSES[status] ?? 'interview.statusOther');
export const interviewModeLabel = (tr: Translator, mode: string): string => tr.t(MODES[mode] ?? 'interview.modePhone');
