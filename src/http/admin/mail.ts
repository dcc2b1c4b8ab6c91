import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VarcoError, type Result } from '../../kernel/errors.ts';
import { SEND_TIME_PARAMS, type DeliveryService, type EmailSearch, type EmailView } from '../../modules/delivery/index.ts';
import type { PasswordResets } from '../../modules/identity/index.ts';
import type { Actor, InvitationsService } from '../../modules/organisations/index.ts';
import { adminNav } from '../../views/nav.ts';
import { renderMail } from '../../views/mail/index.ts';
import {
  linkCreatedPage,
  linkRefusedPage,
  mailDetailPage,
  mailListPage,
  mailTitles,
  sendTimePlaceholder,
  type LinkKind,
  type LinkSection,
  type LinkState,
  type MailFilterValues,
  type MailRow,
} from '../../views/admin/mail.ts';
import { adminActor } from './organisations.ts';
import { form, IdParams, NoQuery, query, Text, typed } from '../shared/schemas.ts';
import { cursorPage, queryText, searchOrProblem, searchRefusals } from '../shared/pagination.ts';
import { isId } from '../../kernel/ids.ts';
import type { Static } from 'typebox';
import { surfacePages } from '../shared/page.ts';

// The back office Mail page: the latest e-mails and each one rendered as it is (or would be) sent.
// Behind the admin session like every back office page (the context's hook redirects anonymous
// visitors to sign-in); the explicit checks below keep it so even if the routes move.
// An invitation's or a password reset's link is never stored: the page shows a placeholder (in the
// e-mail's language), and "Create link" (a POST, audited) makes a fresh one and shows it once
// (docs/security.md sections 13 and 29).

export interface MailRoutesOptions {
  delivery: DeliveryService;
  invitations: InvitationsService;
  passwordResets: PasswordResets;
}

/** What "Create link" needs of the e-mails whose link is made at send time. */
interface LinkMaker {
  /** The route's last segment: POST /admin/mail/:id/<path>. */
  path: string;
  /** The stored parameter naming the invitation or request. */
  param: string;
  state(id: string): Promise<LinkState>;
  mint(id: string, actor: Actor): Promise<Result<{ link: string; email: string }, Exclude<LinkState, 'valid'>>>;
}

const send = surfacePages('admin', adminNav);

/** The e-mail as it would be sent, with a placeholder (in its own language) for what is made at send time (a link). */
function rendered(email: EmailView['email']): { subject: string; text: string; html: string } {
  if (!email) return { subject: '', text: '', html: '' };
  const placeholders = Object.fromEntries((SEND_TIME_PARAMS[email.template] ?? []).map((name) => [name, sendTimePlaceholder(email.locale)]));
  return renderMail(email.template, email.locale, { ...email.params, ...placeholders });
}
function row(view: EmailView, subject: string): MailRow {
  return {
    id: view.id,
    to: view.email?.to ?? '',
    subject,
    mailLocale: view.email?.locale ?? 'en',
    state: view.state,
    attempts: view.attempts,
    createdAt: view.createdAt,
    lastError: view.lastError,
  };
}

/** The kind of link an e-mail carries and the invitation or request it names, if it carries one. */
function linkOf(view: EmailView, makers: Record<LinkKind, LinkMaker>): { kind: LinkKind; maker: LinkMaker; id: string } | undefined {
  const kind = view.email?.template;
  if (kind !== 'invitation' && kind !== 'password_reset') return undefined;
  const id = view.email?.params[makers[kind].param];
  return id === undefined ? undefined : { kind, maker: makers[kind], id };
}

const MAIL_PAGE = 50;
const MAIL_STATES = ['pending', 'held', 'delivered', 'dead', 'exhausted'] as const;
const MailQuery = query({ to: Text, state: Text, before: Text });

/** The search form's values as typed. */
const mailValuesOf = (q: Static<typeof MailQuery>): MailFilterValues => ({ to: queryText(q, 'to'), state: queryText(q, 'state') });

