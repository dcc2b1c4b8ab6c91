/**
 * The server-to-server feedback of a maintenance operation (a status change): the merchant's
 * feedback parameters with PAYIDSUB always added and `amount` the operation's, signed with SHA-OUT,
 * sent through the outbox to the first server-to-server URL (the one for accepted, pending and
 * uncertain payments; the second when only it is set): a capture, a refund or a cancellation is
 * neither a customer's cancel nor a decline. Always deferred: no customer is waiting on a page.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { enqueueHttpMessage } from '../delivery/index.ts';
import { encodeForm, feedbackParameters, redirectUrl, type FeedbackPayment } from '../../protocols/ogone/index.ts';
import type { MerchantConfig } from '../merchants/index.ts';
import type { OrderRecord } from './orders.repository.ts';
import { feedbackOrder, selectedFields, shaOutOf } from './payment.feedback.ts';

/** Enqueues the feedback of one operation in the caller's transaction; the message id, or null when none is sent. */
export async function enqueueOperationFeedback(
  trx: Kysely<Database>,
  order: OrderRecord,
  config: MerchantConfig,
  payment: FeedbackPayment & { payIdSub: string },
  amount: number,
): Promise<string | null> {
  if (config.s2sTiming === 'none') return null;
  const base = config.s2sUrlAccepted || config.s2sUrlDeclined || '';
  if (base === '') return null;
  const url = base.replaceAll('<PARAMVAR>', encodeURIComponent(order.stored.paramvar ?? ''));
  const page = order.stored.page;
  const fields = [...selectedFields(config).filter((f) => f !== 'PAYIDSUB'), 'PAYIDSUB'];
  const params = feedbackParameters({ ...feedbackOrder(order), amount }, payment, shaOutOf(config, order), { channel: 'server', charset: page, fields });
  const target = { organisationId: order.organisationId, subjectType: 'order', subjectId: order.id, env: order.env } as const;
  if (config.s2sMethod === 'GET') return (await enqueueHttpMessage(trx, { ...target, method: 'GET', url: redirectUrl(url, params, page), headers: {} })).id;
  const charset = page === 'utf8' ? 'utf-8' : 'iso-8859-1';
  const headers = { 'content-type': `application/x-www-form-urlencoded; charset=${charset}` };
  return (await enqueueHttpMessage(trx, { ...target, method: 'POST', url, headers, body: encodeForm(params, page) })).id;
}
