import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangePasswordOutcome, IdentityService, Surface } from '../../modules/identity/index.ts';
import { html } from '../../views/html.ts';
import { translate, type Locale, type MessageKey } from '../../views/i18n.ts';
import { requireSession, setSessionCookie } from './session.ts';
import { sendPage } from './page.ts';
import { form, query, Text, typed } from './schemas.ts';
import { messageBox } from '../../views/shared/message.ts';

// "Change password" on both signed-in surfaces. The session plugin already requires a session and
// checks the form's CSRF token; on success the browser gets the new session the service created.

export interface PasswordRoutesOptions {
  surface: Surface;
  identity: IdentityService;
  ttlMinutes: number;
  nav: (locale: Locale) => Array<{ href: string; label: string }>;
}

interface Message {
  kind: 'error' | 'notice';
  text: string;
}

function passwordForm(locale: Locale, surface: Surface, csrf: string, message?: Message) {
  const t = (key: MessageKey) => translate(locale, key);
  return html`${messageBox(message)}
<p>${t('password.intro')}</p>
<form method="post" action="/${surface}/password">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="current">${t('password.current')}</label>
<input id="current" name="current" type="password" autocomplete="current-password" required>
<label for="next">${t('password.new')}</label>
<input id="next" name="next" type="password" autocomplete="new-password" minlength="12" required>
<label for="confirm">${t('setup.passwordConfirm')}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<button type="submit">${t('password.submit')}</button>
</form>`;
}

const REFUSALS: Record<Exclude<ChangePasswordOutcome, { ok: true }>['reason'], MessageKey> = {
  invalid_credentials: 'password.currentWrong',
  locked: 'signin.locked',
  too_short: 'password.tooShort',
  common: 'password.common',
  mismatch: 'password.mismatch',
};

export function registerPasswordRoutes(app: FastifyInstance, options: PasswordRoutesOptions): void {
  const { surface, identity } = options;
  const show = (request: FastifyRequest, reply: FastifyReply, status: number, message?: Message) => {
    const session = requireSession(request);
    const locale = request.locale;
    return sendPage(request, reply, {
      surface,
      title: translate(locale, 'password.title'),
      body: passwordForm(locale, surface, session.csrfToken, message),
      nav: options.nav(locale),
      status,
    });
  };

  const routes = typed(app);
  routes.get('/password', { schema: { querystring: query({ changed: Text }) } }, async (request, reply) => {
    const changed = request.query.changed === '1';
    return show(request, reply, 200, changed ? { kind: 'notice', text: translate(request.locale, 'password.changed') } : undefined);
  });

  routes.post('/password', { schema: { querystring: query({}), body: form({ current: Text, next: Text, confirm: Text }) } }, async (request, reply) => {
    const session = requireSession(request);
    const body = request.body;
    const field = (name: 'current' | 'next' | 'confirm') => (body[name] ?? '').slice(0, 1024);
    const outcome = await identity.changePassword({
      userId: session.userId,
      surface,
      current: field('current'),
      next: field('next'),
      confirm: field('confirm'),
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    if (outcome.ok) {
      setSessionCookie(reply, surface, outcome.value.token, options.ttlMinutes * 60);
      return reply.redirect(`/${surface}/password?changed=1`, 303);
    }
    if (outcome.reason === 'locked') {
      const retryAfterMs = outcome.retryAfterMs ?? 60_000;
      reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
      return show(request, reply, 429, {
        kind: 'error',
        text: translate(request.locale, 'signin.locked', { minutes: Math.max(1, Math.ceil(retryAfterMs / 60_000)) }),
      });
    }
    return show(request, reply, 400, { kind: 'error', text: translate(request.locale, REFUSALS[outcome.reason]) });
  });
}
