import { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { requestSummary } from '../../app/logger.ts';

// One access-log line per request, written when the answer has gone out: method, path (sensitive
// query parameters censored by the logger's `req` serializer), status and duration, under the
// request's id. Fastify's default writes two lines per request (incoming, completed); on a busy API
// each line cost a few percent of the CPU (issue 6 benchmark, docs/benchmarks.md) and the first one
// told nothing the combined line does not. Fastify's other lines (errors, 404s) are kept.
//
// The line of a request that ended without an error is the same JSON pino would write, built
// directly (accessLine) and handed to the logger's own destination: it has a fixed shape and no
// field a secret could hide in (the URL is censored by the same requestSummary as the `req`
// serializer), so pino's generic path (a child logger, the censoring copy of the object, the
// serializers, the generic stringifier) cost ~7 µs per request for nothing (issue 15). Lines with an
// error, and every other line, still go through pino and its censoring.
export class AccessLogController extends LogController {
  readonly #root: Logger;
  readonly #format: LineFormat;
  readonly #destination: pino.DestinationStream;

  /** `root` is the logger Fastify is given (loggerInstance): its level, time format, bindings and destination. */
  constructor(root: Logger) {
    super();
    this.#root = root;
    this.#format = lineFormat(root);
    this.#destination = (root as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym] as pino.DestinationStream;
  }

  override incomingRequest(): void {
    // Folded into requestCompleted.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime, err: error }, 'request errored');
      return;
    }
    if (!this.#root.isLevelEnabled('info')) return;
    this.#destination.write(accessLine(this.#format, request, reply));
  }
}

/** What a line takes from the root logger: its time field (pino's timestamp function) and its bindings (`base`), as pino writes them. */
export interface LineFormat {
  time: () => string;
  bindings: string;
}

export function lineFormat(root: Logger): LineFormat {
  const internals = root as unknown as Record<symbol, unknown>;
  return { time: internals[pino.symbols.timeSym] as () => string, bindings: internals[pino.symbols.chindingsSym] as string };
}

/**
 * `JSON.stringify(value)` for a string, without the call when nothing in it needs an escape (request
 * ids, methods, addresses, most paths): ~0.1 µs per field per request otherwise (issue 15).
 */
export function quote(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // Control characters, the quote, the backslash, and surrogates (a lone one is escaped).
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** pino's line for `child({ reqId }).info({ req, res, responseTime }, 'request completed')`, built directly. */
export function accessLine(format: LineFormat, request: FastifyRequest, reply: FastifyReply): string {
  const req = requestSummary(request);
  // pino leaves out an undefined field; `method` and `remoteAddress` can be undefined, the URL cannot.
  const method = req.method === undefined ? '' : `"method":${quote(req.method)},`;
  const address = req.remoteAddress === undefined ? '' : `,"remoteAddress":${quote(req.remoteAddress)}`;
  return (
    `{"level":30${format.time()}${format.bindings},"reqId":${quote(String(request.id))},"req":{${method}"url":${quote(req.url)}${address}},` +
    `"res":{"statusCode":${reply.statusCode}},"responseTime":${reply.elapsedTime},"msg":"request completed"}\n`
  );
}

/**
 * Fastify's childLoggerFactory: a request's logger (`request.log`, bound to its id) is made the first
 * time something logs through it. Most requests never do (their access line is written directly), so
 * they no longer pay for a pino child each (issue 15).
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyLogger(logger, bindings, options);
}

type Log = (...args: unknown[]) => void;

class LazyLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #real: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #logger(): FastifyBaseLogger {
    return (this.#real ??= this.#parent.child(this.#bindings, this.#options));
  }

  #log(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    const logger = this.#logger();
    (logger[level] as Log).apply(logger, args);
  }

  get level(): string {
    return this.#logger().level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#log('error', args);
  }

  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }

  info(...args: unknown[]): void {
    this.#log('info', args);
  }

  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }

  silent(): void {
    // Nothing, as pino's.
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}
