import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, relative } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import {
  createAliasesService,
  createDirectLinkService,
  createEntryService,
  createOperationsService,
  createFeedbackSender,
  createTemplateFetcher,
  createOrdersService,
  createPaymentService,
  createReconciliation,
  createTestAcquirer,
  feedbackOwners,
  RECONCILE_EVERY_MS,
  type Acquirer,
  type AliasesService,
  type TemplateFetcher,
  type DirectLinkService,
  type EntryService,
  type OperationsService,
  type FeedbackSender,
  type OrdersService,
  type PaymentService,
  type ReconciliationOptions,
} from '../modules/checkout/index.ts';
import {
  createDeliveryService,
  createGivenUpDeliveries,
  type GivenUpDeliveries,
  createOutboxWorker,
  createSmtpMailer,
  type Mailer,
  feedbackExhaustionMail,
  enqueueEmailToAdmins,
  type Channel,
  type DeliveryHandler,
  type DeliveryService,
} from '../modules/delivery/index.ts';
import { createIdentityService, createPasswordResets, type IdentityService, type PasswordResets } from '../modules/identity/index.ts';
import {
  createApiUsersService,
  createConfigCache,
  createErrorLogService,
  createMerchantsService,
  merchantSubscriptionHooks,
  type ApiUsersService,
  type ConfigCache,
  type EcommerceEnv,
  type ErrorLogService,
  type MerchantDirectory,
  type MerchantsService,
} from '../modules/merchants/index.ts';
import { createInvitationsService, createOrganisationsService, type InvitationsService, type OrganisationsService } from '../modules/organisations/index.ts';
import {
  createDestinationPolicy,
  createHostResolver,
  createOutboundClient,
  type DestinationPolicy,
  type OutboundClient,
  type OutboundClientOptions,
} from '../modules/outbound/index.ts';
import { createExchangeLog, type ExchangeLog } from '../modules/pagopa-exchanges/index.ts';
import { createPagopaNode, createPaymentsReader, type PagopaNode, type PaymentsReader } from '../modules/pagopa-node/index.ts';
import { createReceiptDeliveryHandler, createReceiptsService, type ReceiptsService } from '../modules/pagopa-receipts/index.ts';
import { createPagopaRegistry, type Environment, type PagopaRegistry } from '../modules/pagopa-registry/index.ts';
import { createPagopaSimulator, type PagopaSimulator } from '../modules/pagopa-simulator/index.ts';
import { createProposalsService, proposalExpiryJob, type ProposalsService } from '../modules/proposals/index.ts';
import { createPlatformPki, ensureServerCertificate, serverCertificatePaths, type PlatformPki, type ServerCertificate } from '../modules/platform/index.ts';
import { stationJobs, createStationServices, type StationServices } from '../modules/stations/index.ts';
import {
  createSubscriptionServices,
  existingProductIds,
  grantProducts,
  type SubscriptionServices,
  type SubscriptionsService,
} from '../modules/subscriptions/index.ts';
import { createJobRunner, type PeriodicJob } from './jobs.ts';
import { createBackOfficeQueues } from './queues.ts';
import { createOnboardingChecklist } from './onboarding-checklist.ts';
import { createTimelines } from './timelines.ts';
import { createAuditViewer } from './audit-viewer.ts';
import type { AuditViewer } from '../kernel/audit-viewer.ts';
import type { BackOfficeQueues, OnboardingChecklist, Timelines } from '../kernel/home.ts';
import { proposalActions } from './proposal-actions.ts';
import type { ProductCatalog } from '../http/admin/organisations.ts';
import type { Logger } from './logger.ts';
import { createEmailHandler, invitationLinks, passwordResetLinks, passwordResetMail, passwordResetQueue, passwordResetRequests } from './mail.ts';
import { retentionJobs } from './retention.ts';

