// The page a candidate opens to ask for a human review of an AI-assisted outcome.
export const contest = {
  title: 'Ask for a human review',
  used: 'We have already received your request for a review of your application for {job}. {org} will reply to you.',
  expired: 'This link has expired. Please contact {org} directly to ask for a review of your application for {job}.',
  heading: 'Ask for a human review of your application for {job} at {org}',
  intro: "An AI system helped assess your application: it suggested scores against the job's criteria, with quotes from your CV. A person at {org} made the decision. If you think the outcome is wrong, tell us why below. A person will review the outcome and reply to you.",
  reasonLabel: 'What do you think is wrong, and why? (at most {max} characters)',
  submit: 'Send my request for a human review',
  once: 'You can use this link once. What you write is stored encrypted and only used for this review.',
  receivedTitle: 'Request received',
  receivedBody: 'Thank you. A person at {org} will review the outcome of your application and reply to you.',
};
