import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { enqueueEmail, enqueueEmailToAdmins } from '../delivery/index.ts';
import { getOrganisation, listReferents } from '../organisations/index.ts';
import type { ReceiptRow } from './receipts.repository.ts';

// The e-mail of a receipt given up: to the enabled referents of the institution it was for, in the
// transaction that marks it failed (so it is sent once, and not at all if that transaction fails).
// An institution Varco does not know as an organisation has no referents: administrators are told.

export async function mailUndelivered(trx: Kysely<Database>, row: ReceiptRow, publicUrl: string): Promise<number> {
  const first = await trx
    .selectFrom('pagopa_receipt_attempts')
    .select((eb) => eb.fn.min('started_at').as('at'))
    .where('receipt_id', '=', row.id)
    .where('outbox_message_id', '=', row.outbox_message_id)
    .executeTakeFirst();
  const firstAt = first?.at ? new Date(first.at).toISOString() : row.created_at.toISOString();
  const params = {
    environment: row.environment,
    noticeNumber: row.notice_number,
    receiptId: row.token,
    destination: row.station_code ?? row.recipient_fiscal_code,
    attempts: String(row.attempts),
    firstAttemptAt: firstAt,
    lastError: row.last_error ?? '',
  };
  const subject = { subjectType: 'pagopa_receipt', subjectId: row.id };
  const organisation = row.recipient_organisation_id ? await getOrganisation(trx, row.recipient_organisation_id) : undefined;
  if (!organisation) {
    const ids = await enqueueEmailToAdmins(trx, {
      template: 'pagopa_receipt_undelivered',
      ...subject,
      params: { ...params, firstName: '', organisationName: row.recipient_fiscal_code, link: `${publicUrl}/admin/pagopa/receipts/${row.id}` },
    });
    return ids.length;
  }
  const referents = (await listReferents(trx, organisation.id)).filter((r) => r.disabled_at === null);
  for (const referent of referents) {
    await enqueueEmail(trx, {
      to: referent.email,
      locale: referent.locale,
      template: 'pagopa_receipt_undelivered',
      organisationId: organisation.id,
      ...subject,
      params: { ...params, firstName: referent.first_name ?? '', organisationName: organisation.name, link: `${publicUrl}/portal/pagopa/receipts/${row.id}` },
    });
  }
  return referents.length;
}
