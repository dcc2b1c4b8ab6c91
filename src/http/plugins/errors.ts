import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, VarcoError, isVarcoError, type ErrorCode } from '../../kernel/errors.ts';
import { page } from '../../views/layout.ts';
import { html } from '../../views/html.ts';
import { pickLocale, translate } from '../../views/i18n.ts';

// One handler for every failure. /api answers {"error":{code,message,requestId}}; every other
// surface gets a friendly HTML page. Stack traces go to the log, never to the client.

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_VALIDATION: 'validation_failed',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

export function toVarcoError(error: FastifyError | Error): VarcoError {
  if (isVarcoError(error)) return error;
  const fe = error as FastifyError;
  if (fe.validation) {
    return new VarcoError('validation_failed', fe.message, { details: { issues: fe.validation.map((v) => ({ path: v.instancePath, message: v.message ?? '' })) } });
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new VarcoError(mapped, fe.message);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c].status === fe.statusCode) ?? 'bad_request';
    return new VarcoError(code, fe.message);
  }
  return new VarcoError('internal_error', 'An unexpected error occurred; it has been logged.', { cause: error });
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: VarcoError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  reply.code(error.status);
  if (isApiRequest(request) || request.url === '/readyz' || request.url === '/healthz') {
    const body: Record<string, unknown> = { code: error.code, message: error.message, requestId: request.id };
    if (error.details && error.code === 'validation_failed') body.details = error.details;
    return reply.type('application/json; charset=utf-8').send({ error: body });
  }
  const locale = pickLocale((request.query as Record<string, string> | undefined)?.lang, request.headers['accept-language']);
  const message = error.status === 404 ? translate(locale, 'error.notFound')
    : error.code === 'csrf_invalid' ? translate(locale, 'csrf.invalid')
    : error.status >= 500 ? translate(locale, 'error.generic') : error.message;
  const body = html`<p class="error">${message}</p>
<p>${translate(locale, 'error.reference')}: <code>${error.code}</code> · <code>${request.id}</code></p>
<p><a href="/">${translate(locale, 'error.back')}</a></p>`;
  return reply.type('text/html; charset=utf-8').send(page({ locale, title: translate(locale, 'error.title'), body }));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const varcoError = toVarcoError(error);
    if (varcoError.status >= 500) request.log.error({ err: error, code: varcoError.code }, 'request failed');
    else request.log.info({ code: varcoError.code, status: varcoError.status }, 'request refused');
    return sendError(request, reply, varcoError);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new VarcoError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)));
}
