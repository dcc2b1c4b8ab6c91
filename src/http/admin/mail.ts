import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import type { DeliveryService, EmailView } from '../../modules/delivery/index.ts';
import { page } from '../../views/layout.ts';
import { adminNav } from '../../views/nav.ts';
import { renderMail } from '../../views/mail/index.ts';
import { mailDetailPage, mailListPage, type MailRow } from '../../views/admin/mail.ts';
import type { SafeHtml } from '../../views/html.ts';

// The back office Mail page: the latest e-mails and each one rendered as it is (or would be) sent.
// Behind the admin session like every back office page (the context's hook redirects anonymous
// visitors to sign-in); the explicit check below keeps it so even if the route moves.

export interface MailRoutesOptions {
  delivery: DeliveryService;
}

function send(request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml): FastifyReply {
  const session = request.session;
  return reply.type('text/html; charset=utf-8').send(page({ locale: request.locale, title, body, nav: adminNav(request.locale),
    signOut: session ? { action: '/admin/sign-out', csrfToken: session.csrfToken } : undefined }));
}

function rendered(email: EmailView['email']): { subject: string; text: string; html: string } {
  return email ? renderMail(email.template, email.locale, email.params) : { subject: '', text: '', html: '' };
}

function row(view: EmailView, subject: string): MailRow {
  return { id: view.id, to: view.email?.to ?? '', subject, state: view.state, attempts: view.attempts, createdAt: view.createdAt, lastError: view.lastError };
}

export function registerMailRoutes(app: FastifyInstance, options: MailRoutesOptions): void {
  const { delivery } = options;
  const title = (request: FastifyRequest): string => (request.locale === 'it' ? 'Posta' : 'Mail');

  app.get('/mail', async (request, reply) => {
    if (!request.session) return reply.redirect('/admin/sign-in', 303);
    const rows = (await delivery.listEmails({ limit: 200 })).map((view) => row(view, rendered(view.email).subject));
    return send(request, reply, title(request), mailListPage(request.locale, rows, delivery.sending));
  });

  app.get<{ Params: { id: string } }>('/mail/:id', async (request, reply) => {
    if (!request.session) return reply.redirect('/admin/sign-in', 303);
    const view = await delivery.getEmail(request.params.id);
    if (!view) throw new VarcoError('not_found', 'No such e-mail.');
    const mail = rendered(view.email);
    const body = mailDetailPage(request.locale, { ...row(view, mail.subject), locale: view.email?.locale ?? 'en', template: view.email?.template ?? '',
      text: mail.text, html: mail.html, deliveredAt: view.deliveredAt, nextAttemptAt: view.nextAttemptAt, attemptLog: view.attemptLog });
    return send(request, reply, mail.subject || title(request), body);
  });
}
