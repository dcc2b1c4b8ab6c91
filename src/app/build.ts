import { registerTracing } from '../http/plugins/tracing.ts';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { lazySchemaCompilers, rememberSchemaCompilers } from '../http/lazy-schemas.ts';
import { sql } from 'kysely';
import { newId } from '../kernel/ids.ts';
import { devServerCaFile, type Container } from './container.ts';
import type { Logger } from './logger.ts';
import { frameworkErrorHandler, registerErrorHandling } from '../http/plugins/errors.ts';
import { registerSecurityHeaders } from '../http/plugins/security.ts';
import { registerMetrics } from '../http/plugins/metrics.ts';
import { AccessLogController, lazyRequestLogger } from '../http/plugins/request-log.ts';
import { BODY_LIMITS } from '../http/plugins/limits.ts';
import { serverOptions, type HttpLimits } from './http-server.ts';
import { adminContext } from '../http/admin/index.ts';
import { portalContext } from '../http/portal/index.ts';
import { apiContext } from '../http/api/index.ts';
import { ncolContext } from '../http/ncol/index.ts';
import { nodoContext } from '../http/nodo/index.ts';
import { FAVICON, STYLESHEET } from '../views/layout.ts';
import { SCRIPT } from '../views/shared/copy.ts';

/** How the HTTP(S) server is made: the entry point's certificate, and the time limits (tests shorten them). */
export interface HttpOptions {
  /** PEM certificate chain and key; omitted in tests that use inject(). */
  tls?: { cert: string; key: string };
  /** Request time limits; production uses HTTP_LIMITS (tests shorten them to watch a cut happen). */
  httpLimits?: HttpLimits;
}

// The two option groups below are also what bench/layers-server.ts builds its servers with (issue 15:
// it rebuilds the keyed request path layer by layer, and its counts must not drift from Varco's).

/** Varco's logging: the logger, one access-log line per request instead of two, request loggers made lazily. */
export function loggingOptions(logger: Logger, controller: AccessLogController = new AccessLogController(logger)) {
  return {
    loggerInstance: logger,
    logController: controller,
    // A request's pino child is made only if something logs through request.log (request-log.ts).
    childLoggerFactory: lazyRequestLogger,
  };
}

/** Request ids, the default body limit, and no Fastify 503 while closing. */
export function requestOptions() {
  return {
    genReqId: () => newId('req'),
    // Small by default (forms and JSON); routes that need more say so (BODY_LIMITS).
    bodyLimit: BODY_LIMITS.default,
    // Answered by the security plugin instead, so the 503 carries the security headers.
    return503OnClosing: false,
  };
}

/** Where the JSON API is mounted. */
const API_PREFIX = '/api';

/** Builds the Fastify app production runs, without listening. Contexts are registered in a fixed order. */
export async function buildApp(container: Container, http: HttpOptions = {}): Promise<FastifyInstance> {
  const { deps, services } = container;
  // JSON API bodies are refused when they hold an undeclared or mistyped field, never trimmed (ADR 0026).
  const schemas = lazySchemaCompilers({ strictBodies: [`${API_PREFIX}/`] });
  const app = Fastify({
    ...loggingOptions(deps.logger),
    ...requestOptions(),
    frameworkErrors: frameworkErrorHandler,
    // Route schemas compile on first use, not all at start-up (src/http/lazy-schemas.ts).
    schemaController: { compilersFactory: schemas.factory },
    ...serverOptions(http.tls, http.httpLimits),
    // request.ip (sign-in throttle, audit rows, rate limits) believes X-Forwarded-For only when the
    // peer is one of VARCO_TRUSTED_PROXIES; it is then the rightmost address no trusted proxy added.
    trustProxy: deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false,
  }) as unknown as FastifyInstance;
  rememberSchemaCompilers(app, schemas);

  // Tracing first, so the span covers every other hook (only when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  if (deps.config.otel) registerTracing(app);
  registerErrorHandling(app);
  registerSecurityHeaders(app);
  await registerMetrics(app, deps.config.metricsToken);
  await app.register(cookie);

  app.get('/', async (_request, reply) => reply.redirect('/portal', 303));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.db);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'not ready', reason: 'database unreachable' });
    }
  });
  app.get('/assets/varco.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  app.get('/assets/varco.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SCRIPT),
  );
  // Browsers ask for it with their first page of the site (a 404 was logged in the console). Rarely changed: a week.
  app.get('/favicon.ico', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=604800').send(FAVICON));

  // The key verifier listens for key changes from every instance while the app is open.
  await services.keyVerifier.start(deps.logger);
  app.addHook('onClose', () => services.keyVerifier.stop());
  await app.register(apiContext, {
    prefix: API_PREFIX,
    keyVerifier: services.keyVerifier,
    orders: services.hostedPage.orders,
    operations: services.hostedPage.operations,
    aliases: services.hostedPage.aliases,
  });
  const exchangeRetentionDays = deps.config.retention.exchangesDays;
  const serverCaFile = devServerCaFile(deps.config);
  const receiptRetryHours = Math.round(deps.config.pagopaRtRetry.giveUpAfterMs / 3_600_000);
  await app.register(portalContext, {
    prefix: '/portal',
    ...services,
    sessionTtlMinutes: deps.config.sessionTtlMinutes,
    serverCaFile,
    publicUrl: deps.config.publicUrl,
    exchangeRetentionDays,
    receiptRetryHours,
  });
  await app.register(adminContext, {
    prefix: '/admin',
    ...services,
    clock: deps.clock,
    sessionTtlMinutes: deps.config.sessionTtlMinutes,
    serverCaFile,
    publicUrl: deps.config.publicUrl,
    exchangeRetentionDays,
    receiptRetryHours,
  });
  await services.hostedPage.configs.start();
  // Trusted CAs added or removed anywhere reach this instance's feedback and station calls at once.
  await services.trust.changes.start();
  app.addHook('onClose', () => services.trust.changes.stop());
  // The outbound clients are the container's: the workers of this process may still deliver (container.close()).
  app.addHook('onClose', () => services.hostedPage.configs.stop());
  await app.register(ncolContext, {
    prefix: '/ncol',
    ...services.hostedPage,
    limits: { perIpPerMinute: deps.config.ncolRateLimitPerIp, perPspidPerMinute: deps.config.ncolRateLimitPerPspid },
  });
  await app.register(nodoContext, {
    prefix: '/nodo',
    node: services.pagopaNode,
    keyVerifier: services.keyVerifier,
    clock: deps.clock,
    publicUrl: deps.config.publicUrl,
  });
  return app;
}
