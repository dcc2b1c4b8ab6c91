import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import { newId } from '../kernel/ids.ts';
import { createIdentityService, type IdentityService } from '../modules/identity/index.ts';
import { createInvitationsService, createOrganisationsService, type InvitationsService, type OrganisationsService } from '../modules/organisations/index.ts';
import type { ProductCatalog } from '../http/admin/organisations.ts';
import { createDeliveryService, type DeliveryService } from '../modules/delivery/index.ts';
import { createSubscriptionServices, type SubscriptionServices } from '../modules/subscriptions/index.ts';
import { subscriptionHooks } from './subscription-hooks.ts';
import type { StationServices } from '../modules/stations/index.ts';
import type { PlatformPki } from '../modules/platform/index.ts';
import { destinationsOf, wireStationServices } from './stations.ts';
import { wireHostedPage, type HostedPageServices } from './hosted-page.ts';
import { wirePagopaRegistry } from './pagopa-registry.ts';
import type { PagopaRegistry } from '../modules/pagopa-registry/index.ts';
import type { Acquirer } from '../modules/checkout/index.ts';
import { createErrorLogService, createMerchantsService, type EcommerceEnv, type ErrorLogService, type MerchantsService } from '../modules/merchants/index.ts';
import { createExchangeLog, type ExchangeLog } from '../modules/pagopa-exchanges/index.ts';
import { createPagopaSimulator, type PagopaSimulator } from '../modules/pagopa-simulator/index.ts';
import type { PagopaNode } from '../modules/pagopa-node/index.ts';
import { wirePagopaNode } from './pagopa-node.ts';
import { createReceiptsService, type ReceiptsService } from '../modules/pagopa-receipts/index.ts';
import { frameworkErrorHandler, registerErrorHandling } from '../http/plugins/errors.ts';
import { registerSecurityHeaders } from '../http/plugins/security.ts';
import { createMetricsRegistry, registerMetrics } from '../http/plugins/metrics.ts';
import { AccessLogController } from '../http/plugins/request-log.ts';
import { BODY_LIMITS } from '../http/plugins/limits.ts';
import { serverOptions, type HttpLimits } from './http-server.ts';
import { adminContext } from '../http/admin/index.ts';
import { portalContext } from '../http/portal/index.ts';
import { apiContext } from '../http/api/index.ts';
import { ncolContext } from '../http/ncol/index.ts';
import { nodoContext } from '../http/nodo/index.ts';
import { STYLESHEET } from '../views/layout.ts';
import { createLogger, type Logger } from './logger.ts';

export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  /** PEM certificate chain and key; omitted in tests that use inject(). */
  tls?: { cert: string; key: string };
  /** The database's connection string (embedded or DATABASE_URL), for LISTEN connections. */
  databaseUrl?: string;
  /** Seals secrets at rest (see src/app/master-key.ts). Always set by the entry points; tests that
   *  never touch sealed secrets may omit it, and a service that needs it then refuses to work. */
  masterKey?: Buffer;
  /** Writes the audit rows of every service; made once from the clock and the master key (createAuditLog). */
  audit: AuditLog;
  /** The platform PKI the entry point already ensured (its HTTPS certificate came from it); default one made from the master key. */
  platform?: PlatformPki;
  /** Request time limits; production uses HTTP_LIMITS (tests shorten them to watch a cut happen). */
  httpLimits?: HttpLimits;
  /** The hosted page's acquirers; default the built-in test acquirer (tests give a twin they can make fail). */
  acquirers?: Partial<Record<EcommerceEnv, Acquirer>>;
}

export interface Services extends SubscriptionServices, StationServices {
  identity: IdentityService;
  organisations: OrganisationsService;
  invitations: InvitationsService;
  productCatalog: ProductCatalog;
  delivery: DeliveryService;
  /** Merchant accounts and technical settings; also the MerchantDirectory of the hosted page. */
  merchants: MerchantsService;
  /** The merchants' error log (the hosted page writes, the portal and CLI read). */
  errorLog: ErrorLogService;
  /** The hosted payment page: entry, payment, orders read back, server-to-server feedback. */
  hostedPage: HostedPageServices;
  /** pagoPA exchange log: the node records every SOAP message; the portal and back office read it. */
  exchanges: ExchangeLog;
  /** pagoPA registry: PSPs, brokers, channels, ECs and their station links; the node's directory. */
  pagopaRegistry: PagopaRegistry;
  /** pagoPA: the test EC simulator (a simulated station per institution, test environment only). */
  pagopaSimulator: PagopaSimulator;
  /** pagoPA: the node behind POST /nodo/node-for-psp/v1 (verify, activate, outcome). */
  pagopaNode: PagopaNode;
  /** pagoPA receipts: scheduled by the node in the outcome's transaction, delivered by the workers, read and re-sent by the pages. */
  receipts: ReceiptsService;
}

