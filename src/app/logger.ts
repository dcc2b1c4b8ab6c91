import pino from 'pino';
import type { Logger } from 'pino';
import { isVerificationName, maskPans, scrubText } from '../kernel/card-data.ts';

// Secrets must never reach a log line. One check by field name, at any depth and in any case, runs
// on every object passed to the logger (formatters.log) and on what the serializers make of errors
// and requests; bodies are never logged by Varco.
//
// Why not pino's `redact` paths as well: they matched only where listed (not recursive, case
// sensitive), so everything they caught this check catches too, and with wildcard paths pino ran
// every field of every line through them — about a tenth of the CPU of a busy API (issue 6
// benchmark, docs/benchmarks.md).
const SECRET_KEY =
  /pass(word|phrase)|secret|token$|api_?key$|subscription-?key$|private_?key$|key_?pem$|^(primary|secondary)?key$|cookie|authorization|^card_?(number|no)$|^cvc$|^cvv$/i;
const CENSOR = '[redacted]';

/** A copy of plain objects and arrays with secret-named fields censored; other values (errors, requests) are left to their serializers. */
export function censorSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => censorSecrets(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) out[name] = SECRET_KEY.test(name) && item !== undefined ? CENSOR : censorSecrets(item, depth + 1);
  return out;
}

/** What a log line says of a request: method, the URL with secrets censored (redactUrl), the client address. */
export function requestSummary(req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }): {
  method: string | undefined;
  url: string;
  remoteAddress: string | undefined;
} {
  return { method: req.method, url: redactUrl(req.url ?? ''), remoteAddress: req.ip ?? req.socket?.remoteAddress };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      formatters: { log: (object) => censorSecrets(object) as Record<string, unknown> },
      base: { service: 'varco' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Fastify's default request serializer would log the raw URL, which may carry `subscription-key`.
      serializers: {
        req: requestSummary,
        // pino's error object has its own prototype, which censorSecrets leaves alone: copy it first,
        // so a secret-named property of an error (say, a client's `authorization`) is censored too.
        err: (error: Error) => censorSecrets({ ...pino.stdSerializers.err(error) }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination ?? stdoutDestination(),
  );
}

/**
 * Asynchronous stdout: the request thread does not wait for each line's write, and lines logged
 * while one write is in flight go out together. pino flushes what is left when the process exits
 * (its exit hook is on the SonicBoom below), so only a SIGKILL can lose the last lines.
 *
 * Each line is handed over as a Buffer, to SonicBoom's buffer mode. In its default string mode
 * SonicBoom appends each line to the pending text and measures that text with Buffer.byteLength,
 * which flattens it: while a write was in flight every line copied up to 16 KB of pending text. On a
 * busy API that was ~7 KB allocated per request, a quarter of all allocation (issue 15, heap
 * sampling in docs/benchmarks.md). The buffer mode keeps a list of buffers and their lengths.
 */
export function stdoutDestination(): pino.DestinationStream {
  const sonic = pino.destination({ dest: 1, sync: false, contentMode: 'buffer' });
  return {
    write: (line: string): void => {
      sonic.write(Buffer.from(line) as unknown as string);
    },
    // logger.flush(callback) calls this.
    flush: (callback?: (error?: Error) => void): void => {
      sonic.flush(callback);
    },
  } as pino.DestinationStream;
}

/**
 * The query string can carry `subscription-key`, and a hosted-page link (GET entry) any parameter a
 * shop sends, card data included: log the path with sensitive parameters censored, card
 * verification fields dropped and card numbers masked (first six / last four) wherever they are.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = maskedPath(q === -1 ? url : url.slice(0, q));
  if (q === -1) return path;
  const out = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
    if (isVerificationName(name)) continue;
    out.append(maskPans(name), /key|token|pass|^shasign$|^t$|card|cvc/i.test(name) ? '[redacted]' : scrubText(value));
  }
  return `${path}?${out.toString()}`;
}

/** The path as sent, unless it carries a card number once decoded: then the decoded path, masked. */
function maskedPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: judge the raw path.
  }
  const masked = maskPans(decoded);
  return masked === decoded ? path : masked;
}

export type { Logger };
