import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityService, Surface } from '../../modules/identity/index.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { translate, type Locale } from '../../views/i18n.ts';
import { anonymousCsrfToken, clearSessionCookie, setSessionCookie } from './session.ts';
import { adoptLocaleAtSignIn, registerLanguageRoute } from './language.ts';
import { sendAnonymousPage } from './page.ts';
import { form, NoQuery, query, Text, typed } from './schemas.ts';

// Sign-in and sign-out, shared by the back office (administrators) and the portal (referents).

export interface SignInRoutesOptions {
  surface: Surface;
  identity: IdentityService;
  ttlMinutes: number;
}

const SignInForm = form({ email: Text, password: Text });

function signInForm(locale: Locale, surface: Surface, csrf: string, message?: { kind: 'error' | 'notice'; text: string }, email = ''): SafeHtml {
  return html`${message ? html`<p class="${message.kind}" role="${message.kind === 'error' ? 'alert' : 'status'}">${message.text}</p>` : ''}
<form method="post" action="/${surface}/sign-in">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="email">${translate(locale, 'signin.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${email}">
<label for="password">${translate(locale, 'signin.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${translate(locale, 'signin.submit')}</button>
</form>`;
}

export function registerSignInRoutes(app: FastifyInstance, options: SignInRoutesOptions): void {
  const { surface, identity } = options;
  registerLanguageRoute(app, { surface, identity });
  const show = (request: FastifyRequest, reply: FastifyReply, status: number, message?: { kind: 'error' | 'notice'; text: string }, email?: string) =>
    sendAnonymousPage(request, reply, {
      surface,
      status,
      title: translate(request.locale, surface === 'admin' ? 'signin.adminTitle' : 'signin.portalTitle'),
      body: signInForm(request.locale, surface, anonymousCsrfToken(request, reply), message, email),
    });

  const routes = typed(app);
  routes.get('/sign-in', { schema: { querystring: query({ signedOut: Text, welcome: Text }) } }, async (request, reply) => {
    if (request.session) return reply.redirect(`/${surface}`, 303);
    const notice =
      request.query.signedOut === '1'
        ? translate(request.locale, 'signin.signedOut')
        : request.query.welcome === '1'
          ? translate(request.locale, 'signin.welcome')
          : undefined;
    return show(request, reply, 200, notice ? { kind: 'notice', text: notice } : undefined);
  });

  routes.post('/sign-in', { schema: { querystring: NoQuery, body: SignInForm } }, async (request, reply) => {
    const email = (request.body.email ?? '').slice(0, 254);
    const password = (request.body.password ?? '').slice(0, 1024);
    const outcome = await identity.signIn({ surface, email, password, ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    if (outcome.ok) {
      setSessionCookie(reply, surface, outcome.value.token, options.ttlMinutes);
      await adoptLocaleAtSignIn(request, reply, surface, identity, outcome.value.userId);
      return reply.redirect(`/${surface}`, 303);
    }
    if (outcome.reason === 'locked') {
      const minutes = Math.max(1, Math.ceil((outcome.retryAfterMs ?? 60_000) / 60_000));
      reply.header('retry-after', String(Math.ceil((outcome.retryAfterMs ?? 60_000) / 1000)));
      return show(request, reply, 429, { kind: 'error', text: translate(request.locale, 'signin.locked', { minutes }) }, email);
    }
    return show(request, reply, 401, { kind: 'error', text: translate(request.locale, 'signin.failed') }, email);
  });

  routes.post('/sign-out', { schema: { querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const token = request.cookies[`varco_${surface}`];
    if (token) await identity.signOut(token, request.ip);
    clearSessionCookie(reply, surface);
    return reply.redirect(`/${surface}/sign-in?signedOut=1`, 303);
  });
}