export function createServices(deps: Pick<AppDeps, 'config' | 'db' | 'clock' | 'databaseUrl' | 'masterKey' | 'audit' | 'acquirers' | 'platform'> & { logger?: Logger }): Services {
  const { config, db, clock, audit } = deps;
  // One policy for every outbound connection of this process: stations, verification, feedback.
  const destinations = destinationsOf(config);
  const subscriptionServices = createSubscriptionServices({ db, clock, audit, publicUrl: config.publicUrl, databaseUrl: deps.databaseUrl ?? config.databaseUrl,
    hooks: subscriptionHooks });
  const services: Omit<Services, 'hostedPage' | 'pagopaRegistry' | 'pagopaNode' | 'receipts'> = {
    pagopaSimulator: createPagopaSimulator({ db, clock, audit }),
    identity: createIdentityService({ db, clock, audit, sessionTtlMinutes: config.sessionTtlMinutes, sessionAbsoluteHours: config.sessionAbsoluteHours,
      signInMaxFailures: config.signInMaxFailures, signInLockMinutes: config.signInLockMinutes }),
    organisations: createOrganisationsService({ db, clock, audit }),
    invitations: createInvitationsService({ db, clock, audit, publicUrl: config.publicUrl }),
    productCatalog: subscriptionServices.products,
    delivery: createDeliveryService({ db, sending: config.smtpUrl !== undefined }),
    merchants: createMerchantsService({ db, clock, audit, masterKey: deps.masterKey, publicUrl: config.publicUrl }),
    errorLog: createErrorLogService({ db, clock, maxRowsPerPspid: config.errorLogMaxRows }),
    exchanges: createExchangeLog({ db, clock }),
    ...subscriptionServices,
    ...wireStationServices({ config, db, clock, audit, masterKey: deps.masterKey, subscriptions: subscriptionServices.subscriptions, destinations,
      ...(deps.platform ? { platform: deps.platform } : {}) }),
  };
  const pagopaRegistry = wirePagopaRegistry({ db, clock, audit, subscriptions: subscriptionServices.subscriptions });
  const receipts = createReceiptsService({ db, clock, audit, directory: pagopaRegistry });
  return { ...services, hostedPage: wireHostedPage({ ...services, destinations, db, clock, databaseUrl: deps.databaseUrl ?? config.databaseUrl,
    ...(deps.acquirers ? { acquirers: deps.acquirers } : {}), ...(deps.logger ? { logger: deps.logger.child({ component: 'hosted-page' }) } : {}) }),
    pagopaRegistry, receipts,
    pagopaNode: wirePagopaNode({ ...services, config, db, clock, audit, pagopaRegistry, receipts, logger: deps.logger ?? createLogger('silent') }) };
}

/** Builds the Fastify app production runs, without listening. Contexts are registered in a fixed order. */
export async function buildApp(deps: AppDeps, services: Services = createServices(deps)): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One access-log line per request instead of two (src/http/plugins/request-log.ts).
    logController: new AccessLogController(),
    frameworkErrors: frameworkErrorHandler,
    genReqId: () => newId('req'),
    // Small by default (forms and JSON); routes that need more say so (BODY_LIMITS).
    bodyLimit: BODY_LIMITS.default,
    // Answered by the security plugin instead, so the 503 carries the security headers.
    return503OnClosing: false,
    ...serverOptions(deps.tls, deps.httpLimits),
    // request.ip (sign-in throttle, audit rows, rate limits) believes X-Forwarded-For only when the
    // peer is one of VARCO_TRUSTED_PROXIES; it is then the rightmost address no trusted proxy added.
    trustProxy: deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false,
  }) as unknown as FastifyInstance;

  registerErrorHandling(app);
  registerSecurityHeaders(app);
  registerMetrics(app, createMetricsRegistry(), deps.config.metricsToken);
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
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET));

  // The key verifier listens for key changes from every instance while the app is open.
  await services.keyVerifier.start(deps.logger);
  app.addHook('onClose', () => services.keyVerifier.stop());
  await app.register(apiContext, { prefix: '/api', keyVerifier: services.keyVerifier, orders: services.hostedPage.orders });
  const exchangeRetentionDays = deps.config.retention.exchangesDays;
  const receiptRetryHours = Math.round(deps.config.pagopaRtRetry.giveUpAfterMs / 3_600_000);
  await app.register(portalContext, { prefix: '/portal', ...services, sessionTtlMinutes: deps.config.sessionTtlMinutes, publicUrl: deps.config.publicUrl, exchangeRetentionDays,
    receiptRetryHours });
  await app.register(adminContext, { prefix: '/admin', ...services, sessionTtlMinutes: deps.config.sessionTtlMinutes, publicUrl: deps.config.publicUrl, exchangeRetentionDays,
    receiptRetryHours });
  await services.hostedPage.configs.start();
  app.addHook('onClose', async () => { await services.hostedPage.configs.stop(); await services.hostedPage.feedback.close(); await services.stationCaller.close(); });
  await app.register(ncolContext, { prefix: '/ncol', ...services.hostedPage,
    limits: { perIpPerMinute: deps.config.ncolRateLimitPerIp, perPspidPerMinute: deps.config.ncolRateLimitPerPspid } });
  await app.register(nodoContext, { prefix: '/nodo', node: services.pagopaNode, keyVerifier: services.keyVerifier, clock: deps.clock, publicUrl: deps.config.publicUrl });
  return app;
}
