import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';

// Headers on every response. HSTS because Varco is HTTPS only; a strict CSP, which the pages need
// (they load only Varco's own stylesheet and scripts) and which costs nothing on JSON; no-store,
// because nearly every answer is personal (pages of a signed-in user, API JSON): the few public,
// cacheable answers (stylesheets, scripts) say so themselves.
//
// They are set when a request starts (onRequest, the first hook), not when the answer is sent: an
// onSend hook depended on the content type (JSON got no Cache-Control) and Fastify's own early
// answers skip it. Set first, they are on every answer that follows, errors included (404, 413,
// the body parser's 400, a failed handler), and a route may still replace one. The answers Fastify
// or Node give before any hook runs get the same table: a malformed URL (frameworkErrorHandler in
// errors.ts calls applySecurityHeaders) and the socket-level errors (408 request timeout, 400
// unparseable request, 431 headers too large: rawErrorResponse, used by src/app/http-server.ts).
export const DEFAULT_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy': DEFAULT_CSP,
  'cache-control': 'no-store',
};

/** The security headers and the request id, on a reply that has not been sent. */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(SECURITY_HEADERS);
  reply.header('x-request-id', request.id);
}

/**
 * Installs the headers, and the 503 of an instance that is stopping: Fastify's own 503 (its
 * return503OnClosing) is written before any hook and would carry none of them, so build.ts turns it
 * off and this hook answers instead, through the error handler like every other failure.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook: an async one costs a promise and a tick on every request (issue 15).
  app.addHook('onRequest', (request, reply, done) => {
    applySecurityHeaders(request, reply);
    if (!closing) {
      done();
      return;
    }
    reply.header('connection', 'close');
    done(new VarcoError('unavailable', 'This instance is stopping; retry the request.', { headers: { 'retry-after': '1' } }));
  });
}

/**
 * A complete HTTP/1.1 error response written straight to a socket, for the errors Node raises before
 * there is a request object (see src/app/http-server.ts): the security headers, `Connection: close`
 * and Varco's JSON error body (docs/errors.md). No request id exists at that point.
 */
export function rawErrorResponse(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  return `HTTP/1.1 ${status} ${reason}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n${body}`;
}

/** Writes rawErrorResponse when the socket can still take it, then closes the socket. */
export function answerOnSocket(socket: Socket, response: string): void {
  if (socket.writable) socket.end(response, () => socket.destroy());
  else socket.destroy();
}
