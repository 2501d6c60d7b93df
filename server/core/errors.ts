// One error hierarchy. Every failure the API reports is one of these, rendered as
// RFC 9457 problem+json by the problem plugin.
import type { MessageKey } from './i18n/catalog-shape.js';
import type { MessageValues } from './i18n/translator.js';

export interface ProblemOptions {
  detail?: string;
  /** Extra members for the problem document (must be safe to show to the caller). */
  extra?: Record<string, unknown>;
  cause?: unknown;
  /**
   * The candidate-facing wording of `detail` (issue 22): on a candidate path the problem
   * plugin answers with this message in the candidate's language instead.
   */
  i18n?: { key: MessageKey; values?: MessageValues };
}

export class AppError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly detail: string | undefined;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string> = {};
  readonly i18n: ProblemOptions['i18n'];

  constructor(status: number, title: string, options: ProblemOptions = {}) {
    super(options.detail ?? title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.title = title;
    this.type = `https://hirebox.dev/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`;
    this.detail = options.detail;
    this.extra = options.extra ?? {};
    this.i18n = options.i18n;
  }
}

export class BadRequestError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(400, 'Bad Request', options);
  }
}

export class ValidationError extends AppError {
  /** `i18n`: the candidate-facing wording (issue 22), for validations a candidate can fail. */
  constructor(errors: { path: string; message: string }[], detail = 'The request does not match the schema.', i18n?: ProblemOptions['i18n']) {
    super(400, 'Validation Failed', { detail, extra: { errors }, i18n });
  }
}

export class UnauthorizedError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(401, 'Unauthorized', { detail: 'Sign in to continue.', ...options });
  }
}

export class ForbiddenError extends AppError {
  constructor(options: ProblemOptions & { permission?: string } = {}) {
    super(403, 'Forbidden', {
      detail: options.detail ?? 'Your role does not allow this action.',
      extra: options.permission ? { permission: options.permission, ...options.extra } : options.extra,
      i18n: options.i18n,
    });
  }
}

export class NotFoundError extends AppError {
  constructor(options: ProblemOptions & { resource?: string } = {}) {
    super(404, 'Not Found', { detail: options.detail ?? `${options.resource ?? 'Resource'} not found.`, extra: options.extra, i18n: options.i18n });
  }
}

export class ConflictError extends AppError {
  /** `title` gives the conflict its own problem type, for conflicts a client must tell apart. */
  constructor(options: ProblemOptions & { title?: string } = {}) {
    super(409, options.title ?? 'Conflict', options);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(413, 'Payload Too Large', { detail: 'The request body is larger than allowed.', ...options });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(415, 'Unsupported Media Type', options);
  }
}

export class UnprocessableError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(422, 'Unprocessable Content', options);
  }
}

/** A link or resource that existed but is no longer usable (expired, used, erased). */
export class GoneError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(410, 'Gone', options);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(retryAfterSeconds: number, options: ProblemOptions = {}) {
    super(429, 'Too Many Requests', {
      detail: `Too many requests; try again in ${retryAfterSeconds} seconds.`,
      ...options,
      extra: { retryAfter: retryAfterSeconds, ...options.extra },
    });
    this.headers['retry-after'] = String(retryAfterSeconds);
  }
}

/** An upstream service (e.g. the language model) answered, but with something unusable. */
export class BadGatewayError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(502, 'Bad Gateway', { detail: 'An upstream service gave an unusable answer.', ...options });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(503, 'Service Unavailable', { detail: 'A backing service is unavailable; try again shortly.', ...options });
  }
}

export class InternalError extends AppError {
  constructor(options: ProblemOptions = {}) {
    super(500, 'Internal Server Error', { detail: 'Something went wrong on our side.', ...options });
  }
}
