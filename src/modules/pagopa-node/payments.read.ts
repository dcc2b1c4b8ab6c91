import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import {
  isPaymentToken,
  parseCursor,
  paymentDetail,
  paymentSummary,
  SUMMARY_COLUMNS,
  type PaymentDetail,
  type PaymentFilter,
  type PaymentStanding,
  type PaymentSummary,
  type PaymentViewer,
  type SummaryRow,
} from './payments.views.ts';

// The read side of the node's tokens for the portal and the back office (which token holds a notice,
// in what state, until when). Tenancy is in the SQL: an organisation reads a token it is party to as
// its PSP, its notice's EC or the owner of the station the EC was called at; administrators read all.
// Another organisation's token is not found, exactly like an unknown one. Newest activation first,
// keyset-paginated on (activated_at, token); an organisation's list is one ordered index scan per
// party, each limited, merged by UNION (migration 0038), never a scan of the table.

export const PAYMENTS_PAGE_SIZE = 50;
export const PAYMENTS_MAX_PAGE_SIZE = 200;

export interface PaymentsReader {
  /** Newest activation first; `filter.before` is the previous page's last `cursor`. */
  list(viewer: PaymentViewer, filter?: PaymentFilter): Promise<PaymentSummary[]>;
  /** One token with the EC's data and the outcome; undefined when unknown or the viewer is not party to it. */
  get(viewer: PaymentViewer, token: string): Promise<PaymentDetail | undefined>;
}

export interface PaymentsReaderOptions {
  db: Kysely<Database>;
  /** Judges whether a token is past its expiry, as the node does. */
  clock: Clock;
}

type Db = Kysely<Database>;
type ListQuery = SelectQueryBuilder<Database, 'pagopa_payments', SummaryRow>;

/** The stored state and which side of its expiry (`now`, as standingOf judges it) a standing means. */
function standingCondition(q: ListQuery, standing: PaymentStanding, now: Date): ListQuery {
  switch (standing) {
    case 'active':
      return q.where('state', '=', 'active').where('expires_at', '>', now);
    case 'lapsed':
      return q.where('state', '=', 'active').where('expires_at', '<=', now);
    case 'activating':
      return q.where('state', '=', 'activating').where('expires_at', '>', now);
    case 'stalled':
      return q.where('state', '=', 'activating').where('expires_at', '<=', now);
    default:
      return q.where('state', '=', standing);
  }
}

function applyFilter(query: ListQuery, f: PaymentFilter, limit: number, now: Date): ListQuery {
  let q = query;
  if (f.env) q = q.where('environment', '=', f.env);
  if (f.state) q = standingCondition(q, f.state, now);
  if (f.noticeNumber) q = q.where('notice_number', '=', f.noticeNumber);
  if (f.fiscalCode) q = q.where('fiscal_code', '=', f.fiscalCode);
  if (f.token) q = q.where('token', '=', f.token);
  if (f.from) q = q.where('activated_at', '>=', f.from);
  if (f.until) q = q.where('activated_at', '<', f.until);
  const before = f.before === undefined ? undefined : parseCursor(f.before);
  if (before) q = q.where(({ eb, refTuple, tuple }) => eb(refTuple('activated_at', 'token'), '<', tuple(before.activatedAt, before.token)));
  return q.orderBy('activated_at', 'desc').orderBy('token', 'desc').limit(limit);
}

async function searchPayments(db: Db, viewer: PaymentViewer, filter: PaymentFilter, limit: number, now: Date): Promise<SummaryRow[]> {
  const base = (): ListQuery => db.selectFrom('pagopa_payments').select(SUMMARY_COLUMNS);
  if ('admin' in viewer) return applyFilter(base(), filter, limit, now).execute();
  const org = viewer.organisationId;
  const psp = applyFilter(base().where('psp_organisation_id', '=', org), filter, limit, now);
  const ec = applyFilter(base().where('ec_organisation_id', '=', org), filter, limit, now);
  // The owner of a station it does not run for itself (a partner's): when the owner is the EC, the EC's
  // branch has the row already, and the index pagopa_payments_station_org holds only the others.
  const owner = applyFilter(
    base().where('station_organisation_id', '=', org).whereRef('station_organisation_id', '<>', 'ec_organisation_id'),
    filter,
    limit,
    now,
  );
  // UNION (not ALL): an organisation party twice (the PSP paying its own notice) gets the row once.
  const merged = await sql<SummaryRow>`${psp} UNION ${ec} UNION ${owner} ORDER BY activated_at DESC, token DESC LIMIT ${limit}`.execute(db);
  return merged.rows;
}

async function findPaymentFor(db: Db, viewer: PaymentViewer, token: string) {
  let query = db.selectFrom('pagopa_payments').selectAll().where('token', '=', token);
  if (!('admin' in viewer)) {
    const org = viewer.organisationId;
    query = query.where((eb) => eb.or([eb('psp_organisation_id', '=', org), eb('ec_organisation_id', '=', org), eb('station_organisation_id', '=', org)]));
  }
  return query.executeTakeFirst();
}

export function createPaymentsReader(options: PaymentsReaderOptions): PaymentsReader {
  const { db, clock } = options;
  return {
    async list(viewer, filter = {}) {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? PAYMENTS_PAGE_SIZE), 1), PAYMENTS_MAX_PAGE_SIZE);
      const now = clock.now();
      const rows = await searchPayments(db, viewer, filter, limit, now);
      return rows.map((row) => paymentSummary(row, now));
    },
    async get(viewer, token) {
      if (!isPaymentToken(token)) return undefined;
      const row = await findPaymentFor(db, viewer, token);
      return row && paymentDetail(row, clock.now());
    },
  };
}
