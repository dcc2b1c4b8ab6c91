import { openSync, readFileSync } from 'node:fs';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { serverOptions } from '../src/app/http-server.ts';
import { createLogger, stdoutDestination } from '../src/app/logger.ts';
import { loggingOptions, requestOptions } from '../src/app/build.ts';
import { createKysely, createPool } from '../src/db/index.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { AccessLogController } from '../src/http/plugins/request-log.ts';
import { frameworkErrorHandler, registerErrorHandling } from '../src/http/plugins/errors.ts';
import { registerSecurityHeaders } from '../src/http/plugins/security.ts';
import { lazySchemaCompilers, rememberSchemaCompilers } from '../src/http/lazy-schemas.ts';
import { apiContext } from '../src/http/api/index.ts';
import { createKeyVerifier, type KeyVerifier } from '../src/modules/subscriptions/index.ts';
import { baselinePingAnswer } from './ping-answer.ts';
import { sleep } from './support.ts';

// Varco's keyed request path rebuilt layer by layer, for `node bench/instructions.ts --layers …`
// (docs/benchmarks.md, row 1, tenth session): the whole server's instruction count spreads too much
// (its background work, its collector) to show what one part costs; this one repeats within ±1 k
// (sets with `api` carry the key verifier's usage flush each second: ~3 k under valgrind's pace).
//   node bench/layers-server.ts options+logger+errors+security+cookie+api
// Layers, any combination joined by `+`:
//   options   Varco's server options (TLS policy, time limits), request ids, body limit
//   logger    Varco's logger, access-line controller and lazy request loggers (logger-quiet: no access line)
//   errors    the error handler and its NUL check (preValidation)
//   security  the security-header hook
//   cookie    the cookie plugin
//   api       the /api context (schemas compiled lazily, key hook, Varco's ping route) with Varco's key
//             verifier on the bench's database (DATABASE_URL, where the load's key is seeded): its cache,
//             trusted while it listens for key changes, its rate limiter and its usage flush each second
// The options and the logging are built by the functions buildApp uses (src/app/build.ts). Without
// `api`, the route is bare Fastify's (bench/baseline-server.ts). Not rebuilt: the metrics hook
// (registered only with VARCO_METRICS_TOKEN, which the bench leaves unset), the verifier's
// once-a-minute job (subscription expiry, `everyMinute`) and what the rest of the process adds
// (workers, the other contexts, listeners, a larger heap). Prints `listening <port>`.

const layers = new Set((process.argv[2] ?? '').split('+').filter(Boolean));
const known = new Set(['options', 'logger', 'logger-quiet', 'errors', 'security', 'cookie', 'api']);
const unknown = [...layers].filter((l) => !known.has(l));
if (unknown.length > 0) {
  process.stderr.write(`unknown layer(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}\n`);
  process.exit(64);
}
const cert = readFileSync(process.env.BENCH_CERT_FILE ?? '', 'utf8');
const key = readFileSync(process.env.BENCH_KEY_FILE ?? '', 'utf8');
const logger = createLogger('info', stdoutDestination(openSync(process.env.BENCH_LOG_FILE ?? '/dev/null', 'a')));

/** The access-line controller without its line (layer `logger-quiet`; it drops "request errored" lines too). */
class QuietController extends AccessLogController {
  override requestCompleted(): void {
    // No line.
  }
}

const schemas = lazySchemaCompilers();
const logging = layers.has('logger') ? new AccessLogController(logger) : layers.has('logger-quiet') ? new QuietController(logger) : undefined;
const app = Fastify({
  ...(layers.has('options') ? { ...requestOptions(), ...serverOptions({ cert, key }) } : { https: { cert, key, minVersion: 'TLSv1.2' } }),
  ...(logging ? loggingOptions(logger, logging) : {}),
  ...(layers.has('errors') ? { frameworkErrors: frameworkErrorHandler } : {}),
  ...(layers.has('api') ? { schemaController: { compilersFactory: schemas.factory } } : {}),
}) as unknown as FastifyInstance;
if (layers.has('errors')) registerErrorHandling(app);
if (layers.has('security')) registerSecurityHeaders(app);
if (layers.has('cookie')) await app.register(cookie);
if (layers.has('api')) {
  rememberSchemaCompilers(app, schemas);
  await app.register(apiContext, { prefix: '/api', keyVerifier: await listeningVerifier(process.env.DATABASE_URL ?? '') });
} else {
  app.get('/api/v1/ping', async () => baselinePingAnswer());
}

/** Varco's key verifier on the bench's database, once it listens for key changes (until then it trusts no cached verdict). */
async function listeningVerifier(url: string): Promise<KeyVerifier> {
  if (url === '') throw new Error('layer api needs DATABASE_URL (the bench database, with the key of the load seeded)');
  const pool = createPool(url, 2);
  const verifier = createKeyVerifier({ db: createKysely(pool), clock: systemClock, databaseUrl: url });
  await verifier.start();
  for (let tries = 0; !verifier.listening; tries++) {
    if (tries > 100) throw new Error('the key verifier did not start listening on the bench database');
    await sleep(50);
  }
  app.addHook('onClose', async () => {
    await verifier.stop();
    await pool.end();
  });
  return verifier;
}

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
