import type { FastifyBaseLogger, FastifyError, FastifyReply } from 'fastify';
import { isDatabaseUnavailable } from '../../kernel/database-unavailable.ts';
import { isVarcoError } from '../../kernel/errors.ts';
import { errorPage } from '../../views/ncol/pages.ts';

// Answers shared by the hosted page's routes: the generic error page, the status of a failure,
// and the Content-Security-Policy of each kind of page.

/**
 * Strict CSP of the payment pages: only Varco's own assets, no inline script or style. Chrome
 * applies `form-action` to the redirects that follow a form submission too, so the merchant's
 * result URLs (ACCEPTURL…, from the request or the settings) are allowed as form targets;
 * without them the browser would stop on our page after paying. LOGO (https only) is the one
 * image from elsewhere.
 */
export function payPageCsp(options: { formTargets: readonly string[]; logo?: string | undefined; template?: string | undefined }): string {
  const logo = options.logo ? originOf(options.logo) : undefined;
  // A dynamic template's own stylesheets, images and fonts (its https origin); never its scripts.
  const template = options.template ? originOf(options.template) : undefined;
  const from = template ? ` ${template}` : '';
  const targets = options.formTargets.filter((o) => /^https?:\/\/[^\s;,']+$/.test(o));
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${from}`,
    `img-src 'self'${logo ? ` ${logo}` : ''}${from}`,
    ...(template ? [`font-src${from}`] : []),
    `form-action 'self'${targets.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Pages without forms: nothing may be submitted from them. */
export const PLAIN_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The page's URL carries its token: it must leak neither in Referer nor into a cache. */
export function privatePage(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

export function sendErrorPage(reply: FastifyReply, status: number, language: string, env: 'test' | 'prod'): FastifyReply {
  if (status === 503) reply.header('retry-after', '5');
  return privatePage(reply.code(status), PLAIN_CSP).send(errorPage(language, env));
}

/** A failure in the log: a 503 (the database away, the instance stopping) is a warning without a stack, anything else an error with it. */
export function logFailure(log: FastifyBaseLogger, error: unknown, status: number, what: string, fields: Record<string, unknown> = {}): void {
  if (status === 503) log.warn({ ...fields, status, cause: (error as Error).message }, `${what} refused: unavailable`);
  else log.error({ ...fields, err: error, status }, `${what} failed`);
}

/** 4xx for what the client sent, 503 while the database is away or the instance is stopping, 500 only for our own bugs. */
export function statusOfError(error: FastifyError): number {
  if (isDatabaseUnavailable(error) || (isVarcoError(error) && error.status === 503)) return 503;
  // A refusal from a root hook (say, the NUL check on `/ncol?%00`) carries its status as `status`.
  const status = isVarcoError(error) ? error.status : error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}

/**
 * A Location header must be ASCII. A merchant URL with other characters (an accented path, an
 * IDN host) is sent the way a browser would request it: punycode host, UTF-8 percent-escapes.
 * ASCII URLs are sent exactly as configured, the merchant's query string byte for byte.
 */
export function asciiLocation(url: string): string {
  if (/^[\x21-\x7e]*$/.test(url)) return url;
  try {
    return new URL(url).href;
  } catch {
    return url.replace(/[^\x21-\x7e]/gu, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
  }
}
