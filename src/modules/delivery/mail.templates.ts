// The e-mails Varco sends and the parameters each one needs. The wording lives in src/views/mail;
// the parameter names live here so enqueueing validates a message before it is stored: a missing
// parameter is a programming error and must fail in the transaction that causes the e-mail, not
// hours later in the worker.

export type MailTemplateName =
  | 'invitation'
  | 'subscription_submitted'
  | 'subscription_approved'
  | 'subscription_rejected'
  | 'subscription_suspended'
  | 'subscription_reactivated'
  | 'subscription_cancelled'
  | 'station_submitted'
  | 'station_approved'
  | 'station_changes_requested'
  | 'station_unreachable'
  | 'certificate_expiring'
  | 'client_certificate_published'
  | 'merchant_passphrase_replaced'
  | 'pagopa_receipt_undelivered'
  | 'feedback_undelivered'
  | 'password_reset'
  | 'proposal_waiting';

export type MailLocale = 'en' | 'it';

const SUBSCRIPTION = ['firstName', 'organisationName', 'productName', 'environment', 'subscriptionName', 'link'] as const;
const STATION_OUTCOME = ['firstName', 'organisationName', 'stationCode', 'environment', 'note', 'link'] as const;

export const MAIL_TEMPLATE_PARAMS: Readonly<Record<MailTemplateName, readonly string[]>> = {
  // The link is not stored: it is made when the e-mail is sent (SEND_TIME_PARAMS).
  invitation: ['firstName', 'organisationName', 'invitationId', 'expiresAt'],
  subscription_submitted: ['organisationName', 'productName', 'environment', 'subscriptionName', 'link'],
  subscription_approved: SUBSCRIPTION,
  subscription_rejected: [...SUBSCRIPTION, 'comment'],
  subscription_suspended: [...SUBSCRIPTION, 'comment'],
  subscription_reactivated: SUBSCRIPTION,
  subscription_cancelled: SUBSCRIPTION,
  station_submitted: ['organisationName', 'stationCode', 'environment', 'link'],
  station_approved: STATION_OUTCOME,
  station_changes_requested: STATION_OUTCOME,
  station_unreachable: ['firstName', 'organisationName', 'stationCode', 'environment', 'failedSteps', 'checkedAt', 'link'],
  // Platform certificates: stationCode and organisationName are '' (the e-mail goes to administrators).
  certificate_expiring: ['firstName', 'organisationName', 'stationCode', 'environment', 'certificateName', 'fingerprint', 'expiresAt', 'daysLeft', 'link'],
  client_certificate_published: ['firstName', 'organisationName', 'environment', 'certificateName', 'fingerprint', 'notBefore', 'notAfter', 'link'],
  // `which`: "SHA-IN", "SHA-OUT" or both; never the passphrase itself.
  merchant_passphrase_replaced: ['firstName', 'organisationName', 'pspid', 'which', 'link'],
  // A receipt whose deliveries were given up: which notice and receipt, where it went, what the EC's station last did.
  pagopa_receipt_undelivered: [
    'firstName',
    'organisationName',
    'environment',
    'noticeNumber',
    'receiptId',
    'destination',
    'attempts',
    'firstAttemptAt',
    'lastError',
    'link',
  ],
  // Server-to-server feedback whose retries ran out (ADR 0025): which order and event, where it went (no query string), what failed last.
  feedback_undelivered: [
    'firstName',
    'organisationName',
    'environment',
    'orderId',
    'eventId',
    'destination',
    'attempts',
    'firstAttemptAt',
    'lastError',
    'link',
  ],
  // The link is made at send time (SEND_TIME_PARAMS): the outbox names the request, never a usable link.
  password_reset: ['firstName', 'resetId', 'expiresAt'],
  // A four-eyes proposal waiting for a second administrator (ADR 0034): what, where, by whom, until when.
  proposal_waiting: ['kind', 'environment', 'subject', 'proposerEmail', 'expiresAt', 'link'],
};

export const MAIL_TEMPLATE_NAMES = Object.keys(MAIL_TEMPLATE_PARAMS) as MailTemplateName[];

/**
 * Parameters that work as credentials (the invitation link carries a single-use token) are never
 * stored: the outbox row names what they unlock, and the sender makes them at send time, so they
 * exist only in the message that leaves (src/app/mail.ts). A handler that cannot make one does not
 * send the e-mail.
 */
export const SEND_TIME_PARAMS: Partial<Record<MailTemplateName, readonly string[]>> = { invitation: ['link'], password_reset: ['link'] };

/** What an e-mail outbox row carries: rendered only at send time, so wording fixes apply to queued mail. */
export interface EmailPayload {
  to: string;
  template: MailTemplateName;
  locale: MailLocale;
  params: Record<string, string>;
}

export function isMailTemplateName(value: unknown): value is MailTemplateName {
  return typeof value === 'string' && Object.hasOwn(MAIL_TEMPLATE_PARAMS, value);
}

// One address, no display name, no CR/LF (header injection) and no commas (a second recipient).
const ADDRESS = /^[^\s@,;<>"]+@[^\s@,;<>"]+$/;

/**
 * The validated payload to store. Throws (a programming error) on an unknown template or locale, a
 * malformed recipient, or a missing parameter. Only the template's own parameters are kept, so a
 * caller cannot park unrelated data (or a secret) in the outbox by accident.
 */
export function emailPayload(input: { to: string; template: MailTemplateName; locale: MailLocale; params: Record<string, string> }): EmailPayload {
  if (!isMailTemplateName(input.template)) throw new Error(`Unknown mail template "${String(input.template)}"`);
  if (input.locale !== 'en' && input.locale !== 'it') throw new Error(`Unknown mail locale "${String(input.locale)}"`);
  const to = input.to.trim();
  if (!ADDRESS.test(to) || to.length > 254) throw new Error(`Mail template ${input.template}: recipient is not one e-mail address`);
  const params: Record<string, string> = {};
  for (const name of MAIL_TEMPLATE_PARAMS[input.template]) {
    const value = Object.hasOwn(input.params, name) ? input.params[name] : undefined;
    if (typeof value !== 'string') throw new Error(`Mail template ${input.template} needs the parameter "${name}"`);
    params[name] = value;
  }
  return { to, template: input.template, locale: input.locale, params };
}

/**
 * Parameters a template gained after e-mails of it may already wait in the outbox: such a stored e-mail
 * is read with the parameter empty (the template says nothing for it) instead of failing after an upgrade.
 */
const ADDED_LATER: Readonly<Partial<Record<MailTemplateName, readonly string[]>>> = {
  subscription_suspended: ['comment'],
};

/** Reads a stored payload back; throws when the row was not written by emailPayload (never expected). */
export function parseEmailPayload(value: unknown): EmailPayload {
  if (typeof value !== 'object' || value === null) throw new Error('E-mail payload is not an object');
  const v = value as Record<string, unknown>;
  const stored = typeof v.params === 'object' && v.params !== null ? (v.params as Record<string, string>) : {};
  const template = v.template as MailTemplateName;
  const later = Object.hasOwn(ADDED_LATER, template) ? (ADDED_LATER[template] ?? []) : [];
  const params = { ...Object.fromEntries(later.map((name) => [name, ''])), ...stored };
  return emailPayload({ to: String(v.to ?? ''), template, locale: v.locale as MailLocale, params });
}
