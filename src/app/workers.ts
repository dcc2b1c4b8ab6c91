import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import { createOutboxWorker, createSmtpMailer, feedbackExhaustionMail, type DeliveryHandler, type Channel, type Mailer } from '../modules/delivery/index.ts';
import { createInvitationsService } from '../modules/organisations/index.ts';
import { createTestAcquirer, type Acquirer } from '../modules/checkout/index.ts';
import { createMerchantsService, type EcommerceEnv, type MerchantDirectory } from '../modules/merchants/index.ts';
import { createEmailHandler, invitationLinks } from './mail.ts';
import { destinationsOf, wireStationScheduler, wireStationServices } from './stations.ts';
import { createFeedbackSender, feedbackOwners } from './feedback.ts';
import { createJobRunner } from './jobs.ts';
import { retentionJobs } from './retention.ts';
import { wireReceiptDelivery } from './pagopa-receipts.ts';
import { reconciliationJob } from './reconciliation.ts';
import type { Logger } from './logger.ts';

// The background workers of one Varco process, wired from configuration: the outbox (e-mail,
// server-to-server feedback, pagoPA receipts), the stations' schedule and the periodic jobs (retention). Used by the server
// (when VARCO_WORKERS is true) and by src/main/worker.ts (workers only).

export interface Workers {
  /** Channels this process delivers; e-mail only when VARCO_SMTP_URL is set. */
  readonly channels: Channel[];
  start(): Promise<void>;
  /** Lets deliveries in flight finish; call before closing the database. */
  stop(): Promise<void>;
}

export interface WorkersDeps {
  config: Config;
  db: Kysely<Database>;
  /** The database URL, for the LISTEN connection. */
  databaseUrl: string;
  logger: Logger;
  clock: Clock;
  /** Station re-verification records its verdicts in the audit log. */
  audit: AuditLog;
  /** Handlers other channels add (server-to-server delivery, later). */
  extraHandlers?: Partial<Record<Channel, DeliveryHandler>>;
  /** Opens the merchants' SHA-OUT passphrases (feedback of reconciled payments) and the platform client key (station calls). */
  masterKey?: Buffer;
  /** The acquirers the reconciliation asks: the server's own when it runs the workers (the test twin remembers in memory). */
  acquirers?: Partial<Record<EcommerceEnv, Acquirer>>;
  /** The merchants' settings; default a directory of this process. */
  merchants?: MerchantDirectory;
}

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function createWorkers(deps: WorkersDeps): Workers {
  const { config, db, logger, clock, audit } = deps;
  let mailer: Mailer | undefined;
  const handlers: Partial<Record<Channel, DeliveryHandler>> = { ...deps.extraHandlers };
  if (config.smtpUrl) {
    mailer = createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom, requireTls: config.smtpRequireTls });
    handlers.email = createEmailHandler(mailer, invitationLinks(createInvitationsService({ db, clock, audit, publicUrl: config.publicUrl })));
  }
  // Server-to-server feedback of the hosted page: plain HTTPS through the outbound client (never a client certificate).
  const feedback = handlers.http ? undefined : createFeedbackSender({ trust: wireStationServices({ config, db, clock, audit, masterKey: deps.masterKey }).trust, destinations: destinationsOf(config),
    logger: logger.child({ component: 'feedback' }) });
  if (feedback) handlers.http = feedback.deliver;
  // pagoPA receipts (paSendRT[V2]) to the creditor institutions' stations, or their simulated stations.
  const receipts = handlers.soap ? undefined : wireReceiptDelivery({ config, db, clock, audit, masterKey: deps.masterKey, logger: logger.child({ component: 'receipts' }) });
  if (receipts) handlers.soap = receipts.handler;
  const channels = Object.keys(handlers) as Channel[];
  const owner = workerId();
  const worker = createOutboxWorker({ db, clock, logger: logger.child({ component: 'outbox' }), workerId: owner, handlers,
    leaseMs: config.outboxLeaseMs, listenUrl: deps.databaseUrl, schedules: { soap: config.pagopaRtRetry },
    // Exhausted feedback is told to the merchant's referents; receipts (`soap`) tell their own in their handler, e-mail shows on the Mail page.
    onExhausted: { http: feedbackExhaustionMail(feedbackOwners(config.publicUrl)) } });
  // Periodic jobs (retention, reconciliation of interrupted payments), each under a lease so one instance runs it at a time.
  const merchants = deps.merchants ?? createMerchantsService({ db, clock, audit, masterKey: deps.masterKey, publicUrl: config.publicUrl });
  const reconcile = reconciliationJob({ db, clock, merchants, acquirers: deps.acquirers ?? { test: createTestAcquirer() }, logger: logger.child({ component: 'reconciliation' }) });
  const jobs = createJobRunner({ db, clock, logger: logger.child({ component: 'jobs' }), owner, jobs: [...retentionJobs({ db, retention: config.retention }), reconcile] });
  // Station re-verification and certificate expiry warnings; an advisory lock lets one instance run them at a time.
  const stationSchedule = wireStationScheduler({ config, db, clock, audit, masterKey: deps.masterKey, logger: logger.child({ component: 'stations' }) });
  return {
    channels,
    start: async () => {
      if (!config.smtpUrl) logger.info('VARCO_SMTP_URL is not set: e-mails stay in the outbox; read them on the back office Mail page');
      await worker.start();
      stationSchedule.start();
      jobs.start();
    },
    stop: async () => {
      await jobs.stop();
      await stationSchedule.stop();
      await worker.stop();
      mailer?.close();
      await feedback?.close();
      await receipts?.close();
    },
  };
}
