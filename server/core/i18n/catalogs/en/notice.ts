// The candidate notices' wording that depends on org settings (server/modules/notices/text.ts).
export const notice = {
  applyProcesses: "{org} processes the information you submit (your details and CV) to consider you for this job. hirebox hosts it on {org}'s behalf.",
  applyAi: "An AI system assists with screening: it compares your CV with the job's criteria and shows the evidence it used. It never decides; a person reviews every application and makes every decision.",
  applyHumanChoice: 'You can choose below to have a person review your application without any AI screening: your CV is then never sent to an AI model, and the choice has no effect on how your application is assessed.',
  applyRetention: 'We keep application data for {days, plural, one {# day} other {# days}} after a final decision, then delete it. You may ask for a copy, a correction or deletion earlier.',
  applyContact: 'Privacy contact for {org}: {contact}.',
  applyDemographics: 'Demographic questions are voluntary. Answers are stored encrypted and separately, are never shown to the people screening you and are never sent to an AI model; they are used only in aggregate to check the fairness of the process.',
  contactNone: 'the organisation that posted this job',
  contactEmail: 'email {email}',
  contactUrl: 'visit {url}',
  contactBoth: 'email {email} or visit {url}',
  interviewRetention: 'the transcript and recording are kept for up to {days, plural, one {# day} other {# days}} after the final decision, then deleted. You can ask {org} for a copy or for deletion at any time.',
  interviewContact: 'privacy questions and requests: {contact}.',
  mailRetention: '{org} keeps your application data for {days, plural, one {# day} other {# days}} after a final decision, then deletes it.',
  mailContact: 'Privacy questions, a copy of your data, a review without AI, or deletion: {contact}. (Replies to this address are not read.)',
};
