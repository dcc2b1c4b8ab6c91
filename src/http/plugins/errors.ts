import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, VarcoError, isVarcoError, type ErrorCode } from '../../kernel/errors.ts';
import { page, type LanguageSwitch } from '../../views/layout.ts';
import { html } from '../../views/html.ts';
import { acceptedLocale, isLocale, translate, isMessageKey, type Locale } from '../../views/i18n.ts';
import { applySecurityHeaders } from './security.ts';
import { rawText } from '../shared/schemas.ts';
import { isDatabaseUnavailable } from '../../kernel/database-unavailable.ts';
import { cookieLocale } from '../shared/language.ts';

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
    // `in` says which part of the request (params, querystring, body); `field` names the value for the HTML pages.
    const issues = fe.validation.map((v) => ({ in: fe.validationContext ?? '', path: v.instancePath, message: v.message ?? '', field: fieldOf(v) }));
    return new VarcoError('validation_failed', fe.message, { details: { issues } });
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new VarcoError(mapped, fe.message);
  // PostgreSQL refusing text it cannot store (a NUL byte, an invalid sequence) is bad input, not a crash.
  if (fe.code === '22021' || fe.code === '22P05') return new VarcoError('bad_request', 'The request contains characters that cannot be stored (such as NUL).');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c].status === fe.statusCode) ?? 'bad_request';
    return new VarcoError(code, fe.message);
  }
  // PostgreSQL away (restart, failover, the server stopping with its embedded cluster): retry, not a bug.
  if (isDatabaseUnavailable(error))
    return new VarcoError('database_unavailable', 'The database cannot be reached right now; retry shortly.', {
      cause: error,
      headers: { 'retry-after': '5' },
    });
  return new VarcoError('internal_error', 'An unexpected error occurred; it has been logged.', { cause: error });
}

/** The request value a schema refused, named as the form or URL names it (`token`, `id`). */
function fieldOf(issue: { instancePath: string; params: Record<string, unknown> }): string {
  // A property missing, or one the schema does not allow (a misspelt JSON field), is named by Ajv's params.
  const named = issue.params.missingProperty ?? issue.params.additionalProperty;
  const path = issue.instancePath
    .split('/')
    .filter((part) => part !== '' && !/^\d+$/.test(part))
    .join('.');
  return path || (typeof named === 'string' ? named : '');
}

/** A schema's refusal on a page: what the user can do, in their language; the field name is the only detail. */
function schemaRefusal(locale: 'it' | 'en', error: VarcoError): string | undefined {
  const issues = error.code === 'validation_failed' ? error.details?.issues : undefined;
  if (!Array.isArray(issues)) return undefined;
  const first: unknown = issues[0];
  const field = typeof first === 'object' && first !== null && 'field' in first && typeof first.field === 'string' ? first.field : '';
  return translate(locale, 'error.invalidInput', { field: field.slice(0, 64) || '?' });
}

/** Paths read by machines (probes, Prometheus): their errors are JSON like /api's. */
const MACHINE_PATHS = new Set(['/readyz', '/healthz', '/metrics']);

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: VarcoError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  reply.code(error.status);
  if (isApiRequest(request) || MACHINE_PATHS.has(request.url.split('?')[0] ?? '')) {
    const body: Record<string, unknown> = { code: error.code, message: error.message, requestId: request.id };
    if (error.details && error.code === 'validation_failed') body.details = error.details;
    return reply.type('application/json; charset=utf-8').send({ error: body });
  }
  const locale = errorPageLocale(request);
  const body = html`<p class="error">${errorMessage(locale, error)}</p>
<p>${translate(locale, 'error.reference')}: <code>${error.code}</code> · <code>${request.id}</code></p>
<p><a href="${homeOf(request.url)}">${translate(locale, 'error.back')}</a></p>`;
  return reply.type('text/html; charset=utf-8').send(page({ locale, title: translate(locale, 'error.title'), body, language: languageLinks(request) }));
}

