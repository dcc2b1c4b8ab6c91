import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InvitationsService } from '../../modules/organisations/index.ts';
import { page } from '../../views/layout.ts';
import { invitationForm, invitationProblemPage } from '../../views/portal/invitation.ts';
import { translate, type MessageKey } from '../../views/i18n.ts';
import { anonymousCsrfToken } from '../plugins/session.ts';

// The referent's side of an invitation: open the e-mailed link, confirm, choose a password.

export interface InvitationRoutesOptions {
  invitations: InvitationsService;
}

type Body = Record<string, unknown>;
const field = (body: Body, name: string): string => (typeof body[name] === 'string' ? (body[name] as string) : '');

export function registerInvitationRoutes(app: FastifyInstance, options: InvitationRoutesOptions): void {
  const { invitations } = options;
  const title = (request: FastifyRequest): string => (request.locale === 'it' ? 'Conferma registrazione' : 'Confirm your registration');
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

  const show = async (request: FastifyRequest, reply: FastifyReply, token: string, error?: MessageKey | { en: string; it: string }) => {
    const found = await invitations.lookup(token);
    if (found.state !== 'valid' || !found.invitation) {
      const state = found.state === 'valid' ? 'unknown' : found.state;
      return html(reply, state === 'unknown' ? 404 : 410, page({ locale: request.locale, title: title(request), body: invitationProblemPage(request.locale, state) }));
    }
    const locale = request.query && (request.query as Record<string, string>).lang ? request.locale : found.invitation.locale;
    // The page speaks the invitation's language (chosen by the administrator) unless ?lang= says otherwise.
    const message = error === undefined ? undefined : typeof error === 'string' ? translate(locale, error) : error[locale];
    const body = invitationForm(locale, { token, organisationName: found.invitation.organisation_name, email: found.invitation.email,
      csrf: anonymousCsrfToken(request, reply), error: message });
    return html(reply, error ? 400 : 200, page({ locale, title: locale === 'it' ? 'Conferma registrazione' : 'Confirm your registration', body }));
  };

  app.get('/invitation', (request, reply) => show(request, reply, String((request.query as Record<string, unknown>).token ?? '').slice(0, 200)));

  app.post('/invitation', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const token = field(body, 'token').slice(0, 200);
    const result = await invitations.accept(token, field(body, 'password').slice(0, 1024), field(body, 'passwordConfirm').slice(0, 1024), request.ip);
    if (result.ok) return reply.redirect('/portal/sign-in?welcome=1', 303);
    switch (result.reason) {
      case 'too_short': return show(request, reply, token, 'password.tooShort');
      case 'common': return show(request, reply, token, 'password.common');
      case 'mismatch': return show(request, reply, token, 'password.mismatch');
      case 'already_referent': return show(request, reply, token, { it: 'Esiste già un referente con questa e-mail.', en: 'A referent with this e-mail already exists.' });
      default: return show(request, reply, token);
    }
  });
}
