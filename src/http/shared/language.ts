import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityService, SessionView, Surface } from '../../modules/identity/index.ts';
import { acceptedLocale, isLocale, type Locale } from '../../views/i18n.ts';
import type { LanguageSwitch } from '../../views/layout.ts';
import { Type } from 'typebox';
import { form, NoQuery, rawText, typed } from './schemas.ts';

// The language of the portal and back office pages: it or en. An explicit ?lang= shows one page in
// that language; otherwise a signed-in user's profile decides, then the cookie the switch sets, then
// the browser's Accept-Language (a first visit). The switch is a POST form on every page (a GET must
// not change a profile); signed in, it saves the choice in the profile too, so e-mails follow it.

/**
 * Not a secret: a forged or stolen value only changes the language a page is shown in. Scoped to
 * the surface's path like the session cookie, so the payment page (/ncol) never receives it and
 * keeps following the shop's LANGUAGE.
 */
export const LANGUAGE_COOKIE = 'varco_lang';
const YEAR_SECONDS = 365 * 24 * 3600;

const LocaleField = Type.Union([Type.Literal('it'), Type.Literal('en')]);
const BackField = Type.Optional(Type.String({ maxLength: 2000 }));

export type LocaleSource = 'query' | 'profile' | 'cookie' | 'browser';

export function cookieLocale(request: FastifyRequest): Locale | undefined {
  // Fastify's own early failures (a malformed URL) come before the cookie parser: no cookies then.
  const cookies = request.cookies as FastifyRequest['cookies'] | undefined;
  const value = cookies?.[LANGUAGE_COOKIE];
  return isLocale(value) ? value : undefined;
}

/** The page's language and where it came from (the invitation page prefers its own over the browser's). */
export function decideLocale(request: FastifyRequest, session: SessionView | undefined): { locale: Locale; source: LocaleSource } {
  // Not validated yet (hooks run before the schema): a repeated or odd ?lang= is no choice at all.
  const lang = rawText(request.query, 'lang');
  if (isLocale(lang)) return { locale: lang, source: 'query' };
  if (session) return { locale: session.locale, source: 'profile' };
  const chosen = cookieLocale(request);
  if (chosen) return { locale: chosen, source: 'cookie' };
  return { locale: acceptedLocale(request.headers['accept-language']), source: 'browser' };
}

export function setLanguageCookie(reply: FastifyReply, surface: Surface, locale: Locale): void {
  // HttpOnly although nothing secret is in it: no script of Varco's reads it, so none should.
  reply.setCookie(LANGUAGE_COOKIE, locale, { path: `/${surface}`, httpOnly: true, secure: true, sameSite: 'lax', maxAge: YEAR_SECONDS });
}

/**
 * `path` as a Location header can carry it: every character past ASCII percent-encoded as UTF-8, as a
 * browser sends it (a decoded ?next= or back= brings it back decoded, e.g. `?q=€`); undefined when it
 * holds a control character or a lone surrogate, which no page's address has. Node refuses a header
 * with anything past Latin-1 (ERR_INVALID_CHAR), which was a 500.
 */
export function headerSafePath(path: string): string | undefined {
  if (!path.isWellFormed() || [...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  return path.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));
}

/**
 * Where the switch returns to: a page of the same surface only (no open redirect). A page shown by
 * a GET returns to itself; one shown after a POST (a form with an error) to the page that had the
 * form, which the same-origin Referer names, or else the surface's home.
 */
export function safeBack(surface: Surface, candidate: string | undefined): string | undefined {
  if (candidate === undefined || candidate.length > 2000) return undefined;
  const home = `/${surface}`;
  if (candidate !== home && !candidate.startsWith(`${home}/`) && !candidate.startsWith(`${home}?`)) return undefined;
  // No scheme-relative URL, no backslash (browsers read it as a slash), no control characters; past ASCII encoded.
  if (/[\\\s]|\/\//.test(candidate)) return undefined;
  return headerSafePath(candidate);
}

function withoutLang(url: string): string {
  const [path = '', search = ''] = url.split('?', 2);
  const params = new URLSearchParams(search);
  params.delete('lang');
  const rest = params.toString();
  return rest ? `${path}?${rest}` : path;
}

function backOf(request: FastifyRequest, surface: Surface): string {
  if (request.method === 'GET' || request.method === 'HEAD') return safeBack(surface, withoutLang(request.url)) ?? `/${surface}`;
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    try {
      const parsed = new URL(referer);
      if (parsed.host === request.host) return safeBack(surface, withoutLang(parsed.pathname + parsed.search)) ?? `/${surface}`;
    } catch {
      // An unparsable Referer names no page.
    }
  }
  return `/${surface}`;
}

/** The switch for a page of `surface`: the session's form token, or the pre-sign-in one. */
export function languageSwitch(request: FastifyRequest, surface: Surface, csrfToken: string): LanguageSwitch {
  return { action: `/${surface}/language`, csrfToken, back: backOf(request, surface) };
}

export interface LanguageRouteOptions {
  surface: Surface;
  identity: IdentityService;
}

/** POST /<surface>/language: sets the cookie, and the profile when signed in; back to the page. */
export function registerLanguageRoute(app: FastifyInstance, options: LanguageRouteOptions): void {
  const { surface, identity } = options;
  typed(app).post('/language', { schema: { querystring: NoQuery, body: form({ locale: LocaleField, back: BackField }) } }, async (request, reply) => {
    const locale = request.body.locale;
    setLanguageCookie(reply, surface, locale);
    if (request.session) await identity.setLocale(request.session.userId, locale);
    const back = safeBack(surface, request.body.back) ?? (request.session ? `/${surface}` : `/${surface}/sign-in`);
    return reply.redirect(back, 303);
  });
}

/** After sign-in: the language picked on the sign-in page (the cookie) becomes the profile's; without one, the profile's becomes the cookie. */
export async function adoptLocaleAtSignIn(request: FastifyRequest, reply: FastifyReply, surface: Surface, identity: IdentityService, userId: string) {
  const chosen = cookieLocale(request);
  if (chosen) await identity.setLocale(userId, chosen);
  else {
    const profile = await identity.localeOf(userId);
    if (profile) setLanguageCookie(reply, surface, profile);
  }
}
