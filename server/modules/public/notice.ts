// The privacy notice shown before a candidate applies. Consent is recorded with the
// version; change the version whenever the text changes.
export const PRIVACY_NOTICE_VERSION = '2026-11-01';

export function privacyNoticeParagraphs(orgName: string): string[] {
  return [
    `${orgName} processes the information you submit (your details and CV) to consider you for this job. hirebox hosts it on ${orgName}'s behalf.`,
    'An AI system assists with screening: it compares your CV with the job\'s criteria and shows the evidence it used. It never decides; a person reviews every application and makes every decision.',
    'You may ask for a human-only review (no AI assistance) at any time by replying to any message from us or writing to the contact below.',
    'We keep application data for 180 days after a final decision, then delete it. You may ask for a copy or for deletion earlier.',
    'Demographic questions are voluntary. Answers are stored encrypted and separately, are never shown to the people screening you and are never sent to an AI model; they are used only in aggregate to check the fairness of the process.',
  ];
}