// The composition root (docs/adr/0027-composition-root.md): the only place where services are
// constructed, once per container, and a process makes one container. The server, the workers and
// the CLI ask it for what they need. Services are built on first use (a CLI command builds only what
// it touches; outbound pools and the PKI only when something calls out), and a service replaced
// before its first use (tests, `services.x = …`) is what every service built afterwards receives.

export interface HostedPageServices {
  entry: EntryService;
  payment: PaymentService;
  orders: OrdersService;
  /** Dynamic templates (TP) of the payment page, fetched with the feedback's plain client, cached in PostgreSQL. */
  templates: TemplateFetcher;
  /** Server-to-server feedback: the online attempt and the outbox's `http` handler (its plain outbound client). */
  feedback: FeedbackSender;
  /** Merchant configurations in memory, dropped on every change (LISTEN); started and stopped with the app. */
  configs: ConfigCache;
  /** The acquirer per environment (`prod` has no payment processor yet); the reconciliation job asks the same ones. */
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
  /** Capture, refund, cancel and renew of authorised payments (PAYIDSUB): DirectLink's maintenance, later the portal and the API. */
  operations: OperationsService;
  /** DirectLink: orderdirect, querydirect, maintenancedirect (`/ncol/<env>/…direct.asp`). */
  directlink: DirectLinkService;
  /** The card token vault (ALIAS): the hosted page and DirectLink keep and reuse cards, the JSON API lists and deletes them. */
  aliases: AliasesService;
}

export interface Services extends SubscriptionServices, StationServices {
  identity: IdentityService;
  /** Password reset by e-mail for administrators and referents (issue 14). */
  passwordResets: PasswordResets;
  organisations: OrganisationsService;
  invitations: InvitationsService;
  productCatalog: ProductCatalog;
  delivery: DeliveryService;
  /** Merchant accounts and technical settings; also the MerchantDirectory of the hosted page. */
  merchants: MerchantsService;
  /** Merchants' API users (DirectLink's USERID + PSWD): the portal and CLI manage them, DirectLink authenticates with them. */
  apiUsers: ApiUsersService;
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
  /** pagoPA: the node's tokens as the portal and the back office read them (state, expiry, the EC's data, the outcome). */
  pagopaPayments: PaymentsReader;
  /** pagoPA receipts: scheduled by the node in the outcome's transaction, delivered by the workers, read and re-sent by the pages. */
  receipts: ReceiptsService;
  /** Four-eyes: production changes that move money or trust wait for a second administrator (docs/adr/0034-four-eyes.md). */
  proposals: ProposalsService;
  /** The back office home's work queues (issue 14). */
  queues: BackOfficeQueues;
  /** The portal home's onboarding checklist per organisation (issue 14). */
  onboardingChecklist: OnboardingChecklist;
  /** What happened to a subscription, station or order, from the audit log (issue 14). */
  timelines: Timelines;
  /** The back office's audit-log viewer: search, pages, CSV and the chain's check. */
  auditViewer: AuditViewer;
  /** Deliveries given up: the back office list and bulk resend (issue 14), as `varco outbox resend` does. */
  givenUpDeliveries: GivenUpDeliveries;
}

export interface ContainerDeps {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  /** Writes the audit rows of every service; made once by the entry point from the clock and the master key. */
  audit: AuditLog;
  /** The database's connection string (embedded or DATABASE_URL), for LISTEN connections; default config.databaseUrl. */
  databaseUrl?: string;
  /** Seals secrets at rest (src/app/master-key.ts); tests that never touch sealed secrets may omit it. */
  masterKey?: Buffer;
  /** The hosted page's acquirers; default the built-in test acquirer (tests give a twin they can make fail). */
  acquirers?: Partial<Record<EcommerceEnv, Acquirer>>;
}

export interface Workers {
  /** Channels this process delivers; e-mail only when VARCO_SMTP_URL is set. */
  readonly channels: Channel[];
  start(): Promise<void>;
  /** Lets deliveries in flight finish; call before closing the container and the database. */
  stop(): Promise<void>;
}

