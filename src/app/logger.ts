import type { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';
import pino from 'pino';
import type { Logger } from 'pino';
import { isVerificationName, maskPans, scrubText } from '../kernel/card-data.ts';
import { isoTime } from '../kernel/clock.ts';

// Secrets must never reach a log line. One check by field name, at any depth and in any case, runs
// on every object passed to the logger (formatters.log) and on what the serializers make of errors
// and requests; bodies are never logged by Varco.
//
// Why not pino's `redact` paths as well: they matched only where listed (not recursive, case
// sensitive), so everything they caught this check catches too, and with wildcard paths pino ran
// every field of every line through them — about a tenth of the CPU of a busy API (issue 6
// benchmark, docs/benchmarks.md).
const SECRET_KEY =
  /pass(word|phrase)|pswd|secret|token$|api_?key$|subscription-?key$|private_?key$|key_?pem$|^(primary|secondary)?key$|cookie|authorization|^card_?(number|no)$|^cvc$|^cvv$/i;
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
      // pino's isoTime, with the date text kept for the second (isoTime in kernel/clock.ts).
      timestamp: () => `,"time":"${isoTime()}"`,
      // Fastify's default request serializer would log the raw URL, which may carry `subscription-key`.
      serializers: {
        req: requestSummary,
        // pino's error object has its own prototype, which censorSecrets leaves alone: copy it first,
        // so a secret-named property of an error (say, a client's `authorization`) is censored too.
        // A string is logged as it is: spread into an object it would become one key per character
        // (`err: 'timeout'` → {"0":"t",…}). Anything else is copied into a plain object (pino leaves a
        // value that is not error-like unchanged), so the censor walks it whatever its prototype.
        err: (error: unknown) => (typeof error === 'string' ? error : censorSecrets({ ...pino.stdSerializers.err(error as Error) })),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination ?? stdoutDestination(),
  );
}

/** A batch of lines is handed to the writer once it holds this many characters… */
export const LOG_BATCH_BYTES = 16_384;
/** …or this long after its first line, whichever comes first. */
export const LOG_BATCH_DELAY_MS = 20;

/**
 * Asynchronous stdout, in batches: the request thread does not wait for a line's write, and lines
 * are written together, LOG_BATCH_DELAY_MS after the first of a batch or as soon as it holds
 * LOG_BATCH_BYTES. Written one at a time, every line of a busy API cost a write of its own (a task
 * for libuv's pool and a system call: a few µs per request, issue 15, docs/benchmarks.md).
 *
 * SonicBoom (pino's destination) writes each batch, handed over as one Buffer in its buffer mode
 * (its string mode measured the pending text with Buffer.byteLength at every write, which flattened
 * it: ~7 KB copied per request on a busy API). Its own batching (minLength) is not used: its flush
 * called back while lines were still held. logger.flush(callback) calls back once every line logged
 * so far is written (the servers do so before exiting: flushThenExit). A batch still gathering is
 * handed over on 'beforeExit', and written synchronously on 'exit' after what SonicBoom holds. What
 * can still be lost: a write in flight when the process exits without that flush, and, at a SIGKILL,
 * up to LOG_BATCH_DELAY_MS of lines.
 */
export function stdoutDestination(fd = 1): pino.DestinationStream {
  // Before pino.destination: on the first call, Varco's exit listener is registered before pino's.
  watchProcessEnd();
  const batch = new LineBatch(fd, pino.destination({ dest: fd, sync: false, contentMode: 'buffer' }) as unknown as SonicBoomLike);
  batches.add(new WeakRef(batch));
  return {
    write: (line: string): void => batch.add(line),
    // logger.flush(callback) calls this.
    flush: (callback?: (error?: Error) => void): void => batch.flush(callback),
  } as pino.DestinationStream;
}

interface SonicBoomLike extends EventEmitter {
  write(data: string): boolean;
  flushSync(): void;
  /** Not in SonicBoom's typings, but what its own flush reads: a write is in flight. */
  _writing: boolean;
}

class LineBatch {
  #lines: string[] = [];
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #fd: number;
  readonly #sonic: SonicBoomLike;

