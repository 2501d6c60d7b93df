// The chrome around the employer's own application questions (their wording stays as written).
export const questions = {
  legend: 'Questions from the employer',
  optional: '{label} (optional)',
  yes: 'Yes',
  no: 'No',
  knockoutNote: 'Some answers mean a person looks at your application first. No answer rejects an application automatically: a person makes every decision.',
};
