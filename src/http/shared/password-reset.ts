import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PasswordResets, Surface } from '../../modules/identity/index.ts';
import { translate, type MessageKey } from '../../views/i18n.ts';
import { RESET_STRINGS, resetLinkDeadPage, resetNewPasswordPage, resetRequestPage, type ResetMessage } from '../../views/account/password-reset.ts';
import { anonymousCsrfToken } from './session.ts';
import { form, NoQuery, query, Text, typed } from './schemas.ts';

// Password reset by e-mail (issue 14), before sign-in on both surfaces: ask for a link, then choose a
// new password with it. The request's answer never tells whether the address has an account.
// The token travels in the query string (`token`, redacted from the access log) and the form.

const PROBLEM: Record<'too_short' | 'common' | 'mismatch', MessageKey> = {
  too_short: 'password.tooShort',
  common: 'password.common',
  mismatch: 'password.mismatch',
};

export function registerPasswordResetRoutes(app: FastifyInstance, options: { surface: Surface; resets: PasswordResets }): void {
  const { surface, resets } = options;
  const send = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(body);
  const requestPage = (request: FastifyRequest, reply: FastifyReply, status: number, message?: ResetMessage) =>
    send(reply, status, resetRequestPage(request.locale, surface, anonymousCsrfToken(request, reply), message));

  const routes = typed(app);
  routes.get('/password-reset', { schema: { querystring: NoQuery } }, async (request, reply) => requestPage(request, reply, 200));

  routes.post('/password-reset', { schema: { querystring: NoQuery, body: form({ email: Text }) } }, async (request, reply) => {
    const email = (request.body.email ?? '').slice(0, 254);
    const outcome = await resets.request({ surface, email, ip: request.ip });
    if (!outcome.ok) {
      reply.header('retry-after', String(outcome.retryAfterSeconds ?? 3600));
      return requestPage(request, reply, 429, { kind: 'error', text: RESET_STRINGS[request.locale].tooMany });
    }
    return requestPage(request, reply, 200, { kind: 'notice', text: RESET_STRINGS[request.locale].sent });
  });

  routes.get('/password-reset/new', { schema: { querystring: query({ token: Text }) } }, async (request, reply) => {
    const token = request.query.token ?? '';
    const state = await resets.check(surface, token);
    if (state !== 'valid') return send(reply, 410, resetLinkDeadPage(request.locale, surface, state));
    return send(reply, 200, resetNewPasswordPage(request.locale, surface, anonymousCsrfToken(request, reply), token));
  });

  routes.post(
    '/password-reset/new',
    { schema: { querystring: NoQuery, body: form({ token: Text, password: Text, confirm: Text }) } },
    async (request, reply) => {
      const token = (request.body.token ?? '').slice(0, 200);
      const outcome = await resets.complete({
        surface,
        token,
        password: (request.body.password ?? '').slice(0, 1024),
        confirm: (request.body.confirm ?? '').slice(0, 1024),
        ip: request.ip,
      });
      if (outcome.ok) return reply.redirect(`/${surface}/sign-in?reset=1`, 303);
      const reason = outcome.reason;
      if (reason === 'unknown' || reason === 'used' || reason === 'expired') return send(reply, 410, resetLinkDeadPage(request.locale, surface, reason));
      const message = { kind: 'error' as const, text: translate(request.locale, PROBLEM[reason]) };
      return send(reply, 400, resetNewPasswordPage(request.locale, surface, anonymousCsrfToken(request, reply), token, message));
    },
  );
}