  constructor(fd: number, sonic: SonicBoomLike) {
    this.#fd = fd;
    this.#sonic = sonic;
  }

  add(line: string): void {
    this.#lines.push(line);
    this.#size += line.length;
    if (this.#size >= LOG_BATCH_BYTES) this.handOver();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.handOver(), LOG_BATCH_DELAY_MS);
      this.#timer.unref();
    }
  }

  /** The lines gathered so far, as one Buffer (undefined when none), and a new batch begun. */
  #take(): Buffer | undefined {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#lines.length === 0) return undefined;
    const text = this.#lines.length === 1 ? this.#lines[0] : this.#lines.join('');
    this.#lines = [];
    this.#size = 0;
    return Buffer.from(text ?? '');
  }

  handOver(): void {
    const buffer = this.#take();
    if (buffer === undefined) return;
    try {
      this.#sonic.write(buffer as unknown as string);
    } catch {
      // SonicBoom was ended or destroyed: write directly rather than throw from a timer.
      writeAllSync(this.#fd, buffer);
    }
  }

  flush(callback?: (error?: Error) => void): void {
    this.handOver();
    if (!callback) return;
    // 'drain': SonicBoom has written everything it was given.
    if (this.#sonic._writing) this.#sonic.once('drain', () => callback());
    else callback();
  }

  /** On 'exit' no asynchronous write can complete: what SonicBoom holds, then the batch, synchronously. */
  writeAllNow(): void {
    const buffer = this.#take();
    try {
      this.#sonic.flushSync();
    } catch {
      // Ended, or its descriptor refuses: what it held cannot be written any more.
    }
    if (buffer !== undefined) writeAllSync(this.#fd, buffer);
  }
}

// One listener of each kind for every destination of the process, holding them weakly (a logger that
// is dropped is not kept alive, and many loggers add no listeners: MaxListenersExceededWarning).
const batches = new Set<WeakRef<LineBatch>>();
let watching = false;

function watchProcessEnd(): void {
  if (watching) return;
  watching = true;
  const each = (act: (b: LineBatch) => void) => (): void => {
    for (const ref of batches) {
      const live = ref.deref();
      if (live) act(live);
      else batches.delete(ref);
    }
  };
  process.on(
    'beforeExit',
    each((b) => b.handOver()),
  );
  process.on(
    'exit',
    each((b) => b.writeAllNow()),
  );
}

/** The whole buffer to fd, synchronously, waiting a little when a non-blocking pipe is full (up to ~2 s); gives up on any other error. */
function writeAllSync(fd: number, buffer: Buffer): void {
  let rest = buffer;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waits = 0; rest.length > 0 && waits < 200;) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 10);
      waits++;
    }
  }
}

/**
 * Writes what the logger holds, then exits: the servers' last lines ("stopped") are not left in a
 * write in flight. A flush that does not call back within a second (stdout blocked) does not hold the exit.
 */
export function flushThenExit(logger: Logger, code: number): void {
  const exit = (): never => process.exit(code);
  setTimeout(exit, 1000).unref();
  logger.flush(() => exit());
}

/**
 * Query parameters whose value is a secret, by name in any case: keys and tokens (`subscription-key`,
 * a password reset's `token`, the payment page's `t`), passwords, DirectLink's PSWD (an API user's
 * password; a shop may send it in the URL), SHASIGN, card fields. USERID is not a secret and is kept.
 */
const SECRET_QUERY_NAME = /key|token|pass|pswd|^shasign$|^t$|card|cvc/i;

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
    out.append(maskPans(name), SECRET_QUERY_NAME.test(name) ? '[redacted]' : scrubText(value));
  }
  return `${path}?${out.toString()}`;
}

/** The path as sent, unless it carries a card number once decoded: then the decoded path, masked. */
function maskedPath(path: string): string {
  let decoded = path;
  // Without an escape there is nothing to decode (most paths): no copy per request.
  if (path.includes('%')) {
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // A malformed escape: judge the raw path.
    }
  }
  const masked = maskPans(decoded);
  return masked === decoded ? path : masked;
}

export type { Logger };
