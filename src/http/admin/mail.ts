import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { SEND_TIME_PARAMS, type DeliveryService, type EmailView } from '../../modules/delivery/index.ts';
import type { InvitationsService } from '../../modules/organisations/index.ts';
import type { Locale } from '../../views/i18n.ts';
import { adminNav } from '../../views/nav.ts';
import { renderMail } from '../../views/mail/index.ts';
import {
  invitationLinkCreatedPage,
  invitationLinkRefusedPage,
  mailDetailPage,
  mailListPage,
  mailTitles,
  sendTimePlaceholder,
  type InvitationLinkSection,
  type MailRow,
} from '../../views/admin/mail.ts';
import { adminActor } from './organisations.ts';
import { form, IdParams, NoQuery, typed } from '../shared/schemas.ts';
import { surfacePages } from '../shared/page.ts';

// The back office Mail page: the latest e-mails and each one rendered as it is (or would be) sent.
// Behind the admin session like every back office page (the context's hook redirects anonymous
// visitors to sign-in); the explicit checks below keep it so even if the routes move.
// An invitation's link is never stored: the page shows a placeholder, and "Create link" (a POST,
// audited) makes a fresh one and shows it once (docs/security.md section 13).

export interface MailRoutesOptions {
  delivery: DeliveryService;
  invitations: InvitationsService;
}

const send = surfacePages('admin', adminNav);

/** The e-mail as it would be sent, with a placeholder for what is made at send time (an invitation link). */
function rendered(email: EmailView['email'], locale: Locale): { subject: string; text: string; html: string } {
  if (!email) return { subject: '', text: '', html: '' };
  const placeholders = Object.fromEntries((SEND_TIME_PARAMS[email.template] ?? []).map((name) => [name, sendTimePlaceholder(locale)]));
  return renderMail(email.template, email.locale, { ...email.params, ...placeholders });
}

function row(view: EmailView, subject: string): MailRow {
  return {
    id: view.id,
    to: view.email?.to ?? '',
    subject,
    mailLocale: view.email?.locale ?? 'en',
    state: view.state,
    attempts: view.attempts,
    createdAt: view.createdAt,
    lastError: view.lastError,
  };
}

/** The invitation an e-mail carries the link of, if it is an invitation. */
const invitationOf = (view: EmailView): string | undefined => (view.email?.template === 'invitation' ? view.email.params.invitationId : undefined);

export function registerMailRoutes(app: FastifyInstance, options: MailRoutesOptions): void {
  const { delivery, invitations } = options;
  const title = (request: FastifyRequest): string => mailTitles(request.locale).list;

  const routes = typed(app);
  routes.get('/mail', { schema: { querystring: NoQuery } }, async (request, reply) => {
    if (!request.session) return reply.redirect('/admin/sign-in', 303);
    const rows = (await delivery.listEmails({ limit: 200 })).map((view) => row(view, rendered(view.email, request.locale).subject));
    return send(request, reply, title(request), mailListPage(request.locale, rows, delivery.sending));
  });

  routes.get('/mail/:id', { schema: { params: IdParams, querystring: NoQuery } }, async (request, reply) => {
    const session = request.session;
    if (!session) return reply.redirect('/admin/sign-in', 303);
    const view = await delivery.getEmail(request.params.id);
    if (!view) throw new VarcoError('not_found', 'No such e-mail.');
    const mail = rendered(view.email, request.locale);
    const invitationId = invitationOf(view);
    const invitationLink: InvitationLinkSection | undefined =
      invitationId === undefined
        ? undefined
        : { state: await invitations.stateById(invitationId), action: `/admin/mail/${view.id}/invitation-link`, csrf: session.csrfToken };
    const body = mailDetailPage(request.locale, {
      ...row(view, mail.subject),
      template: view.email?.template ?? '',
      text: mail.text,
      html: mail.html,
      deliveredAt: view.deliveredAt,
      nextAttemptAt: view.nextAttemptAt,
      attemptLog: view.attemptLog,
      ...(invitationLink ? { invitationLink } : {}),
    });
    return send(request, reply, mailTitles(request.locale).detail, body);
  });

  routes.post('/mail/:id/invitation-link', { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    if (!request.session) return reply.redirect('/admin/sign-in', 303);
    const view = await delivery.getEmail(request.params.id);
    const invitationId = view ? invitationOf(view) : undefined;
    if (!view || invitationId === undefined) throw new VarcoError('not_found', 'No such invitation e-mail.');
    const minted = await invitations.mintLink(invitationId, adminActor(request));
    const heading = mailTitles(request.locale).invitationLink;
    if (!minted.ok) return send(request, reply, heading, invitationLinkRefusedPage(request.locale, { mailId: view.id, state: minted.reason }), 409);
    return send(request, reply, heading, invitationLinkCreatedPage(request.locale, { mailId: view.id, email: minted.value.email, link: minted.value.link }));
  });
}