/** The list's search from the query; a malformed one is refused with its reason (400), never a 500. */
function mailSearchOf(q: Static<typeof MailQuery>): { values: MailFilterValues; search: Omit<EmailSearch, 'limit'> } {
  const values = mailValuesOf(q);
  if (values.to.length > 254) searchRefusals.tooLong('to', 254);
  const state = MAIL_STATES.find((s) => s === values.state);
  if (values.state !== '' && state === undefined) searchRefusals.oneOf('state', MAIL_STATES);
  if (q.before !== undefined && !isId(q.before, 'msg')) searchRefusals.pageLink();
  return {
    values,
    search: { ...(values.to ? { to: values.to } : {}), ...(state ? { state } : {}), ...(q.before !== undefined ? { beforeId: q.before } : {}) },
  };
}

export function registerMailRoutes(app: FastifyInstance, options: MailRoutesOptions): void {
  const { delivery, invitations, passwordResets } = options;
  const makers: Record<LinkKind, LinkMaker> = {
    invitation: { path: 'invitation-link', param: 'invitationId', state: invitations.stateById, mint: invitations.mintLink },
    password_reset: { path: 'password-reset-link', param: 'resetId', state: passwordResets.stateById, mint: passwordResets.mintLink },
  };
  const title = (request: FastifyRequest): string => mailTitles(request.locale).list;

  const routes = typed(app);
  routes.get('/mail', { schema: { querystring: MailQuery } }, async (request, reply) => {
    if (!request.session) return reply.redirect('/admin/sign-in', 303);
    const values = mailValuesOf(request.query);
    const { search, problem } = await searchOrProblem(request.locale, async () => {
      const { search } = mailSearchOf(request.query);
      // A page link naming an e-mail that does not exist would read as an empty outbox.
      if (search.beforeId !== undefined && !(await delivery.getEmail(search.beforeId))) searchRefusals.pageLink();
      return search;
    });
    const fetched = search ? await delivery.listEmails({ ...search, limit: MAIL_PAGE + 1 }) : [];
    const page = cursorPage({ fetched, pageSize: MAIL_PAGE, cursorOf: (m: EmailView) => m.id, base: '/admin/mail', values, before: request.query.before });
    const rows = page.rows.map((view) => row(view, rendered(view.email).subject));
    return send(
      request,
      reply,
      title(request),
      mailListPage(request.locale, {
        ...(problem ? { problem } : {}),
        rows,
        sending: delivery.sending,
        filter: values,
        olderHref: page.olderHref,
        newestHref: page.newestHref,
      }),
      problem ? 400 : 200,
    );
  });

  routes.get('/mail/:id', { schema: { params: IdParams, querystring: NoQuery } }, async (request, reply) => {
    const session = request.session;
    if (!session) return reply.redirect('/admin/sign-in', 303);
    const view = await delivery.getEmail(request.params.id);
    if (!view) throw new VarcoError('not_found', 'No such e-mail.');
    const mail = rendered(view.email);
    const target = linkOf(view, makers);
    const link: LinkSection | undefined = target && {
      kind: target.kind,
      state: await target.maker.state(target.id),
      action: `/admin/mail/${view.id}/${target.maker.path}`,
      csrf: session.csrfToken,
    };
    const body = mailDetailPage(request.locale, {
      ...row(view, mail.subject),
      template: view.email?.template ?? '',
      text: mail.text,
      html: mail.html,
      deliveredAt: view.deliveredAt,
      nextAttemptAt: view.nextAttemptAt,
      attemptLog: view.attemptLog,
      ...(link ? { link } : {}),
    });
    return send(request, reply, mailTitles(request.locale).detail, body);
  });

  // One route per kind, so a link is made only from an e-mail of that kind.
  for (const [kind, maker] of Object.entries(makers) as Array<[LinkKind, LinkMaker]>) {
    routes.post(`/mail/:id/${maker.path}`, { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
      if (!request.session) return reply.redirect('/admin/sign-in', 303);
      const view = await delivery.getEmail(request.params.id);
      const target = view ? linkOf(view, makers) : undefined;
      if (!view || target?.kind !== kind) throw new VarcoError('not_found', 'No such e-mail.');
      const minted = await maker.mint(target.id, adminActor(request));
      const heading = mailTitles(request.locale, kind).link;
      if (!minted.ok) return send(request, reply, heading, linkRefusedPage(request.locale, { kind, mailId: view.id, state: minted.reason }), 409);
      return send(request, reply, heading, linkCreatedPage(request.locale, { kind, mailId: view.id, email: minted.value.email, link: minted.value.link }));
    });
  }
}
