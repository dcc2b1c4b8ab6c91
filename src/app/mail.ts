import {
  enqueueEmail,
  enqueueOutboxMessage,
  parseEmailPayload,
  SEND_TIME_PARAMS,
  type DeliveryHandler,
  type EmailPayload,
  type Mailer,
  type MailTemplateName,
} from '../modules/delivery/index.ts';
import { parseResetRequest, type PasswordResets, type ResetMailer, type ResetQueue } from '../modules/identity/index.ts';
import type { InvitationsService } from '../modules/organisations/index.ts';
import { renderMail, type MailTemplate, type RenderedMail } from '../views/mail/index.ts';

// Composition of e-mail: the delivery module stores a template name and its parameters, the views
// hold the wording; rendering happens at send time so a wording fix reaches mail already queued.
// Parameters that are credentials (an invitation's link) are not stored at all: they are made here,
// just before sending (SEND_TIME_PARAMS), and exist only in the message that leaves.

// Compile-time check that the views know every template the delivery module accepts (and no other).
const sameTemplates: [MailTemplateName, MailTemplate] extends [MailTemplate, MailTemplateName] ? true : never = true;
void sameTemplates;

/** `moot`: the link's purpose is already served (an invitation accepted, a password reset done): nothing to send, nothing wrong. */
export type SendTimeOutcome = { ok: true; params: Record<string, string> } | { ok: false; error: string; moot?: boolean };
/** Per template, what makes its SEND_TIME_PARAMS from the stored parameters. */
export type SendTimeParams = Partial<Record<MailTemplateName, (params: Readonly<Record<string, string>>) => Promise<SendTimeOutcome>>>;

/** Invitation links: a fresh token per sending (src/modules/organisations/invitations.service.ts). */
export function invitationLinks(invitations: Pick<InvitationsService, 'mintLink'>): SendTimeParams {
  return {
    invitation: async (params) => {
      const minted = await invitations.mintLink(params.invitationId ?? '');
      if (minted.ok) return { ok: true, params: { link: minted.value.link } };
      const id = params.invitationId ?? '';
      return minted.reason === 'used'
        ? { ok: false, moot: true, error: `invitation ${id} was accepted before this e-mail was sent: nothing to send` }
        : { ok: false, error: `invitation ${id} is ${minted.reason}: not sent (send a new link from the organisation's page)` };
    },
  };
}

/** Password reset links: a fresh token per sending (src/modules/identity/password-reset.ts). */
export function passwordResetLinks(resets: Pick<PasswordResets, 'mintLink'>): SendTimeParams {
  return {
    password_reset: async (params) => {
      const minted = await resets.mintLink(params.resetId ?? '');
      if (minted.ok) return { ok: true, params: { link: minted.value.link } };
      const id = params.resetId ?? '';
      return minted.reason === 'used'
        ? { ok: false, moot: true, error: `password reset ${id} was completed before this e-mail was sent: nothing to send` }
        : { ok: false, error: `password reset ${id} is ${minted.reason}: not sent` };
    },
  };
}

/** The reset e-mail, queued in the request's transaction (identity does not import the delivery module). */
export const passwordResetMail: ResetMailer = async (trx, m) => {
  await enqueueEmail(trx, {
    to: m.to,
    locale: m.locale,
    template: 'password_reset',
    params: { firstName: m.firstName, resetId: m.resetId, expiresAt: m.expiresAt.toISOString() },
    organisationId: m.organisationId,
    subjectType: 'user',
    subjectId: m.userId,
  });
};

/**
 * A password reset request, recorded by the page the same way whatever address it names: a message on the
 * outbox's `reset` channel, in the caller's transaction. Its subject is the request (the row's id if the
 * address has an account), never a user: which one the address names is the worker's to find out.
 */
export const passwordResetQueue: ResetQueue = async (trx, request) => {
  await enqueueOutboxMessage(trx, { channel: 'reset', payload: { ...request }, subjectType: 'password_reset', subjectId: request.id });
};

/**
 * The outbox handler of the `reset` channel: the request carried out after the page answered (the account
 * looked up, the row and its e-mail made). A database that fails throws: the outbox tries again.
 */
export function passwordResetRequests(resets: Pick<PasswordResets, 'fulfil'>): DeliveryHandler {
  return async (message) => {
    const request = parseResetRequest(message.payload);
    if (!request) return { ok: false, permanent: true, error: 'not a password reset request' };
    await resets.fulfil(request);
    return { ok: true };
  };
}

export function renderEmail(email: EmailPayload): RenderedMail {
  return renderMail(email.template, email.locale, email.params);
}

/** The stored parameters with the send-time ones added; a missing maker is a failure, never a mail without its link. */
async function completeParams(email: EmailPayload, sendTime: SendTimeParams): Promise<SendTimeOutcome> {
  const needed = SEND_TIME_PARAMS[email.template] ?? [];
  if (needed.length === 0) return { ok: true, params: email.params };
  const make = sendTime[email.template];
  if (!make) return { ok: false, error: `no way to make ${needed.join(', ')} for ${email.template} e-mails in this process` };
  const made = await make(email.params);
  if (!made.ok) return made;
  const missing = needed.filter((name) => typeof made.params[name] !== 'string');
  return missing.length > 0
    ? { ok: false, error: `${email.template}: ${missing.join(', ')} not made` }
    : { ok: true, params: { ...email.params, ...made.params } };
}

/** The outbox handler of the 'email' channel: render, then send over SMTP with the outbox id as Message-ID. */
export function createEmailHandler(mailer: Mailer, sendTime: SendTimeParams): DeliveryHandler {
  return async (message, signal) => {
    let email: EmailPayload;
    try {
      email = parseEmailPayload(message.payload);
    } catch (error) {
      // A payload that cannot be read will not read on a retry either.
      return { ok: false, permanent: true, error: `cannot render: ${(error as Error).message}` };
    }
    // Throws when the database is unreachable: the worker records a failure to retry later.
    const params = await completeParams(email, sendTime);
    // The invitation was accepted, replaced or expired: sending it later cannot help either.
    if (!params.ok) return { ok: false, permanent: true, error: params.error, ...(params.moot === true ? { moot: true } : {}) };
    let rendered: RenderedMail;
    try {
      rendered = renderEmail({ ...email, params: params.params });
    } catch (error) {
      return { ok: false, permanent: true, error: `cannot render: ${(error as Error).message}` };
    }
    // The worker's cut-off signal: an e-mail still waiting for a pool connection then never goes out.
    const result = await mailer.send({ messageId: message.id, to: email.to, ...rendered }, signal);
    return result.ok
      ? { ok: true }
      : { ok: false, error: result.error, permanent: result.permanent, ...(result.statusCode ? { statusCode: result.statusCode } : {}) };
  };
}
