import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { enqueueEmail } from '../delivery/index.ts';
import { listReferents } from '../organisations/index.ts';

// E-mails about a merchant account, queued in the transaction of the change (delivery's outbox).
// They never carry a passphrase: only which one was replaced.

/** Every enabled referent of the organisation learns that a test passphrase was replaced. */
export async function mailPassphraseReplaced(
  trx: Kysely<Database>,
  merchant: { id: string; organisationId: string; pspid: string; name: string },
  which: ReadonlyArray<'shaIn' | 'shaOut'>,
  publicUrl: string,
): Promise<void> {
  const names = which.map((w) => (w === 'shaIn' ? 'SHA-IN' : 'SHA-OUT')).join(', ');
  for (const r of await listReferents(trx, merchant.organisationId)) {
    if (r.disabled_at !== null) continue;
    await enqueueEmail(trx, {
      to: r.email,
      template: 'merchant_passphrase_replaced',
      locale: r.locale,
      params: {
        firstName: r.first_name ?? '',
        organisationName: merchant.name,
        pspid: merchant.pspid,
        which: names,
        link: `${publicUrl}/portal/merchants/${merchant.id}/settings/test`,
      },
      organisationId: merchant.organisationId,
      subjectType: 'merchant',
      subjectId: merchant.id,
    });
  }
}
