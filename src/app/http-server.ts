import type { Socket } from 'node:net';
import type { FastifyHttpOptions, FastifyHttpsOptions } from 'fastify';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { answerOnSocket, rawErrorResponse } from '../http/plugins/security.ts';

// How the HTTP(S) server Fastify creates is configured: time limits, the TLS policy, and the
// answers to errors Node raises before a request exists. Used by buildApp (src/app/build.ts).

export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this; a slow body is cut (408). */
  requestTimeoutMs: number;
  /** The request headers must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic at all (e.g. a response nobody reads) is destroyed after this. */
  socketIdleTimeoutMs: number;
  /**
   * How often Node checks the two timeouts above. They are enforced only at these checks, so a
   * request may last up to timeout + interval: Node's default (30 s) would double the bound.
   */
  checkIntervalMs: number;
}

/**
 * Production values. 30 s for a whole request is far more than any legitimate body needs (the
 * largest, a hosted-page entry or a CA upload of at most 256 KB, takes ~20 s at 100 kbit/s); the
 * socket idle timeout is long because a station verification run from a page may take a while to
 * answer, and the request timeout already bounds what a client sends.
 */
export const HTTP_LIMITS: Readonly<HttpLimits> = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  socketIdleTimeoutMs: 120_000,
  checkIntervalMs: 1_000,
};

/**
 * TLS 1.2: only ECDHE key exchange (forward secrecy) with AEAD ciphers (GCM, ChaCha20-Poly1305), for
 * ECDSA and RSA certificates: no CBC, no SHA-1 MAC, no RSA key exchange, no finite-field DHE.
 * TLS 1.3: OpenSSL's three default suites, named explicitly because Node takes both lists from one
 * string (a list naming no TLS 1.3 suite would turn TLS 1.3 off).
 */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

const SOCKET_ERRORS: Record<string, [number, string, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'The request was not received in time.'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.'],
};

/**
 * Node's 'clientError' (Fastify's clientErrorHandler): the request timed out, or could not be parsed.
 * Answered like every other error (security headers, JSON body of docs/errors.md), then closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already begun on this socket cannot be followed by another: just close (as Node does).
  if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] = SOCKET_ERRORS[error.code ?? ''] ?? [400, 'Bad Request', 'bad_request', 'The request is malformed.'];
  answerOnSocket(socket, rawErrorResponse(status, reason, code, message));
}

type ServerOptions =
  | Pick<FastifyHttpOptions<Server>, 'http' | 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout' | 'clientErrorHandler'>
  | Pick<FastifyHttpsOptions<HttpsServer>, 'https' | 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout' | 'clientErrorHandler'>;

/**
 * Fastify's server options: HTTPS with the TLS policy when a certificate is given (HTTP otherwise,
 * for tests that only inject()), and the limits. Node reads headersTimeout and the checking
 * interval only from the options the server is created with; Fastify sets the other three itself.
 */
export function serverOptions(tls: { cert: string; key: string } | undefined, limits: HttpLimits = HTTP_LIMITS): ServerOptions {
  const node = { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs };
  const common = {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.socketIdleTimeoutMs,
    clientErrorHandler,
  };
  if (!tls) return { ...common, http: node };
  return { ...common, https: { ...node, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true } };
}