/** "Back to the start" leads to the start of the surface the request was on, not out of the back office. */
function homeOf(url: string): string {
  if (url === '/admin' || url.startsWith('/admin/') || url.startsWith('/admin?')) return '/admin';
  if (url === '/portal' || url.startsWith('/portal/') || url.startsWith('/portal?')) return '/portal';
  return '/';
}

/** The surfaces decide the locale (the user's choice); elsewhere ?lang=, the switch's cookie, or Accept-Language. */
function errorPageLocale(request: FastifyRequest): Locale {
  const decided = (request as { locale?: unknown }).locale;
  if (isLocale(decided)) return decided;
  const lang = rawText(request.query, 'lang');
  if (isLocale(lang)) return lang;
  return cookieLocale(request) ?? acceptedLocale(request.headers['accept-language']);
}

/** What went wrong, in the page's language: English pages keep the error's own sentence, Italian ones its Italian one or say it by code. */
function errorMessage(locale: Locale, error: VarcoError): string {
  if (error.status === 404) return translate(locale, 'error.notFound');
  if (error.code === 'csrf_invalid') return translate(locale, 'csrf.invalid');
  if (error.status >= 500) return translate(locale, 'error.generic');
  const refusal = schemaRefusal(locale, error);
  if (refusal !== undefined) return refusal;
  if (locale === 'en') return error.message;
  if (error.it !== undefined) return error.it;
  const key = `error.code.${error.code}`;
  return isMessageKey(key) ? translate(locale, key) : translate(locale, 'error.generic');
}

/** An error page answers a GET (or not): links to the same page in each language when there is one to reload. */
function languageLinks(request: FastifyRequest): LanguageSwitch | undefined {
  if (request.method !== 'GET' || request.url.length > 2000) return undefined;
  const [raw = '/', search = ''] = request.url.split('?', 2);
  // Never a link to another host: `//host/…` or a backslash would make one.
  const path = raw.startsWith('/') && !raw.startsWith('//') && !raw.includes('\\') ? raw : '/';
  const href = (locale: Locale): string => {
    const params = new URLSearchParams(search);
    params.set('lang', locale);
    return `${path}?${params.toString()}`;
  };
  return { hrefs: { it: href('it'), en: href('en') } };
}

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return false;
  for (const k in value) if (k.includes('\u0000') || hasNul((value as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

/**
 * Fastify's own early failures (a malformed URL) go through the same rendering as everything else.
 * They come before any hook, so the security headers are applied here (see security.ts).
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  applySecurityHeaders(request, reply);
  void sendError(request, reply, toVarcoError(error));
}

export function registerErrorHandling(app: FastifyInstance): void {
  // A NUL character is never valid in Varco's inputs and PostgreSQL text cannot hold it: refuse it
  // once, before any handler, on every surface (the payment page's decoder refuses it too).
  // A callback hook: an async one costs every request a promise (issue 15).
  app.addHook('preValidation', (request, _reply, done) => {
    // /ncol/ is decoded from raw bytes, with its own error page.
    if (!request.url.startsWith('/ncol/') && (hasNul(request.query) || hasNul(request.params) || hasNul(request.body))) {
      done(new VarcoError('bad_request', 'The request contains a NUL character, which is not allowed.'));
      return;
    }
    done();
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const varcoError = toVarcoError(error);
    // The database away is the operator's to see once (its own warnings say why), not a stack per request.
    if (varcoError.code === 'database_unavailable') request.log.warn({ code: varcoError.code, cause: error.message }, 'request refused: database unavailable');
    else if (varcoError.status >= 500 && varcoError.code !== 'unavailable') request.log.error({ err: error, code: varcoError.code }, 'request failed');
    else request.log.info({ code: varcoError.code, status: varcoError.status }, 'request refused');
    return sendError(request, reply, varcoError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new VarcoError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}
