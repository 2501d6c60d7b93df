// Wording of the candidate status page and its mail that depends on data (stages, AI steps,
// interview states): each value maps to a catalog key, so nothing reaches a candidate in
// English when they read another language. The sentences themselves are in the catalogs
// (namespaces portal, interview, mail).
import type { MessageKey } from '../../core/i18n/catalog-shape.js';
import type { Translator } from '../../core/i18n/translator.js';
export { interviewModeLabel, interviewStatusLabel } from '../interviews/index.js';

const STAGES: Record<string, MessageKey> = {
  new: 'portal.stageNew',
  screening: 'portal.stageScreening',
  interview: 'portal.stageInterview',
  offer: 'portal.stageOffer',
  hired: 'portal.stageHired',
  rejected: 'portal.stageRejected',
  withdrawn: 'portal.stageWithdrawn',
};

const SCREENINGS: Record<string, MessageKey> = {
  pending: 'portal.screeningPending',
  waiting: 'portal.screeningWaiting',
  completed: 'portal.screeningCompleted',
  failed: 'portal.screeningFailed',
};


export const stageLabel = (tr: Translator, kind: string): string => tr.t(STAGES[kind] ?? 'portal.stageOther');
export const screeningLabel = (tr: Translator, status: string): string => tr.t(SCREENINGS[status] ?? 'portal.screeningPending');

/** A calendar day ('2026-12-07') as an instant that is that day in every zone within ±12 h. */
export const middayOf = (day: string): Date => new Date(`${day.slice(0, 10)}T12:00:00Z`);

export function linkMail(tr: Translator, p: { orgName: string; url: string; startUrl: string; expiresAt: Date; reason: 'apply' | 'request' }): { subject: string; text: string } {
  const intro = p.reason === 'apply' ? tr.t('mail.linkIntroApply', { org: p.orgName }) : tr.t('mail.linkIntroRequest', { org: p.orgName });
  return {
    subject: tr.t('mail.linkSubject', { org: p.orgName }),
    text: `${intro}

${p.url}

${tr.t('mail.linkExpires', { expires: p.expiresAt, startUrl: p.startUrl })} (${tr.timeZone})
${tr.t('mail.linkWhat')}

${tr.t('mail.linkIgnore')}
`,
  };
}
