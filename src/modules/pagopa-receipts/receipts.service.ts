import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { isId, newId } from '../../kernel/ids.ts';
import type { AuditLog } from '../audit/index.ts';
import { enqueueOutboxMessage, newOutboxMessageId, nextAttemptOf, retryOutboxMessageNow } from '../delivery/index.ts';
import type { PagopaDirectory } from '../pagopa-registry/index.ts';
import { recipientsOf, snapshotOf } from './receipt.build.ts';
import { mayRead, mayResend, type ReceiptParties, type ReceiptViewer } from './receipts.policy.ts';
import * as repo from './receipts.repository.ts';
import type { PaidPayment } from './receipts.types.ts';
import { attemptView, receiptView, type ReceiptDetail, type ReceiptFilter, type ReceiptSummary, type ResendOutcome } from './receipts.views.ts';

// The receipts' use cases: `schedule` (the node, inside the outcome's transaction), the read side of
// the portal and the back office, and `resend`. Delivery itself is the outbox handler
// (receipt.delivery.ts), run by the workers.

export const RECEIPT_CHANNEL = 'soap' as const;
/** The outbox payload of a receipt delivery: which receipt; everything else is read at send time. */
export interface ReceiptMessage {
  kind: 'pagopa_receipt';
  receiptId: string;
}

export interface ReceiptActor {
  type: 'admin' | 'referent' | 'cli';
  id: string | null;
  ip: string | null;
}

export interface ReceiptsService {
  /** Inside the outcome transaction: stores the receipts and enqueues their deliveries (outbox). Idempotent per token. */
  schedule(trx: Kysely<Database>, paid: PaidPayment): Promise<string[]>;
  /** Newest first; `filter.before` is the last id of the previous page. */
  list(viewer: ReceiptViewer, filter?: ReceiptFilter): Promise<ReceiptSummary[]>;
  /** One receipt with its attempts; undefined when unknown or the viewer is not party to it. */
  get(viewer: ReceiptViewer, id: string): Promise<ReceiptDetail | undefined>;
  /** Delivers the receipt again (a delivered one too: the EC answers OK or PAA_RECEIPT_DUPLICATA); audited. */
  resend(viewer: ReceiptViewer, id: string, actor: ReceiptActor): Promise<ResendOutcome>;
}

export interface ReceiptsServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** The registry: the organisation (and name) of each creditor institution by fiscal code. */
  directory: Pick<PagopaDirectory, 'isEc'>;
}

const partiesOf = (r: repo.ReceiptRow): ReceiptParties => ({
  ecOrganisationId: r.ec_organisation_id,
  recipientOrganisationId: r.recipient_organisation_id,
  pspOrganisationId: r.psp_organisation_id,
  stationOrganisationId: r.station_organisation_id,
});

const MAX_PAGE = 200;

