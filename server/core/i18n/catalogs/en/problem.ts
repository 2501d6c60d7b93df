// Problem details (RFC 9457 `detail`) a candidate-facing endpoint answers with when the
// error carries no message of its own: one per kind of failure.
export const problem = {
  badRequest: 'The request could not be processed.',
  validation: 'Some of the information sent is missing or not in the expected form.',
  unauthorized: 'This link or session is no longer valid. Ask for a new link.',
  forbidden: 'This action is not allowed here.',
  notFound: 'This page or link does not exist, or it has expired.',
  conflict: 'This was already done, or something changed in the meantime. Reload the page and try again.',
  gone: 'This link has expired.',
  tooLarge: 'What you sent is larger than allowed.',
  unsupportedMediaType: 'This kind of content is not accepted here.',
  unprocessable: 'The information sent cannot be accepted as it is.',
  tooManyRequests: 'Too many attempts. Please wait {minutes, plural, one {# minute} other {# minutes}} and try again.',
  unavailable: 'The service is briefly unavailable. Please try again in a few minutes.',
  internal: 'Something went wrong on our side. Please try again later.',
};
