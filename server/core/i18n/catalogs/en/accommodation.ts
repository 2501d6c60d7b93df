// The accommodation form on the invite page and its confirmation (interviews/typed-html.ts).
export const accommodation = {
  heading: 'Need an adjustment?',
  legend: 'What would help you?',
  moreTime: 'More time for the interview',
  typedMode: 'Typing my answers instead of speaking',
  humanInterviewer: 'A human interviewer',
  noteLabel: 'Anything the hiring team should know (optional; you do not need to give a reason)',
  send: 'Send my request',
  receivedTitle: 'Request received',
  granted: 'Typed mode is available to you: go back to the invitation and choose to type your answers.',
  due: 'Thank you. The hiring team will answer by {due, date, full}, {due, time, short}.',
  back: 'Back to the invitation',
  errorOver: 'This interview is over; contact the hiring team directly.',
  errorAlreadyAsked: 'You have already asked for this; the hiring team will answer.',
};
