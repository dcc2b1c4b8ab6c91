import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InvitationsService } from '../../modules/organisations/index.ts';
import { invitationForm, invitationProblemPage } from '../../views/portal/invitation.ts';
import { translate, type MessageKey } from '../../views/i18n.ts';
import { anonymousCsrfToken } from '../shared/session.ts';
import { sendAnonymousPage } from '../shared/page.ts';
import { form, query, Text, typed } from '../shared/schemas.ts';

// The referent's side of an invitation: open the e-mailed link, confirm, choose a password.

export interface InvitationRoutesOptions {
  invitations: InvitationsService;
}

export function registerInvitationRoutes(app: FastifyInstance, options: InvitationRoutesOptions): void {
  const { invitations } = options;
  const title = (request: FastifyRequest): string => translate(request.locale, 'invitation.title');

  const show = async (request: FastifyRequest, reply: FastifyReply, token: string, error?: MessageKey) => {
    const found = await invitations.lookup(token);
    if (found.state !== 'valid' || !found.invitation) {
      const state = found.state === 'valid' ? 'unknown' : found.state;
      return sendAnonymousPage(request, reply, {
        surface: 'portal',
        status: state === 'unknown' ? 404 : 410,
        title: title(request),
        body: invitationProblemPage(request.locale, state),
      });
    }
    // The page speaks the invitation's language (chosen by the administrator) unless the person chose
    // one (?lang=, or the switch's cookie).
    const locale = request.localeSource === 'browser' ? found.invitation.locale : request.locale;
    const message = error === undefined ? undefined : translate(locale, error);
    const body = invitationForm(locale, {
      token,
      organisationName: found.invitation.organisation_name,
      email: found.invitation.email,
      csrf: anonymousCsrfToken(request, reply),
      error: message,
    });
    return sendAnonymousPage(request, reply, { surface: 'portal', status: error ? 400 : 200, locale, title: translate(locale, 'invitation.title'), body });
  };

  const routes = typed(app);
  routes.get('/invitation', { schema: { querystring: query({ token: Text }) } }, (request, reply) =>
    show(request, reply, (request.query.token ?? '').slice(0, 200)),
  );

  routes.post(
    '/invitation',
    { schema: { querystring: query({}), body: form({ token: Text, password: Text, passwordConfirm: Text }) } },
    async (request, reply) => {
      const { body } = request;
      const token = (body.token ?? '').slice(0, 200);
      const result = await invitations.accept(token, (body.password ?? '').slice(0, 1024), (body.passwordConfirm ?? '').slice(0, 1024), request.ip);
      if (result.ok) return reply.redirect('/portal/sign-in?welcome=1', 303);
      switch (result.reason) {
        case 'too_short':
          return show(request, reply, token, 'password.tooShort');
        case 'common':
          return show(request, reply, token, 'password.common');
        case 'mismatch':
          return show(request, reply, token, 'password.mismatch');
        case 'already_referent':
          return show(request, reply, token, 'invitation.alreadyReferent');
        default:
          return show(request, reply, token);
      }
    },
  );
}
