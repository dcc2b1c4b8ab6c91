import { openSync, readFileSync } from 'node:fs';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { serverOptions } from '../src/app/http-server.ts';
import { createLogger, stdoutDestination } from '../src/app/logger.ts';
import { newId } from '../src/kernel/ids.ts';
import { AccessLogController, lazyRequestLogger } from '../src/http/plugins/request-log.ts';
import { frameworkErrorHandler, registerErrorHandling } from '../src/http/plugins/errors.ts';
import { registerSecurityHeaders } from '../src/http/plugins/security.ts';
import { lazySchemaCompilers, rememberSchemaCompilers } from '../src/http/lazy-schemas.ts';
import { BODY_LIMITS } from '../src/http/plugins/limits.ts';
import { apiContext } from '../src/http/api/index.ts';
import type { AuthContext, KeyCheck, KeyVerifier } from '../src/modules/subscriptions/index.ts';
import { hashKey, keyShape } from '../src/modules/subscriptions/keys.ts';
import { createRateLimiter } from '../src/modules/subscriptions/rate-limiter.ts';
import { baselinePingAnswer } from './ping-answer.ts';

// Varco's keyed request path rebuilt layer by layer, for `node bench/instructions.ts --layers …`
// (docs/benchmarks.md, row 1, tenth session): the whole server's instruction count spreads too much
// (its background work, its collector) to show what one part costs; this one repeats within ±1 k.
//   node bench/layers-server.ts options+logger+errors+security+cookie+api
// Layers, any combination joined by `+`:
//   options   Varco's server options (TLS policy, time limits), request ids, body limit
//   logger    Varco's logger, access-line controller and lazy request loggers (logger-quiet: no access line)
//   errors    the error handler and its NUL check (preValidation)
//   security  the security-header hook
//   cookie    the cookie plugin
//   api       the /api context (schemas compiled lazily, key hook, Varco's ping route) with a stand-in
//             verifier: the real key shape check, SHA-256 and rate limiter, a verdict table of one key
//             (BENCH_API_KEY) instead of the cache and the database
// Without `api`, the route is bare Fastify's (bench/baseline-server.ts). Not rebuilt: the metrics hook
// (registered only with VARCO_METRICS_TOKEN, which the bench leaves unset) and what the whole process
// adds (workers, the key flush, listeners, a larger heap). Prints `listening <port>`.

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
  ...(layers.has('options')
    ? { genReqId: () => newId('req'), return503OnClosing: false, bodyLimit: BODY_LIMITS.default, ...serverOptions({ cert, key }) }
    : { https: { cert, key, minVersion: 'TLSv1.2' } }),
  ...(logging ? { loggerInstance: logger, logController: logging, childLoggerFactory: lazyRequestLogger } : {}),
  ...(layers.has('errors') ? { frameworkErrors: frameworkErrorHandler } : {}),
  ...(layers.has('api') ? { schemaController: { compilersFactory: schemas.factory } } : {}),
}) as unknown as FastifyInstance;
if (layers.has('errors')) registerErrorHandling(app);
if (layers.has('security')) registerSecurityHeaders(app);
if (layers.has('cookie')) await app.register(cookie);
if (layers.has('api')) {
  rememberSchemaCompilers(app, schemas);
  await app.register(apiContext, { prefix: '/api', keyVerifier: standInVerifier(process.env.BENCH_API_KEY ?? '') });
} else {
  app.get('/api/v1/ping', async () => baselinePingAnswer());
}

/** The verifier's cached path for one known key: shape, SHA-256, a table lookup, the real rate limiter. */
function standInVerifier(known: string): KeyVerifier {
  const context: AuthContext = {
    keyId: 'key_0000000000000000000000000',
    keyHash: hashKey(known),
    slot: 'primary',
    subscriptionId: 'sub_0000000000000000000000000',
    subscriptionName: 'Baseline',
    organisationId: 'org_0000000000000000000000000',
    organisationName: 'Baseline',
    productId: 'prd_0000000000000000000000000',
    productCode: 'bench',
    productName: 'Benchmark',
    environment: 'test',
    routeGroups: ['ping'],
    rateLimitPerMinute: 1_000_000,
    validUntil: null,
  };
  const table = new Map([[context.keyHash, context]]);
  // The limiter's hot path never touches the database; its sync (not run here) would.
  const limiter = createRateLimiter({ db: undefined as never });
  const uses = new Map<string, Date>();
  const pings = new Map<string, Date>();
  const verifyCached = (presented: string | undefined): KeyCheck => {
    if (presented === undefined || presented === '') return { ok: false, reason: 'missing' };
    const environment = keyShape(presented);
    const found = environment === undefined ? undefined : table.get(hashKey(presented));
    return found && found.environment === environment ? { ok: true, context: found } : { ok: false, reason: 'invalid' };
  };
  const standIn = {
    verifyCached,
    verify: async (presented: string | undefined) => verifyCached(presented),
    rateLimit: (c: AuthContext) => limiter.take(c.subscriptionId, c.rateLimitPerMinute, Date.now()),
    recordUse: (c: AuthContext) => void uses.set(c.keyId, new Date()),
    recordPing: (subscriptionId: string) => void pings.set(subscriptionId, new Date()),
  };
  return standIn as unknown as KeyVerifier;
}

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