export interface Container {
  readonly deps: Readonly<ContainerDeps>;
  /** Every service, built on first read; assigning one before its first read replaces it for everybody. */
  readonly services: Services;
  /** The platform PKI of this process (one; the station services and the entry points share it). */
  platform(): PlatformPki;
  /** The background workers (outbox, stations' schedule, periodic jobs), built once. */
  workers(): Workers;
  /** The outbox's handler per channel (e-mail only with VARCO_SMTP_URL), as the workers use them. */
  deliveryHandlers(): Partial<Record<Channel, DeliveryHandler>>;
  /** The SMTP mailer (undefined without VARCO_SMTP_URL), shared by the e-mail handler and `varco doctor`. */
  mailer(): Mailer | undefined;
  /** The outbound destination policy of every connection of this process (VARCO_OUTBOUND_ALLOW_CIDRS). */
  destinations(): DestinationPolicy;
  /** How many times each costly part was constructed (the one-per-process test reads it). */
  constructed(): Readonly<Record<string, number>>;
  /** Closes the outbound clients (and the SMTP mailer) built; after the app and the workers stopped, before the database. */
  close(): Promise<void>;
}

/** `<VARCO_DATA_DIR>/pki`: an earlier Varco's PKI (imported once) and this instance's development HTTPS certificate. */
export function pkiDirOf(config: Config): string {
  return join(config.dataDir, 'pki');
}

/** This instance's development HTTPS certificate (`<VARCO_DATA_DIR>/pki/server.crt`), issued by the shared test platform CA. */
export function devServerCertificate(config: Config, platform: PlatformPki): Promise<ServerCertificate> {
  return ensureServerCertificate({ dir: pkiDirOf(config), hostNames: config.hostNames, ca: () => platform.signingCa('test') });
}

/**
 * The CA of the development certificate for tools to trust (curl --cacert), as a shell started where
 * Varco was names it (`data/pki/server-ca.crt` under `npm start`); undefined with VARCO_TLS_CERT.
 */
/** The SMTP mailer the settings describe, none without VARCO_SMTP_URL; the caller closes it (`varco doctor` checks one without a database). */
export function configuredMailer(config: Config): Mailer | undefined {
  return config.smtpUrl ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom, requireTls: config.smtpRequireTls }) : undefined;
}

export function devServerCaFile(config: Config, cwd: string = process.cwd()): string | undefined {
  if (config.tls) return undefined;
  const file = serverCertificatePaths(pkiDirOf(config)).ca;
  const shown = relative(cwd, file);
  return shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}

/** Last successful ping with a key of an active subscription of the organisation in `env` (the stations' inbound direction). */
export function inboundVerifiedAtFrom(subscriptions: Pick<SubscriptionsService, 'list'>) {
  return async (organisationId: string, env: 'test' | 'prod'): Promise<Date | null> => {
    const active = (await subscriptions.list({ organisationId, state: 'active' })).filter((s) => s.environment === env && s.inbound_verified_at !== null);
    const times = active.map((s) => new Date(s.inbound_verified_at ?? 0).getTime());
    return times.length === 0 ? null : new Date(Math.max(...times));
  };
}

/** Referents manage the pagoPA registry of an environment only while their organisation has an active `node` subscription there. */
export function nodeActiveFrom(subscriptions: Pick<SubscriptionsService, 'list'>) {
  return async (organisationId: string, env: Environment): Promise<boolean> =>
    (await subscriptions.list({ organisationId, state: 'active' })).some((s) => s.product_code === 'node' && s.environment === env);
}

/**
 * A receipt call's timeouts, kept well inside the outbox lease: the worker abandons a delivery at 80 % of
 * the lease, and an attempt cut that way would not be recorded with the receipt. A station with a DR site
 * is tried twice (primary, then secondary), each with both timeouts: connecting at most a tenth of the
 * lease (and the stations' default 7 s), the answer at most a quarter (VARCO_PAGOPA_RT_TIMEOUT_MS below
 * that), so both attempts end within 70 % of it.
 */
