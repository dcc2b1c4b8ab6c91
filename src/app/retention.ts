import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { TEST_LEDGER_RETENTION_DAYS, pruneTestAcquirerLedger } from '../modules/checkout/index.ts';
import { pruneFinishedMessages } from '../modules/delivery/index.ts';
import { pruneErrorLog } from '../modules/merchants/index.ts';
import { deleteExpiredSessions, prunePasswordResets, pruneThrottles } from '../modules/identity/index.ts';
import { pruneExchanges } from '../modules/pagopa-exchanges/index.ts';
import { pruneIdempotency } from '../modules/pagopa-node/index.ts';
import { pruneChecks } from '../modules/stations/index.ts';
import type { PeriodicJob } from './jobs.ts';

// Retention (docs/security.md section 7, "Retention jobs"): what Varco stores because of outside
// traffic or routine work does not grow for ever. One periodic job per rule, each run by one instance
// at a time (src/app/jobs.ts); each module deletes its own rows.

const DAY_MS = 24 * 60 * 60 * 1000;
/** Hourly: each run deletes about an hour's worth of rows, never a backlog of days. */
export const RETENTION_EVERY_MS = 60 * 60 * 1000;

/** Finished `reset` outbox messages (password reset requests as typed) are kept this long. */
const RESET_REQUEST_DAYS = 1;

const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY_MS);

export function retentionJobs(options: { db: Kysely<Database>; retention: Config['retention'] }): PeriodicJob[] {
  const { db, retention } = options;
  const job = (name: string, run: (now: Date) => Promise<number>): PeriodicJob => ({
    name: `retention.${name}`,
    everyMs: RETENTION_EVERY_MS,
    run: async (now) => ({ deleted: await run(now) }),
  });
  return [
    // The hosted page's error log: a rejected request is stored for the merchant to read, then goes.
    job('error_log', (now) => pruneErrorLog(db, daysBefore(now, retention.errorLogDays))),
    // Delivered and given-up messages, with their attempts; pending ones are kept whatever their age.
    job('outbox', (now) => pruneFinishedMessages(db, daysBefore(now, retention.outboxDays))),
    // Password reset requests carried out (or given up): the address a visitor typed (an account's or
    // not, a password typed in the wrong field) and their IP go a day later, as the typed-account counters do.
    job('reset_requests', (now) => pruneFinishedMessages(db, daysBefore(now, RESET_REQUEST_DAYS), undefined, 'reset')),
    // Station verification history; each station's latest check is kept (its page and the warnings read it).
    job('station_checks', (now) => pruneChecks(db, daysBefore(now, retention.checksDays))),
    // Sessions past their expiry: useless to anyone, and each one is a row per sign-in.
    job('sessions', (now) => deleteExpiredSessions(db, { now: () => now })),
    // Password reset requests a week after their link expired (issue 14).
    job('password_resets', (now) => prunePasswordResets(db, now)),
    // Sign-in and reset-request counters a day after their window, unless they still lock: one per address or typed account.
    job('throttles', (now) => pruneThrottles(db, now)),
    // pagoPA SOAP messages (issue 11): kept for the parties to debug their integration, then gone.
    job('pagopa_exchanges', (now) => pruneExchanges(db, daysBefore(now, retention.exchangesDays))),
    // pagoPA activation idempotency records whose token's life is over: they can answer nothing any more.
    job('pagopa_idempotency', (now) => pruneIdempotency(db, now)),
    // The test acquirer's answers, once no reconciliation will ask about them (a fixed week: protocol, not a setting).
    job('test_acquirer', (now) => pruneTestAcquirerLedger(db, daysBefore(now, TEST_LEDGER_RETENTION_DAYS))),
  ];
}
