import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Surface } from '../../modules/identity/index.ts';
import type { SafeHtml } from '../../views/html.ts';
import { page, type LanguageSwitch } from '../../views/layout.ts';
import { portalNavFor } from '../../views/nav.ts';
import { languageSwitch } from './language.ts';
import { anonymousCsrfToken } from './session.ts';

// The glue between a signed-in surface and its layout: the locale the session plugin decided, the
// surface's menu, and the sign-out form carrying the session's CSRF token. The layout itself is a
// view (src/views/layout.ts).

export type Nav = ReadonlyArray<{ href: string; label: string }>;

export interface PageInput {
  surface: 'admin' | 'portal';
  title: string;
  body: SafeHtml;
  nav: Nav;
  status?: number;
}

/** The language switch of a page of `surface`, with the session's form token or the pre-sign-in one. */
export function languageFor(request: FastifyRequest, reply: FastifyReply, surface: Surface): LanguageSwitch {
  return languageSwitch(request, surface, request.session?.csrfToken ?? anonymousCsrfToken(request, reply));
}

/** A page of `surface` shown before sign-in (sign-in, setup, invitation): no menu, the switch. */
export function sendAnonymousPage(
  request: FastifyRequest,
  reply: FastifyReply,
  input: { surface: Surface; title: string; body: SafeHtml; status?: number; locale?: FastifyRequest['locale'] },
): FastifyReply {
  return reply
    .code(input.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(page({ locale: input.locale ?? request.locale, title: input.title, body: input.body, language: languageFor(request, reply, input.surface) }));
}

/** Sends a page of a signed-in surface with its menu and sign-out form. */
export function sendPage(request: FastifyRequest, reply: FastifyReply, input: PageInput): FastifyReply {
  const session = request.session;
  return reply
    .code(input.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(
      page({
        locale: request.locale,
        title: input.title,
        body: input.body,
        nav: input.surface === 'portal' ? portalNavFor(input.nav, request.organisationType) : input.nav,
        signOut: session ? { action: `/${input.surface}/sign-out`, csrfToken: session.csrfToken } : undefined,
        language: languageFor(request, reply, input.surface),
        path: request.url.split('?')[0],
      }),
    );
}

/** sendPage bound to one surface and its menu, for the pages of that surface. */
export function surfacePages(surface: PageInput['surface'], nav: (locale: FastifyRequest['locale']) => Nav) {
  return (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200): FastifyReply =>
    sendPage(request, reply, { surface, title, body, nav: nav(request.locale), status });
}
