// Every failure leaves as application/problem+json (RFC 9457). 5xx bodies say nothing
// internal; stacks appear only in development.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  BadRequestError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors.js';
import type { MessageKey } from '../core/i18n/catalog-shape.js';
import { translator } from '../core/i18n/translator.js';
import { DISPLAY_TEXT_MESSAGE, DISPLAY_TEXT_PATTERN } from '../core/schemas.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

interface ProblemPluginOptions {
  exposeStack: boolean;
}

export function toAppError(error: FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[] }): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    return new ValidationError(
      error.validation.map((v) => {
        const missing = v.params?.missingProperty;
        const path = `${error.validationContext ?? 'body'}${v.instancePath ?? ''}${typeof missing === 'string' ? `/${missing}` : ''}`;
        // The display-text pattern is unreadable; say what it means.
        const message = v.params?.pattern === DISPLAY_TEXT_PATTERN ? DISPLAY_TEXT_MESSAGE : (v.message ?? 'is invalid');
        return { path, message };
      }),
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new PayloadTooLargeError();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError({ detail: 'This endpoint does not accept that content type.' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BadRequestError({ detail: 'The JSON body is empty.' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new BadRequestError({ detail: 'The body is not valid JSON.' });
    default:
      break;
  }
  if (error.statusCode === 429) {
    return new TooManyRequestsError(Number((error as { retryAfter?: number }).retryAfter ?? 60));
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return new BadRequestError({ detail: 'The body is not valid JSON.' });
  if (error.statusCode === 413) return new PayloadTooLargeError();
  if (error.statusCode === 415) return new UnsupportedMediaTypeError({ detail: 'This endpoint does not accept that content type.' });
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(error.statusCode, 'Bad Request', { detail: 'The request could not be processed.' });
  }
  if (isConnectionFailure(error)) return new ServiceUnavailableError();
  return new InternalError();
}

function isConnectionFailure(error: { code?: string; message?: string }): boolean {
  return (
    // 53100 disk_full: the database cannot store the upload (issue 19 fault suite); the transaction rolled back, nothing was kept.
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '53100', '08000', '08003', '08006'].includes(error.code ?? '') ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|Connection terminated|timeout exceeded when trying to connect|is not queryable/.test(error.message ?? '')
  );
}

const GENERIC_DETAIL: Record<number, MessageKey> = {
  400: 'problem.badRequest',
  401: 'problem.unauthorized',
  403: 'problem.forbidden',
  404: 'problem.notFound',
  409: 'problem.conflict',
  410: 'problem.gone',
  413: 'problem.tooLarge',
  415: 'problem.unsupportedMediaType',
  422: 'problem.unprocessable',
  429: 'problem.tooManyRequests',
  503: 'problem.unavailable',
};

/**
 * `detail` in the candidate's language on a candidate path (issue 22): the error's own
 * message when it has one, else the message for its kind of failure. In English an error
 * without candidate wording keeps its own detail, as before localisation.
 */
export function localisedDetail(request: FastifyRequest, err: AppError): string | undefined {
  const locale = request.candidateLocale;
  if (!locale) return err.detail;
  const tr = translator(locale);
  if (err.i18n) return tr.t(err.i18n.key, err.i18n.values);
  if (locale === 'en' && err.detail) return err.detail;
  if (err.status === 400 && err instanceof ValidationError) return tr.t('problem.validation');
  const retryAfter = Number(err.extra.retryAfter ?? 60);
  return tr.t(GENERIC_DETAIL[err.status] ?? (err.status >= 500 ? 'problem.internal' : 'problem.badRequest'), { minutes: Math.max(1, Math.ceil(retryAfter / 60)) });
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: AppError, stack?: string): FastifyReply {
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  const detail = localisedDetail(request, err);
  if (request.candidateLocale) reply.header('content-language', request.candidateLocale);
  const body = {
    type: err.type,
    title: err.title,
    status: err.status,
    ...(detail ? { detail } : {}),
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...err.extra,
    ...(stack ? { stack } : {}),
  };
  return reply.code(err.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

/**
 * Fastify's `frameworkErrors`: errors raised by the router before any route or error handler
 * runs (a path parameter over maxParamLength, a malformed percent-encoding). Without this
 * they left as plain JSON echoing the whole path (found by the route fuzzer, issue 19).
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.info({ code: error.code }, 'request rejected');
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new AppError(414, 'URI Too Long', { detail: 'A path segment is longer than any identifier hirebox uses.' })
      : new BadRequestError({ detail: 'The URL is not valid.' });
  return sendProblem(reply, request, problem);
}

export const problemPlugin = fp<ProblemPluginOptions>(
  async (app: FastifyInstance, opts) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const appError = toAppError(error);
      if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ status: appError.status, code: error.code }, 'request rejected');
      return sendProblem(reply, request, appError, opts.exposeStack && appError.status >= 500 ? error.stack : undefined);
    });
    app.setNotFoundHandler((request, reply) => sendProblem(reply, request, new NotFoundError({ detail: `No route for ${request.method} ${request.url.split('?')[0]}.` })));
  },
  { name: 'hirebox-problem' },
);
