// The words of every candidate notice that state facts about the org: who to contact,
// how long data is kept, and the choice of a review without AI, in the candidate's
// language (catalog namespace `notice`). Pure functions of the org's live settings; the
// notice version (service.ts) is the SHA-256 of their output in every shipped language,
// so changing a setting, the wording or a translation makes a new version.
import { createHash } from 'node:crypto';
import { LOCALES } from '../../core/i18n/locales.js';
import { translator, type Translator } from '../../core/i18n/translator.js';

/** Template versions: bump when the wording of a template changes. */
export const PRIVACY_NOTICE_VERSION = '2026-12-06';
export const INTERVIEW_NOTICE_VERSION = '2026-12-06';

export interface PrivacyContact {
  email: string | null;
  url: string | null;
}

export interface NoticeFacts {
  orgName: string;
  retentionDays: number;
  /** null until the org sets one (jobs cannot be published before). */
  contact: PrivacyContact | null;
}

export function contactText(c: PrivacyContact | null, tr: Translator = translator('en')): string {
  if (c?.email && c.url) return tr.t('notice.contactBoth', { email: c.email, url: c.url });
  if (c?.email) return tr.t('notice.contactEmail', { email: c.email });
  if (c?.url) return tr.t('notice.contactUrl', { url: c.url });
  return tr.t('notice.contactNone');
}

export function applyNoticeParagraphs(f: NoticeFacts, tr: Translator = translator('en')): string[] {
  return [
    tr.t('notice.applyProcesses', { org: f.orgName }),
    tr.t('notice.applyAi'),
    tr.t('notice.applyHumanChoice'),
    tr.t('notice.applyRetention', { days: f.retentionDays }),
    tr.t('notice.applyContact', { org: f.orgName, contact: contactText(f.contact, tr) }),
    tr.t('notice.applyDemographics'),
  ];
}

/** The interview page's lines that depend on org settings. */
export function interviewNoticeLines(f: NoticeFacts, tr: Translator = translator('en')): { retention: string; contact: string } {
  return {
    retention: tr.t('notice.interviewRetention', { days: f.retentionDays, org: f.orgName }),
    contact: tr.t('notice.interviewContact', { contact: contactText(f.contact, tr) }),
  };
}

/** Appended to every mail to a candidate (mail goes from a no-reply address), in the candidate's language. */
export function mailNoticeFooter(f: NoticeFacts, tr: Translator = translator('en')): string {
  return ['--', tr.t('notice.mailRetention', { org: f.orgName, days: f.retentionDays }), tr.t('notice.mailContact', { contact: contactText(f.contact, tr) })].join('\n');
}

/**
 * The exact text the version hashes: the template versions and every settings-dependent
 * line, in every shipped language, so a changed translation is a new version too.
 */
export function noticeContent(f: NoticeFacts): string {
  const parts = [`apply:${PRIVACY_NOTICE_VERSION}`, `interview:${INTERVIEW_NOTICE_VERSION}`];
  for (const locale of LOCALES) {
    const tr = translator(locale);
    const i = interviewNoticeLines(f, tr);
    parts.push(`locale:${locale}`, ...applyNoticeParagraphs(f, tr), i.retention, i.contact, 'mail:', mailNoticeFooter(f, tr));
  }
  return parts.join('\n');
}

export function noticeHash(f: NoticeFacts): Buffer {
  return createHash('sha256').update(noticeContent(f), 'utf8').digest();
}