export function receiptTimeouts(config: Pick<Config, 'pagopaRtTimeoutMs' | 'outboxLeaseMs'>): { connectTimeoutMs: number; responseTimeoutMs: number } {
  return {
    connectTimeoutMs: Math.min(7000, Math.floor(config.outboxLeaseMs * 0.1)),
    responseTimeoutMs: Math.max(1000, Math.min(config.pagopaRtTimeoutMs, Math.floor(config.outboxLeaseMs * 0.25))),
  };
}

export const RECONCILIATION_JOB = 'orders.reconcile';

/**
 * The hosted page's reconciliation (docs/adr/0022-order-reconciliation.md) as a periodic job: one
 * instance at a time (the job's lease); the guarded settle keeps a payment from being settled twice anyway.
 */
export function reconciliationJob(deps: {
  db: Kysely<Database>;
  clock: Clock;
  merchants: MerchantDirectory;
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
  logger?: ReconciliationOptions['logger'];
  tuning?: Pick<ReconciliationOptions, 'graceMs' | 'maxAgeMs' | 'queryTimeoutMs' | 'batch'>;
  operations?: ReconciliationOptions['operations'];
}): PeriodicJob {
  const reconciliation = createReconciliation({
    db: deps.db,
    clock: deps.clock,
    merchants: deps.merchants,
    acquirers: deps.acquirers,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.operations ? { operations: deps.operations } : {}),
    ...deps.tuning,
  });
  return { name: RECONCILIATION_JOB, everyMs: RECONCILE_EVERY_MS, run: async (now) => ({ ...(await reconciliation.run(now)) }) };
}

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

type Builders = { [K in keyof Services]-?: () => Services[K] };

/** An object whose properties are built on first read and may be replaced before (or after) it. */
function lazyServices(builders: Builders): Services {
  const made = new Map<keyof Services, unknown>();
  const services = {} as Services;
  for (const key of Object.keys(builders) as Array<keyof Services>) {
    Object.defineProperty(services, key, {
      enumerable: true,
      get: () => {
        if (!made.has(key)) made.set(key, builders[key]());
        return made.get(key);
      },
      set: (value: unknown) => {
        made.set(key, value);
      },
    });
  }
  return services;
}

