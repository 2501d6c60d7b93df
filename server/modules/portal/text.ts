// Every English string of the candidate status page and its mail, in one place, so the
// i18n pass (issue 22 item 1) can lift them into message catalogs without hunting.

export const T = {
  startTitle: 'Your applications',
  startIntro: (org: string) => `Enter the e-mail address you applied to ${org} with. We send a sign-in link to it if it belongs to an application; the link works once and expires soon.`,
  emailLabel: 'E-mail address',
  sendLink: 'Send me a sign-in link',
  sentTitle: 'Check your e-mail',
  sent: 'If this address belongs to an application, a sign-in link is on its way. It works once and expires in 30 minutes.',
  enterTitle: 'Sign in to your status page',
  enterIntro: (org: string) => `Continue to see the status of your applications at ${org}. This link works once.`,
  enterButton: 'Continue to my status page',
  statusTitle: (org: string) => `Your applications at ${org}`,
  signedInNote: 'You are signed in for 30 minutes on this device.',
  signOut: 'Sign out',
  applied: (day: string) => `Applied on ${day}`,
  stage: 'Stage',
  aiHeading: 'What AI did',
  noticesHeading: 'Notices you accepted',
  noNotices: 'No notice recorded.',
  aiFreeRoute: 'You chose the AI-free route: a person reviews your application without AI screening.',
  aiScreened: (status: string) => `AI-assisted screening: ${status}. A person makes every decision.`,
  aiNotScreened: 'No AI screening has run on this application.',
  interview: (mode: string, status: string) => `Interview (${mode}): ${status}`,
  interviewAt: (when: string) => `Booked for ${when} (UTC)`,
  noInterview: 'No interview so far.',
  applyNotice: (version: string, day: string | null) => `Privacy notice ${version}${day ? `, accepted on ${day}` : ''}`,
  interviewNotice: (version: string, day: string | null) => `Interview notice ${version}${day ? `, accepted on ${day}` : ''}`,
  book: 'Book or reschedule the interview',
  withdraw: 'Withdraw this application',
  withdrawConfirm: 'I want to withdraw this application',
  closed: 'This application is closed.',
  yourDataHeading: 'Your data',
  download: 'Download my data (JSON)',
  humanReview: 'Ask for a person to review the automated steps',
  erasure: 'Ask for my data to be erased',
  requestsNote: 'Requests are entered in the organisation\'s privacy-request register and answered within one month.',
  withdrawnTitle: 'Application withdrawn',
  withdrawn: (job: string) => `Your application for ${job} is withdrawn. Any interview not yet held is cancelled.`,
  requestTitle: 'Request received',
  requestDone: (what: string, reference: string, due: string) => `Your ${what} request is registered as ${reference}. It is answered by ${due} at the latest.`,
  requestKinds: { human_review: 'human review', erasure: 'erasure' } as Record<'human_review' | 'erasure', string>,
  back: 'Back to my status page',
  errorTitle: 'This did not work',
  startAgain: 'Ask for a new sign-in link',
  signedOutTitle: 'Signed out',
  signedOut: 'You are signed out.',
  stageKinds: { new: 'Received', screening: 'Being reviewed', interview: 'Interview', offer: 'Offer', hired: 'Hired', rejected: 'Not selected', withdrawn: 'Withdrawn' } as Record<string, string>,
  screeningStatus: { pending: 'in progress', waiting: 'waiting', completed: 'done', failed: 'could not run; a person reviews instead' } as Record<string, string>,
  interviewStatus: {
    invited: 'invitation open',
    scheduled: 'booked',
    human_requested: 'you asked for a human interviewer',
    declined: 'declined',
    calling: 'calling',
    in_progress: 'in progress',
    ended: 'held',
    failed: 'could not be held',
    cancelled: 'cancelled',
  } as Record<string, string>,
  interviewModes: { phone: 'AI voice call by phone', browser: 'AI voice call in the browser' } as Record<string, string>,
};

export function linkMail(p: { orgName: string; url: string; startUrl: string; expiresAt: Date; reason: 'apply' | 'request' }): { subject: string; text: string } {
  const intro = p.reason === 'apply' ? `Thank you for applying to ${p.orgName}. You can follow your application on your status page:` : `Here is your sign-in link to your status page at ${p.orgName}:`;
  return {
    subject: `Your application status at ${p.orgName}`,
    text: `${intro}

${p.url}

The link works once and expires on ${p.expiresAt.toUTCString()}. You can ask for a new one at any time at ${p.startUrl}.
On the status page you see each application's stage and what AI did, book or move an interview, withdraw, download your data or ask for a human review or erasure.

If you did not ask for this, ignore this e-mail: nothing changes.
`,
  };
}
