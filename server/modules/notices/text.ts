// The words of every candidate notice that state facts about the org: who to contact,
// how long data is kept, and the choice of a review without AI. Pure functions of the
// org's live settings; the notice version (service.ts) is the SHA-256 of their output, so
// changing a setting or the wording makes a new version.
import { createHash } from 'node:crypto';

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

export function contactText(c: PrivacyContact | null): string {
  if (!c || (!c.email && !c.url)) return 'the organisation that posted this job';
  return [c.email ? `email ${c.email}` : null, c.url ? `visit ${c.url}` : null].filter(Boolean).join(' or ');
}

export function retentionText(days: number): string {
  return `${days} day${days === 1 ? '' : 's'}`;
}

export function applyNoticeParagraphs(f: NoticeFacts): string[] {
  return [
    `${f.orgName} processes the information you submit (your details and CV) to consider you for this job. hirebox hosts it on ${f.orgName}'s behalf.`,
    "An AI system assists with screening: it compares your CV with the job's criteria and shows the evidence it used. It never decides; a person reviews every application and makes every decision.",
    'You can choose below to have a person review your application without any AI screening: your CV is then never sent to an AI model, and the choice has no effect on how your application is assessed.',
    `We keep application data for ${retentionText(f.retentionDays)} after a final decision, then delete it. You may ask for a copy, a correction or deletion earlier.`,
    `Privacy contact for ${f.orgName}: ${contactText(f.contact)}.`,
    'Demographic questions are voluntary. Answers are stored encrypted and separately, are never shown to the people screening you and are never sent to an AI model; they are used only in aggregate to check the fairness of the process.',
  ];
}

/** The interview page's lines that depend on org settings. */
export function interviewNoticeLines(f: NoticeFacts): { retention: string; contact: string } {
  return {
    retention: `the transcript and recording are kept for up to ${retentionText(f.retentionDays)} after the final decision, then deleted. You can ask ${f.orgName} for a copy or for deletion at any time.`,
    contact: `privacy questions and requests: ${contactText(f.contact)}.`,
  };
}

/** Appended to every mail to a candidate (mail goes from a no-reply address). */
export function mailNoticeFooter(f: NoticeFacts): string {
  return [
    '--',
    `${f.orgName} keeps your application data for ${retentionText(f.retentionDays)} after a final decision, then deletes it.`,
    `Privacy questions, a copy of your data, a review without AI, or deletion: ${contactText(f.contact)}. (Replies to this address are not read.)`,
  ].join('\n');
}

/** The exact text the version hashes: the template versions and every settings-dependent line. */
export function noticeContent(f: NoticeFacts): string {
  const i = interviewNoticeLines(f);
  return [`apply:${PRIVACY_NOTICE_VERSION}`, ...applyNoticeParagraphs(f), `interview:${INTERVIEW_NOTICE_VERSION}`, i.retention, i.contact, 'mail:', mailNoticeFooter(f)].join('\n');
}

export function noticeHash(f: NoticeFacts): Buffer {
  return createHash('sha256').update(noticeContent(f), 'utf8').digest();
}
