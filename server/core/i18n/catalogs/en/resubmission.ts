// A re-submitted CV held until the candidate confirms it: the confirmation mail and pages.
export const resubmission = {
  mailSubject: 'Confirm the new CV for your application to {org}',
  mailIntro: 'Someone sent a new CV for your application "{job}" at {org}, using this email address.',
  mailConfirm: 'If it was you, open this link and confirm to replace the CV on your application:',
  mailIgnore: 'If it was not you, ignore this message: nothing changes on your application, and the file is deleted on {date}.',
  confirmTitle: 'Confirm your new CV',
  confirmIntro: 'A new CV was sent for your application for {job} at {org}, with your email address. If you sent it, confirm below: it replaces the CV {org} reviews, and it is assessed again like any new CV.',
  confirmIgnore: 'If you did not send it, close this page: nothing changes on your application, and the file is deleted on {date}.',
  confirmButton: 'Yes, I sent this CV: use it for my application',
  confirmedTitle: 'CV confirmed',
  confirmedHeading: 'Thank you',
  confirmedBody: 'Your new CV is now part of your application for {job} at {org}. A person will review it.',
};
