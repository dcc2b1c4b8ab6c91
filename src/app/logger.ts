import { writeSync } from 'node:fs';
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

/** A batch of lines is handed to the writer once it holds this many bytes… */
export const LOG_BATCH_BYTES = 16_384;
/** …or this long after its first line, whichever comes first. */
export const LOG_BATCH_DELAY_MS = 20;

/**
 * Asynchronous stdout, in batches: the request thread does not wait for a line's write, and lines
 * are written together, at most LOG_BATCH_DELAY_MS after the first of a batch or as soon as a batch
 * holds LOG_BATCH_BYTES. Written one at a time, every line of a busy API cost a write of its own
 * (a task for libuv's pool and a system call: a few µs per request, issue 15, docs/benchmarks.md);
 * in batches, a few hundred writes a second carry every line.
 *
 * SonicBoom (pino's destination) does the writing, in its buffer mode: a batch is handed over as one
 * Buffer (its string mode measured the pending text with Buffer.byteLength at every write, which
 * flattened it: ~7 KB copied per request on a busy API). A batch still gathering is handed over before the process ends ('beforeExit' and 'exit',
 * registered before pino's own handlers, which then flush SonicBoom), so only a SIGKILL can lose
 * lines: those of the last batch and of a write in flight.
 */
export function stdoutDestination(fd = 1): pino.DestinationStream {
  let batch: string[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const take = (): string | undefined => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (batch.length === 0) return undefined;
    const text = batch.length === 1 ? batch[0] : batch.join('');
    batch = [];
    bytes = 0;
    return text;
  };
  const handOver = (): void => {
    const text = take();
    if (text === undefined) return;
    const buffer = Buffer.from(text);
    try {
      sonic.write(buffer as unknown as string);
    } catch {
      // SonicBoom was ended (pino may end it on beforeExit): write directly rather than throw from a timer.
      writeAllSync(fd, buffer);
    }
  };
  // Registered before pino.destination, so these run before pino's own exit handlers. On 'exit' no
  // asynchronous write can complete any more: what SonicBoom holds is written synchronously first,
  // then the batch, in order.
  process.on('beforeExit', handOver);
  process.on('exit', () => {
    const text = take();
    try {
      sonic.flushSync();
    } catch {
      // Closed already, or the descriptor refuses: what it held cannot be written any more.
    }
    if (text !== undefined) writeAllSync(fd, Buffer.from(text));
  });
  const sonic = pino.destination({ dest: fd, sync: false, contentMode: 'buffer' }) as unknown as SonicBoomLike;
  return {
    write: (line: string): void => {
      batch.push(line);
      bytes += line.length;
      if (bytes >= LOG_BATCH_BYTES) handOver();
      else if (timer === undefined) {
        timer = setTimeout(handOver, LOG_BATCH_DELAY_MS);
        timer.unref();
      }
    },
    // logger.flush(callback) calls this.
    flush: (callback?: (error?: Error) => void): void => {
      handOver();
      sonic.flush(callback);
    },
  } as pino.DestinationStream;
}

/** The whole buffer to fd, synchronously, retrying a pipe that is momentarily full; gives up on any other error. */
function writeAllSync(fd: number, buffer: Buffer): void {
  let rest = buffer;
  for (let tries = 0; rest.length > 0 && tries < 1000; tries++) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

interface SonicBoomLike {
  write(data: string): boolean;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
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
