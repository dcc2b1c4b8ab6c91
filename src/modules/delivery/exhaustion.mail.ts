import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { enqueueEmail } from './enqueue.ts';
import { isHttpMessage } from './http.outbox.ts';
import type { MailLocale } from './mail.templates.ts';
import type { ExhaustedMessage, ExhaustionNotifier } from './worker.ts';

// The notice that server-to-server feedback was exhausted (ADR 0025): an e-mail to each person the
// owner names, in their language, enqueued in the transaction that records the last attempt, so it
// is sent once per exhaustion. Who the people are and what the message was about (the merchant's
// order reference, the portal page) is the owning module's knowledge: the wiring passes `owners`.

export interface ExhaustionOwners {
  organisationName: string;
  /** Enabled people to tell; none means nobody is e-mailed (the portal still shows the state). */
  recipients: ReadonlyArray<{ email: string; locale: MailLocale; firstName: string }>;
  /** What the message was about, in the owner's words (the merchant's ORDERID). */
  reference: string;
  /** The page where the owner sees the attempts and can resend. */
  link: string;
}

export type OwnersLookup = (trx: Kysely<Database>, message: ExhaustedMessage) => Promise<ExhaustionOwners | undefined>;

/** The URL without query or fragment: a merchant may carry its own parameters there; the e-mail names the endpoint. */
function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}

/** The notifier of the `http` channel: `feedback_undelivered` to the owner's referents. */
export function feedbackExhaustionMail(owners: OwnersLookup): ExhaustionNotifier {
  return async (trx, message) => {
    const who = await owners(trx, message);
    if (!who || !isHttpMessage(message.payload)) return;
    const first = await trx
      .selectFrom('outbox_attempts')
      .select((eb) => eb.fn.min('started_at').as('at'))
      .where('message_id', '=', message.id)
      .executeTakeFirst();
    const params = {
      organisationName: who.organisationName,
      environment: message.payload.env,
      orderId: who.reference,
      eventId: message.payload.eventId,
      destination: endpointOf(message.payload.url),
      attempts: String(message.attempts),
      lastError: message.lastError,
      link: who.link,
      firstAttemptAt: (first?.at ? new Date(first.at) : message.createdAt).toISOString(),
    };
    for (const person of who.recipients) {
      await enqueueEmail(trx, {
        to: person.email,
        locale: person.locale,
        template: 'feedback_undelivered',
        params: { ...params, firstName: person.firstName },
        organisationId: message.organisationId,
        subjectType: message.subjectType,
        subjectId: message.subjectId,
      });
    }
  };
}
