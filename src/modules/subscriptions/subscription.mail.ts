import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { enqueueEmail, enqueueEmailToAdmins } from '../delivery/index.ts';
import type { SubscriptionRow } from './subscriptions.repository.ts';
import { enabledReferentsOf, findEnabledReferent } from '../identity/index.ts';

// The e-mails of a subscription's life, queued in the transaction of the change (delivery's outbox).

type ReferentTemplate = 'subscription_approved' | 'subscription_rejected' | 'subscription_suspended' | 'subscription_reactivated' | 'subscription_cancelled';

const common = (s: SubscriptionRow): Record<string, string> => ({
  organisationName: s.organisation_name,
  productName: s.product_name,
  environment: s.environment,
  subscriptionName: s.name,
});

/** Administrators learn of a request that waits for them. */
export async function mailAdminsSubmitted(trx: Kysely<Database>, s: SubscriptionRow, publicUrl: string): Promise<void> {
  await enqueueEmailToAdmins(trx, {
    template: 'subscription_submitted',
    organisationId: s.organisation_id,
    subjectType: 'subscription',
    subjectId: s.id,
    params: { ...common(s), link: `${publicUrl}/admin/subscriptions/${s.id}` },
  });
}

/**
 * The referent who asked for the subscription hears of every decision; when that person is gone (or an
 * operator created it from the CLI), every enabled referent of the organisation does.
 */
export async function mailReferents(trx: Kysely<Database>, s: SubscriptionRow, template: ReferentTemplate, publicUrl: string, comment?: string): Promise<void> {
  const creator = s.created_by ? await findEnabledReferent(trx, s.created_by) : undefined;
  const recipients = creator && creator.organisation_id === s.organisation_id ? [creator] : await enabledReferentsOf(trx, s.organisation_id);
  for (const r of recipients) {
    const params: Record<string, string> = { ...common(s), firstName: r.first_name ?? '', link: `${publicUrl}/portal/subscriptions/${s.id}` };
    if (template === 'subscription_rejected' || template === 'subscription_suspended') params.comment = comment ?? '';
    await enqueueEmail(trx, {
      to: r.email,
      template,
      locale: r.locale,
      params,
      organisationId: s.organisation_id,
      subjectType: 'subscription',
      subjectId: s.id,
    });
  }
}