export function createContainer(deps: ContainerDeps): Container {
  const { config, db, clock, audit, logger } = deps;
  const counts: Record<string, number> = {};
  const built: Array<{ close(): Promise<void> }> = [];
  /** A part built at most once, counted. */
  const once = <T>(name: string, build: () => T): (() => T) => {
    let value: { v: T } | undefined;
    return () => {
      if (value === undefined) {
        counts[name] = (counts[name] ?? 0) + 1;
        value = { v: build() };
      }
      return value.v;
    };
  };
  const databaseUrl = deps.databaseUrl ?? config.databaseUrl;
  // One policy for every outbound connection of this process: stations, verification, feedback, receipts.
  const destinations = once('destinationPolicy', () => createDestinationPolicy({ allowCidrs: config.outboundAllowCidrs }));
  // Every outbound client of the process is made here: one `mutual` (the station caller) and one `plain` (feedback).
  const outboundClient = (options: OutboundClientOptions): OutboundClient => {
    const name = `outboundClient.${options.mode.kind}`;
    counts[name] = (counts[name] ?? 0) + 1;
    return createOutboundClient(options);
  };
  const platform = once('platformPki', () => createPlatformPki({ db, clock, masterKey: deps.masterKey, legacyDir: pkiDirOf(config) }));
  const subscriptionGroup = once('subscriptionServices', (): SubscriptionServices =>
    createSubscriptionServices({ db, clock, audit, publicUrl: config.publicUrl, databaseUrl, hooks: merchantSubscriptionHooks, fourEyes: config.fourEyes }),
  );
  const stationGroup = once('stationServices', (): StationServices => {
    const pki = platform();
    const serverCertificatePem = config.tls
      ? () => readFile(config.tls?.certFile ?? '', 'utf8')
      : async () => (await devServerCertificate(config, pki)).certPem;
    const group = createStationServices({
      db,
      clock,
      audit,
      publicUrl: config.publicUrl,
      platform: pki,
      destinations: destinations(),
      databaseUrl,
      serverCertificatePem,
      inboundVerifiedAt: inboundVerifiedAtFrom(services.subscriptions),
      organisations: services.organisations,
      outboundClient,
    });
    built.push(group.stationCaller, { close: () => group.stationMemo.stop() });
    return group;
  });

  const services: Services = lazyServices({
    identity: () =>
      createIdentityService({
        db,
        clock,
        audit,
        sessionTtlMinutes: config.sessionTtlMinutes,
        sessionAbsoluteHours: config.sessionAbsoluteHours,
        signInMaxFailures: config.signInMaxFailures,
        signInLockMinutes: config.signInLockMinutes,
        // A disabled account's pending four-eyes proposals end with it, an administrator's or a referent's (docs/security.md 43).
        onAccountDisabled: async (trx, userId) => {
          await services.proposals.withdrawPendingOf(trx, userId);
        },
      }),
    queues: () => createBackOfficeQueues({ db, clock }),
    onboardingChecklist: () => createOnboardingChecklist({ db }),
    timelines: () => createTimelines({ db }),
    auditViewer: () => createAuditViewer({ db, organisations: services.organisations, masterKey: deps.masterKey }),
    givenUpDeliveries: () => createGivenUpDeliveries({ db, audit, clock }),
    passwordResets: () =>
      createPasswordResets({
        db,
        clock,
        audit,
        publicUrl: config.publicUrl,
        mail: passwordResetMail,
        queue: passwordResetQueue,
      }),
    organisations: () => createOrganisationsService({ db, clock, audit }),
    // The products an invitation names and grants are the subscriptions module's (organisations does not import it).
    invitations: () =>
      createInvitationsService({ db, clock, audit, publicUrl: config.publicUrl, products: { existing: existingProductIds, grant: grantProducts } }),
    productCatalog: () => subscriptionGroup().products,
    delivery: () => createDeliveryService({ db, sending: config.smtpUrl !== undefined }),
    merchants: () => createMerchantsService({ db, clock, audit, masterKey: deps.masterKey, publicUrl: config.publicUrl }),
    apiUsers: () => createApiUsersService({ db, clock, audit }),
    errorLog: () => createErrorLogService({ db, clock, maxRowsPerPspid: config.errorLogMaxRows }),
    exchanges: () => createExchangeLog({ db, clock }),
    pagopaPayments: () => createPaymentsReader({ db, clock }),
    // The simulated station keeps its rows in the station memory: one listener for what any station call reads.
    pagopaSimulator: () => createPagopaSimulator({ db, clock, audit, memo: services.stationMemo }),
    subscriptions: () => subscriptionGroup().subscriptions,
    apiKeys: () => subscriptionGroup().apiKeys,
    products: () => subscriptionGroup().products,
    keyVerifier: () => subscriptionGroup().keyVerifier,
    stations: () => stationGroup().stations,
    trust: () => stationGroup().trust,
    verification: () => stationGroup().verification,
    platformCertificates: () => stationGroup().platformCertificates,
    certificateExpiry: () => stationGroup().certificateExpiry,
    stationCaller: () => stationGroup().stationCaller,
    stationMemo: () => stationGroup().stationMemo,
    hostedPage: once('hostedPage', () => {
      // The one plain client: server-to-server feedback and the dynamic templates' fetches.
      const plain = outboundClient({ mode: { kind: 'plain' }, destinations: destinations(), logger: logger.child({ component: 'feedback' }) });
      // Feedback hosts' addresses reused for 10 s (outbound/host-resolver.ts; the policy still judges each delivery's).
      const feedback = createFeedbackSender({ trust: services.trust, destinations: destinations(), client: plain, resolve: createHostResolver() });
      built.push(feedback);
      const configs = createConfigCache({ directory: services.merchants, databaseUrl });
      // The twin keeps what it answered in the database: every instance's reconciliation job gets the same answers.
      const acquirers = deps.acquirers ?? { test: createTestAcquirer({ db, clock }) };
      const errorLog = services.errorLog;
      const recordError = async (error: Parameters<ErrorLogService['recordEntryError']>[0]): Promise<void> => {
        await errorLog.recordEntryError(error);
      };
      const operations = createOperationsService({ db, clock, merchants: configs, acquirers, audit, logger: logger.child({ component: 'maintenance' }) });
      const aliases = createAliasesService({ db, clock, masterKey: deps.masterKey, audit });
      const directlink = createDirectLinkService({
        aliases,
        db,
        clock,
        merchants: configs,
        apiUsers: services.apiUsers,
        recordError,
        acquirers,
        operations,
        publicUrl: config.publicUrl,
        logger: logger.child({ component: 'directlink' }),
      });
      return {
        operations,
        directlink,
        aliases,
        entry: createEntryService({
          db,
          clock,
          merchants: configs,
          processors: new Set(['test']),
          toolPage: `${config.publicUrl}/portal/shasign`,
          recordError,
          // The feedback of an order the entry ends (a challenge left unanswered on its last attempt), as the page sends it.
          sendNow: feedback.online,
          logger: logger.child({ component: 'hosted-page' }),
        }),
        payment: createPaymentService({
          db,
          clock,
          merchants: configs,
          acquirers,
          aliases,
          sendNow: feedback.online,
          logger: logger.child({ component: 'hosted-page' }),
        }),
        orders: createOrdersService({ db }),
        templates: createTemplateFetcher({ db, clock, client: plain, destinations: destinations(), trust: services.trust }),
        feedback,
        configs,
        acquirers,
      };
    }),
    proposals: () =>
      createProposalsService({
        db,
        clock,
        audit,
        enabled: config.fourEyes,
        ttlHours: config.proposalTtlHours,
        handlers: proposalActions({
          subscriptions: services.subscriptions,
          apiKeys: services.apiKeys,
          stations: services.stations,
          trust: services.trust,
          platformCertificates: services.platformCertificates,
          organisationName: async (id) => (await services.organisations.find(id))?.name,
          ecs: services.pagopaRegistry.ecs,
        }),
        // The other administrators hear of a proposal at once: unseen, it would expire after VARCO_PROPOSAL_TTL_HOURS.
        onProposed: async (trx, p) => {
          await enqueueEmailToAdmins(
            trx,
            {
              template: 'proposal_waiting',
              organisationId: p.organisationId,
              subjectType: 'proposal',
              subjectId: p.id,
              params: {
                kind: p.kind,
                environment: p.environment,
                subject: p.subjectId,
                proposerEmail: p.proposer.email,
                expiresAt: p.expiresAt.toISOString(),
                link: `${config.publicUrl}/admin/proposals/${p.id}`,
              },
            },
            { except: p.proposer.email },
          );
        },
      }),
    pagopaRegistry: once('pagopaRegistry', () => {
      const made = createPagopaRegistry({ db, clock, audit, nodeActive: nodeActiveFrom(services.subscriptions), databaseUrl, logger });
      built.push({ close: () => made.cache.stop() });
      return made;
    }),
    receipts: once('receiptsService', () => createReceiptsService({ db, clock, audit, directory: services.pagopaRegistry })),
    pagopaNode: once('pagopaNode', () =>
      createPagopaNode({
        db,
        clock,
        audit,
        registry: services.pagopaRegistry,
        stationCaller: services.stationCaller,
        simulator: services.pagopaSimulator,
        exchanges: services.exchanges,
        receipts: services.receipts,
        logger,
        timeouts: { verifyMs: config.pagopaVerifyTimeoutMs, getPaymentMs: config.pagopaGetPaymentTimeoutMs },
      }),
    ),
  });

  // The one SMTP mailer of the process (the e-mail handler, `varco doctor`); none without VARCO_SMTP_URL.
  const mailer = once('smtpMailer', (): Mailer | undefined => {
    const made = configuredMailer(config);
    if (made) built.push({ close: async () => made.close() });
    return made;
  });

  // The outbox's handler per channel, as the workers deliver with them (tests call one directly).
  const deliveryHandlers = once('deliveryHandlers', (): Partial<Record<Channel, DeliveryHandler>> => {
    const handlers: Partial<Record<Channel, DeliveryHandler>> = {};
    const smtp = mailer();
    if (smtp) {
      handlers.email = createEmailHandler(smtp, { ...invitationLinks(services.invitations), ...passwordResetLinks(services.passwordResets) });
    }
    // Password reset requests, carried out after the page answered (with or without SMTP: the e-mail they make waits for it).
    handlers.reset = passwordResetRequests(services.passwordResets);
    // Server-to-server feedback of the hosted page: plain HTTPS through the outbound client (never a client certificate).
    handlers.http = services.hostedPage.feedback.deliver;
    // pagoPA receipts (paSendRT[V2]) to the creditor institutions' stations (the one station caller), or their simulated stations.
    handlers.soap = createReceiptDeliveryHandler({
      db,
      clock,
      directory: services.pagopaRegistry,
      simulator: services.pagopaSimulator,
      stationCaller: services.stationCaller,
      exchanges: services.exchanges,
      ...receiptTimeouts(config),
      schedule: config.pagopaRtRetry,
      publicUrl: config.publicUrl,
      logger: logger.child({ component: 'receipts' }),
    });
    return handlers;
  });

  const workers = once('workers', (): Workers => {
    const handlers = deliveryHandlers();
    const owner = workerId();
    const outbox = createOutboxWorker({
      db,
      clock,
      logger: logger.child({ component: 'outbox' }),
      workerId: owner,
      handlers,
      leaseMs: config.outboxLeaseMs,
      listenUrl: databaseUrl,
      schedules: { soap: config.pagopaRtRetry },
      // Exhausted feedback is told to the merchant's referents; receipts (`soap`) tell their own in their handler, e-mail shows on the Mail page.
      onExhausted: { http: feedbackExhaustionMail(feedbackOwners(config.publicUrl)) },
    });
    // Every periodic job in one scheduler (src/app/jobs.ts), each under a lease so one instance runs it at a time:
    // retention (sessions included), reconciliation of interrupted payments, station re-verification, expiry warnings, proposal expiry.
    const reconcile = reconciliationJob({
      db,
      clock,
      merchants: services.merchants,
      acquirers: services.hostedPage.acquirers,
      operations: services.hostedPage.operations,
      logger: logger.child({ component: 'reconciliation' }),
    });
    const stations = stationJobs({
      db,
      verification: services.verification,
      expiry: services.certificateExpiry,
      intervalMinutes: config.verifyIntervalMinutes,
      logger: logger.child({ component: 'stations' }),
    });
    const jobs = createJobRunner({
      db,
      clock,
      logger: logger.child({ component: 'jobs' }),
      owner,
      // Unanswered four-eyes proposals expire here (approval itself also refuses one past its expiry).
      jobs: [...retentionJobs({ db, retention: config.retention }), reconcile, ...stations, proposalExpiryJob(services.proposals)],
    });
    return {
      channels: Object.keys(handlers) as Channel[],
      start: async () => {
        if (!config.smtpUrl) logger.info('VARCO_SMTP_URL is not set: e-mails stay in the outbox; read them on the back office Mail page');
        await outbox.start();
        jobs.start();
      },
      stop: async () => {
        await jobs.stop();
        await outbox.stop();
      },
    };
  });

  return {
    deps,
    services,
    platform,
    workers,
    deliveryHandlers,
    mailer,
    destinations,
    constructed: () => ({ ...counts }),
    close: async () => {
      await Promise.all(built.splice(0).map((part) => part.close()));
    },
  };
}
