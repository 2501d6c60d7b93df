// The typed interview chat (server/modules/interviews/typed-html.ts) and its errors.
export const typed = {
  heading: 'Typed interview for {job}',
  finish: 'Finish the interview and send my answers',
  allAnswered: 'You have answered all {total, plural, one {# question} other {# questions}}.',
  progress: 'Question {number} of {total}. Take the time you need; answers are assessed on their content only.',
  send: 'Send this answer',
  errorNotTyped: 'This invitation is not a typed interview; choose typed mode on the invitation page first.',
  errorFinished: 'This typed interview is already finished.',
  errorEmpty: 'Please type an answer (or finish the interview).',
  errorAlreadyAnswered: 'This question has already been answered; reload the page for the next one.',
};
