import { parseEmailPayload, type DeliveryHandler, type EmailPayload, type Mailer, type MailTemplateName } from '../modules/delivery/index.ts';
import { renderMail, type MailTemplate, type RenderedMail } from '../views/mail/index.ts';

// Composition of e-mail: the delivery module stores a template name and its parameters, the views
// hold the wording; rendering happens at send time so a wording fix reaches mail already queued.

// Compile-time check that the views know every template the delivery module accepts (and no other).
const sameTemplates: [MailTemplateName, MailTemplate] extends [MailTemplate, MailTemplateName] ? true : never = true;
void sameTemplates;

export function renderEmail(email: EmailPayload): RenderedMail {
  return renderMail(email.template, email.locale, email.params);
}

/** The outbox handler of the 'email' channel: render, then send over SMTP with the outbox id as Message-ID. */
export function createEmailHandler(mailer: Mailer): DeliveryHandler {
  return async (message) => {
    let email: EmailPayload;
    let rendered: RenderedMail;
    try {
      email = parseEmailPayload(message.payload);
      rendered = renderEmail(email);
    } catch (error) {
      // A payload that cannot be rendered will not render on a retry either.
      return { ok: false, permanent: true, error: `cannot render: ${(error as Error).message}` };
    }
    const result = await mailer.send({ messageId: message.id, to: email.to, ...rendered });
    return result.ok ? { ok: true } : { ok: false, error: result.error, permanent: result.permanent, ...(result.statusCode ? { statusCode: result.statusCode } : {}) };
  };
}
