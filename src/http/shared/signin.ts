import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityService, PasswordResets, Surface } from '../../modules/identity/index.ts';
import { RESET_STRINGS } from '../../views/account/password-reset.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { translate, type Locale } from '../../views/i18n.ts';
import { registerPasswordResetRoutes } from './password-reset.ts';
import { anonymousCsrfToken, clearSessionCookie, returnPath, setSessionCookie } from './session.ts';
import { adoptLocaleAtSignIn, registerLanguageRoute } from './language.ts';
import { sendAnonymousPage } from './page.ts';
import { form, NoQuery, query, Text, typed } from './schemas.ts';
import { messageBox } from '../../views/shared/message.ts';

// Sign-in and sign-out, shared by the back office (administrators) and the portal (referents), with
// the password reset by e-mail and the return to the page the person was sent to (`next`).

export interface SignInRoutesOptions {
  surface: Surface;
  identity: IdentityService;
  ttlMinutes: number;
  /** Password reset by e-mail (its routes are registered with sign-in's). */
  passwordResets: PasswordResets;
}

const SignInForm = form({ email: Text, password: Text, next: Text });

function signInForm(locale: Locale, surface: Surface, csrf: string, message?: { kind: 'error' | 'notice'; text: string }, email = '', next = ''): SafeHtml {
  return html`${messageBox(message)}
<form method="post" action="/${surface}/sign-in">
<input type="hidden" name="_csrf" value="${csrf}">
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<label for="email">${translate(locale, 'signin.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${email}">
<label for="password">${translate(locale, 'signin.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${translate(locale, 'signin.submit')}</button>
</form>
<p><a href="/${surface}/password-reset">${RESET_STRINGS[locale].forgot}</a></p>`;
}

export function registerSignInRoutes(app: FastifyInstance, options: SignInRoutesOptions): void {
  const { surface, identity } = options;
  registerLanguageRoute(app, { surface, identity });
  registerPasswordResetRoutes(app, { surface, resets: options.passwordResets });
  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    message?: { kind: 'error' | 'notice'; text: string },
    email?: string,
    next?: string,
  ) =>
    sendAnonymousPage(request, reply, {
      surface,
      status,
      title: translate(request.locale, surface === 'admin' ? 'signin.adminTitle' : 'signin.portalTitle'),
      body: signInForm(request.locale, surface, anonymousCsrfToken(request, reply), message, email, next),
    });

  const routes = typed(app);
  routes.get('/sign-in', { schema: { querystring: query({ signedOut: Text, welcome: Text, reset: Text, next: Text }) } }, async (request, reply) => {
    const next = returnPath(surface, request.query.next);
    if (request.session) return reply.redirect(next, 303);
    const notice =
      request.query.signedOut === '1'
        ? translate(request.locale, 'signin.signedOut')
        : request.query.welcome === '1'
          ? translate(request.locale, 'signin.welcome')
          : request.query.reset === '1'
            ? RESET_STRINGS[request.locale].done
            : undefined;
    return show(request, reply, 200, notice ? { kind: 'notice', text: notice } : undefined, '', next === `/${surface}` ? '' : next);
  });

  routes.post('/sign-in', { schema: { querystring: NoQuery, body: SignInForm } }, async (request, reply) => {
    const email = (request.body.email ?? '').slice(0, 254);
    const password = (request.body.password ?? '').slice(0, 1024);
    // A failed try keeps where the person was going.
    const wanted = returnPath(surface, request.body.next);
    const keepNext = wanted === `/${surface}` ? '' : wanted;
    const outcome = await identity.signIn({ surface, email, password, ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    if (outcome.ok) {
      setSessionCookie(reply, surface, outcome.value.token, options.ttlMinutes * 60);
      await adoptLocaleAtSignIn(request, reply, surface, identity, outcome.value.userId);
      return reply.redirect(wanted, 303);
    }
    if (outcome.reason === 'locked') {
      const minutes = Math.max(1, Math.ceil((outcome.retryAfterMs ?? 60_000) / 60_000));
      reply.header('retry-after', String(Math.ceil((outcome.retryAfterMs ?? 60_000) / 1000)));
      return show(request, reply, 429, { kind: 'error', text: translate(request.locale, 'signin.locked', { minutes }) }, email, keepNext);
    }
    return show(request, reply, 401, { kind: 'error', text: translate(request.locale, 'signin.failed') }, email, keepNext);
  });

  routes.post('/sign-out', { schema: { querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const token = request.cookies[`varco_${surface}`];
    if (token) await identity.signOut(token, request.ip);
    clearSessionCookie(reply, surface);
    return reply.redirect(`/${surface}/sign-in?signedOut=1`, 303);
  });
}