export function createReceiptsService(options: ReceiptsServiceOptions): ReceiptsService {
  const { db, clock, audit, directory } = options;

  /**
   * The token's receipts and their outbox messages, in the caller's transaction, which must hold the
   * token's row lock (the outcome's does): a second call that ran meanwhile would wait for this one
   * and then answer its ids instead of failing (docs/adr/0021).
   */
  async function schedule(trx: Kysely<Database>, paid: PaidPayment): Promise<string[]> {
    if (!trx.isTransaction) throw new Error('receipts.schedule must run inside the transaction that records the outcome');
    const recipients = recipientsOf(paid);
    // Read before writing: the registry answers from its own connection (it never waits on this transaction).
    const known = await Promise.all(recipients.map((code, i) => (i === 0 ? undefined : directory.isEc(paid.env, code))));
    const ecName = paid.payment.data.companyName === undefined ? (await directory.isEc(paid.env, paid.fiscalCode))?.name : undefined;
    const payload = snapshotOf(paid, ecName);
    const ids: string[] = [];
    for (const [position, code] of recipients.entries()) {
      const id = newId('rct');
      // The message's id is chosen first so the receipt can name it before the message exists (no
      // foreign key between the two; both commit together or not at all).
      const outboxMessageId = newOutboxMessageId();
      const recipientOrganisationId = position === 0 ? paid.ecOrganisationId : (known[position]?.organisationId ?? null);
      const receipt = {
        id,
        environment: paid.env,
        token: paid.token,
        noticeNumber: paid.noticeNumber,
        fiscalCode: paid.fiscalCode,
        ecOrganisationId: paid.ecOrganisationId,
        recipientFiscalCode: code,
        recipientOrganisationId,
        position,
        pspOrganisationId: paid.psp.organisationId,
        amountCents: paid.payment.data.paymentAmount,
        payload,
        outboxMessageId,
      };
      // One outcome per token, but a second call must not deliver twice: the first receipt decides
      // (issue 15: instead of reading the token's receipts first, one statement per flow). If it was
      // scheduled already, the token's receipts stand and nothing is written. A later recipient that
      // exists already fails on the unique key and rolls the outcome back.
      if (!(await repo.insertReceipt(trx, receipt, { ifNew: position === 0 }))) return repo.receiptIdsOfToken(trx, paid.env, paid.token);
      ids.push(id);
      const message: ReceiptMessage = { kind: 'pagopa_receipt', receiptId: id };
      await enqueueOutboxMessage(trx, {
        id: outboxMessageId,
        channel: RECEIPT_CHANNEL,
        payload: { ...message },
        organisationId: recipientOrganisationId,
        subjectType: 'pagopa_receipt',
        subjectId: id,
      });
    }
    // In position order, as receiptIdsOfToken answers; another schedule of the token cannot add any (unique key).
    return ids;
  }

  /** A delivery failure names the station's host and address: withheld from readers who do not operate the station (mayResend). */
  function asSeenBy(operates: boolean, r: ReceiptSummary): ReceiptSummary {
    return operates || r.lastError === null ? r : { ...r, lastError: null, lastErrorWithheld: true };
  }

  async function get(viewer: ReceiptViewer, id: string): Promise<ReceiptDetail | undefined> {
    if (!isId(id, 'rct')) return undefined;
    const row = await repo.findReceipt(db, id);
    if (!row || !mayRead(viewer, partiesOf(row))) return undefined;
    const operates = mayResend(viewer, partiesOf(row));
    const attempts = (await repo.attemptsOf(db, id)).map(attemptView);
    return {
      ...asSeenBy(operates, receiptView(row)),
      attemptLog: operates ? attempts : attempts.map((a) => (a.error === null ? a : { ...a, error: null, errorWithheld: true })),
      mayResend: operates,
      nextAttemptAt: row.state === 'pending' ? await nextAttemptOf(db, row.outbox_message_id) : null,
    };
  }

  async function resend(viewer: ReceiptViewer, id: string, actor: ReceiptActor): Promise<ResendOutcome> {
    if (!isId(id, 'rct')) return { ok: false, reason: 'not_found' };
    return db.transaction().execute(async (trx): Promise<ResendOutcome> => {
      const row = await repo.lockReceipt(trx, id);
      if (!row || !mayRead(viewer, partiesOf(row))) return { ok: false, reason: 'not_found' };
      if (!mayResend(viewer, partiesOf(row))) return { ok: false, reason: 'forbidden' };
      const now = clock.now();
      // Pending: the current message is made due now rather than doubled, unless a worker is delivering it.
      const current = row.state === 'pending' ? await retryOutboxMessageNow(trx, row.outbox_message_id, now) : 'delivered';
      if (current === 'leased') return { ok: false, reason: 'in_progress' };
      let mode: 'now' | 'queued' = 'now';
      if (current !== 'pending') {
        mode = 'queued';
        const message: ReceiptMessage = { kind: 'pagopa_receipt', receiptId: id };
        const outboxMessageId = await enqueueOutboxMessage(trx, {
          channel: RECEIPT_CHANNEL,
          payload: { ...message },
          organisationId: row.recipient_organisation_id,
          subjectType: 'pagopa_receipt',
          subjectId: id,
          supersedes: row.outbox_message_id,
        });
        await repo.restart(trx, id, outboxMessageId);
      }
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'pagopa.receipt.resend',
        subjectType: 'pagopa_receipt',
        subjectId: id,
        organisationId: row.recipient_organisation_id ?? row.ec_organisation_id,
        details: { environment: row.environment, noticeNumber: row.notice_number, recipient: row.recipient_fiscal_code, previousState: row.state, mode },
      });
      return { ok: true, mode };
    });
  }

  return {
    schedule,
    list: async (viewer, filter = {}) => {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), MAX_PAGE);
      const before = filter.before !== undefined && isId(filter.before, 'rct') ? filter.before : undefined;
      return (await repo.listReceipts(db, viewer, { ...filter, before, limit })).map((row) => asSeenBy(mayResend(viewer, partiesOf(row)), receiptView(row)));
    },
    get,
    resend,
  };
}
