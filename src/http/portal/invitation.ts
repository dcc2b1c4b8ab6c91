import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InvitationsService } from '../../modules/organisations/index.ts';
import { page } from '../../views/layout.ts';
import { invitationForm, invitationProblemPage } from '../../views/portal/invitation.ts';
import { translate, type MessageKey } from '../../views/i18n.ts';
import { anonymousCsrfToken } from '../shared/session.ts';
import { form, query, Text, typed } from '../shared/schemas.ts';

// The referent's side of an invitation: open the e-mailed link, confirm, choose a password.

export interface InvitationRoutesOptions {
  invitations: InvitationsService;
}

export function registerInvitationRoutes(app: FastifyInstance, options: InvitationRoutesOptions): void {
  const { invitations } = options;
  const title = (request: FastifyRequest): string => (request.locale === 'it' ? 'Conferma registrazione' : 'Confirm your registration');
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

  /** `lang`: the ?lang= the page was asked in, if any. */
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    lang: string | undefined,
    token: string,
    error?: MessageKey | { en: string; it: string },
  ) => {
    const found = await invitations.lookup(token);
    if (found.state !== 'valid' || !found.invitation) {
      const state = found.state === 'valid' ? 'unknown' : found.state;
      return html(
        reply,
        state === 'unknown' ? 404 : 410,
        page({ locale: request.locale, title: title(request), body: invitationProblemPage(request.locale, state) }),
      );
    }
    const locale = lang ? request.locale : found.invitation.locale;
    // The page speaks the invitation's language (chosen by the administrator) unless ?lang= says otherwise.
    const message = error === undefined ? undefined : typeof error === 'string' ? translate(locale, error) : error[locale];
    const body = invitationForm(locale, {
      token,
      organisationName: found.invitation.organisation_name,
      email: found.invitation.email,
      csrf: anonymousCsrfToken(request, reply),
      error: message,
    });
    return html(reply, error ? 400 : 200, page({ locale, title: locale === 'it' ? 'Conferma registrazione' : 'Confirm your registration', body }));
  };

  const routes = typed(app);
  routes.get('/invitation', { schema: { querystring: query({ token: Text }) } }, (request, reply) =>
    show(request, reply, request.query.lang, (request.query.token ?? '').slice(0, 200)),
  );

  routes.post(
    '/invitation',
    { schema: { querystring: query({}), body: form({ token: Text, password: Text, passwordConfirm: Text }) } },
    async (request, reply) => {
      const { body } = request;
      const token = (body.token ?? '').slice(0, 200);
      const lang = request.query.lang;
      const result = await invitations.accept(token, (body.password ?? '').slice(0, 1024), (body.passwordConfirm ?? '').slice(0, 1024), request.ip);
      if (result.ok) return reply.redirect('/portal/sign-in?welcome=1', 303);
      switch (result.reason) {
        case 'too_short':
          return show(request, reply, lang, token, 'password.tooShort');
        case 'common':
          return show(request, reply, lang, token, 'password.common');
        case 'mismatch':
          return show(request, reply, lang, token, 'password.mismatch');
        case 'already_referent':
          return show(request, reply, lang, token, { it: 'Esiste già un referente con questa e-mail.', en: 'A referent with this e-mail already exists.' });
        default:
          return show(request, reply, lang, token);
      }
    },
  );
}
