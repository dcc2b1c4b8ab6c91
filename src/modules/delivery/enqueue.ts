import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { newId } from '../../kernel/ids.ts';
import { emailPayload, type MailLocale, type MailTemplateName } from './mail.templates.ts';
import { adminRecipients } from '../identity/index.ts';
import { insertOutbox } from './outbox.repository.ts';

// Enqueueing happens inside the transaction of the change that causes the e-mail: committed together
// or not at all. The worker sends after commit; the message id (msg_…) is the event id a receiver can
// use to drop duplicates, since delivery is at least once.

export interface EmailInput {
  to: string;
  template: MailTemplateName;
  locale: MailLocale;
  params: Record<string, string>;
  organisationId?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
}

export async function enqueueEmail(trx: Kysely<Database>, input: EmailInput): Promise<string> {
  if (!trx.isTransaction) throw new Error('enqueueEmail must run inside the transaction of the change that causes the e-mail');
  const payload = emailPayload(input);
  const id = newId('msg');
  await insertOutbox(trx, { id, channel: 'email', payload, organisationId: input.organisationId, subjectType: input.subjectType, subjectId: input.subjectId });
  return id;
}

/** One message per enabled administrator, each in that administrator's locale. */
export async function enqueueEmailToAdmins(
  trx: Kysely<Database>,
  input: Omit<EmailInput, 'to' | 'locale'>,
  options: { except?: string } = {},
): Promise<string[]> {
  if (!trx.isTransaction) throw new Error('enqueueEmailToAdmins must run inside the transaction of the change that causes the e-mail');
  const ids: string[] = [];
  for (const admin of await adminRecipients(trx)) {
    // The administrator who caused it (`except`, an e-mail) needs no e-mail about it.
    if (options.except !== undefined && admin.email.toLowerCase() === options.except.toLowerCase()) continue;
    ids.push(await enqueueEmail(trx, { ...input, to: admin.email, locale: admin.locale }));
  }
  return ids;
}
