import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { randomToken, safeEqual } from '../../kernel/crypto.ts';
import type { IdentityService, SessionView, Surface } from '../../modules/identity/index.ts';
import type { Locale } from '../../views/i18n.ts';
import { decideLocale, headerSafePath, type LocaleSource } from './language.ts';
import { rawText } from './schemas.ts';

// Sessions and CSRF for the two signed-in surfaces. The session cookie is scoped to its surface's
// path, so the back office, the portal and the payment page never share a cookie.

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionView | undefined;
    locale: Locale;
    /** Why the page speaks `locale` (see language.ts). */
    localeSource: LocaleSource;
    /** The signed-in referent's organisation type, for the portal menu (set by the portal context); null otherwise. */
    organisationType: string | null;
  }
}

export const sessionCookieName = (surface: Surface): string => `varco_${surface}`;
// Double-submit token for forms shown before sign-in. The __Host- prefix makes browsers refuse a
// cookie of that name set by any other host or path, so it cannot be planted from a sibling domain.
const PRE_COOKIE = '__Host-varco_csrf';

export interface SessionPluginOptions {
  surface: Surface;
  identity: IdentityService;
  ttlMinutes: number;
  /** Paths (after the surface prefix) whose forms are posted before sign-in: checked with the pre-sign-in token. */
  anonymousForms?: string[];
  /** Paths (after the surface prefix) open without a session; every other page requires one. */
  publicPaths?: string[];
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Forms both surfaces show before sign-in, besides sign-in itself: the password reset (password-reset.ts). */
export const PASSWORD_RESET_PATHS = ['/password-reset', '/password-reset/new'];

/**
 * Where to go after sign-in: a page of this surface the person was sent to (a link in an e-mail),
 * else the surface's home. Only a path of the same surface: never another host (`//evil`, `/\evil`),
 * never the sign-in page itself, nothing a Location header cannot carry.
 */
export function returnPath(surface: Surface, next: string | undefined): string {
  const home = `/${surface}`;
  if (!next || next.length > 2000) return home;
  if (!(next === home || next.startsWith(`${home}/`) || next.startsWith(`${home}?`))) return home;
  if (/[\\\s]|\/\/|\.\.|%2e|%2f|%5c/i.test(next) || next.startsWith(`${home}/sign-in`)) return home;
  // A character past ASCII ('€' in a decoded ?next=) percent-encoded: Node refuses it in Location (a 500).
  return headerSafePath(next) ?? home;
}

/**
 * Loads the session, decides the locale and checks CSRF and sign-in in `preValidation`: after the
 * body is parsed, before the route's schema is applied. So a page whose input fails its schema is
 * still refused first for a missing session or form token, exactly as before schemas existed, and
 * the 400 it gets otherwise speaks the user's language (errors.ts).
 */
export function registerSessionLoading(app: FastifyInstance, options: SessionPluginOptions): void {
  app.decorateRequest('session', undefined);
  app.decorateRequest('locale', 'en');
  app.decorateRequest('localeSource', 'browser');
  app.addHook('preValidation', async (request, reply) => {
    const token = request.cookies[sessionCookieName(options.surface)];
    request.session = token ? await options.identity.session(token, options.surface) : undefined;
    // Activity renewed the session: the cookie is sent again to last as long (docs/security.md 14), or
    // a browser would drop it at sign-in + the idle lifetime however active.
    if (token && request.session?.renewedForSeconds !== undefined) setSessionCookie(reply, options.surface, token, request.session.renewedForSeconds);
    const decided = decideLocale(request, request.session);
    request.locale = decided.locale;
    request.localeSource = decided.source;
    const path = (request.url.split('?')[0] ?? '').slice(options.surface.length + 1);
    const anonymous = ['/sign-in', ...PASSWORD_RESET_PATHS, ...(options.anonymousForms ?? [])].includes(path);
    // CSRF on every state-changing request of the surface, so no route can forget it.
    if (UNSAFE.has(request.method)) verifyCsrf(request, anonymous);
    // Signed-in by default: a new page cannot be left open by forgetting a check.
    // The language switch works signed in or not (its form token is then the pre-sign-in one).
    const open = anonymous || path === '/sign-out' || path === '/language' || path.startsWith('/assets/') || (options.publicPaths ?? []).includes(path);
    if (!request.session && !open) {
      // Back to this page after sign-in (returnPath checks it again when it comes back).
      if (request.method === 'GET' || request.method === 'HEAD') {
        const next = returnPath(options.surface, request.url);
        return reply.redirect(`/${options.surface}/sign-in${next === `/${options.surface}` ? '' : `?next=${encodeURIComponent(next)}`}`, 303);
      }
      throw new VarcoError('unauthenticated', 'Sign in first.');
    }
  });
}

/** The session cookie, kept by the browser `maxAgeSeconds` (the session's idle lifetime, or what a renewal left of it). */
export function setSessionCookie(reply: FastifyReply, surface: Surface, token: string, maxAgeSeconds: number): void {
  reply.setCookie(sessionCookieName(surface), token, { path: `/${surface}`, httpOnly: true, secure: true, sameSite: 'lax', maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply, surface: Surface): void {
  reply.clearCookie(sessionCookieName(surface), { path: `/${surface}`, httpOnly: true, secure: true, sameSite: 'lax' });
}

/** The token to put in a pre-sign-in form; sets the matching cookie when there is none yet. */
// A page asks for the token more than once (its form and the language switch): one new token per
// response, or the cookie would hold the last one and the form an earlier one.
const issued = new WeakMap<FastifyRequest, string>();

export function anonymousCsrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[PRE_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const already = issued.get(request);
  if (already !== undefined) return already;
  const token = randomToken(24);
  issued.set(request, token);
  reply.setCookie(PRE_COOKIE, token, { path: '/', httpOnly: true, secure: true, sameSite: 'strict', maxAge: 3600 });
  return token;
}

function formToken(request: FastifyRequest): string {
  const fromBody = rawText(request.body, '_csrf');
  const fromHeader = request.headers['x-csrf-token'];
  return fromBody ?? (typeof fromHeader === 'string' ? fromHeader : '');
}

/** Every state-changing form: signed in, the session's token; before sign-in, the double-submit cookie. */
export function verifyCsrf(request: FastifyRequest, anonymousForm: boolean): void {
  const given = formToken(request);
  const expected = request.session && !anonymousForm ? request.session.csrfToken : request.cookies[PRE_COOKIE];
  if (!expected || !given || !safeEqual(given, expected)) {
    throw new VarcoError('csrf_invalid', 'The form token is missing or does not match; reload the page and try again.');
  }
}

export function requireSession(request: FastifyRequest): SessionView {
  if (!request.session) throw new VarcoError('unauthenticated', 'Sign in first.');
  return request.session;
}

/** A referent of an organisation (the portal's users); anyone else is refused with 403. */
export function requireReferent(request: FastifyRequest): SessionView & { organisationId: string } {
  const session = requireSession(request);
  const { organisationId } = session;
  if (session.kind !== 'referent' || !organisationId) throw new VarcoError('forbidden', 'Only referents of an organisation use the developer portal.');
  return { ...session, organisationId };
}

/** An administrator (the back office's users); anyone else is refused with 403. */
export function requireAdmin(request: FastifyRequest): SessionView {
  const session = requireSession(request);
  if (session.kind !== 'admin') throw new VarcoError('forbidden', 'Administrators only.');
  return session;
}
