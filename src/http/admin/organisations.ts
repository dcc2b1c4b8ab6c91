import type { DeliveryService } from '../../modules/delivery/index.ts';
import type { IdentityService } from '../../modules/identity/index.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import {
  ORGANISATION_PROBLEM_TEXT,
  INVITE_PROBLEM_TEXT,
  type OrganisationsService,
  type InvitationsService,
  type Actor,
  ORGANISATION_TYPES,
  type OrganisationSearch,
} from '../../modules/organisations/index.ts';
import { queryText, searchHref, searchOrProblem, searchRefusals } from '../shared/pagination.ts';
import { adminNav } from '../../views/nav.ts';
import { accessNotice, invitedNotice, organisationPage, organisationsPage, type InvitationRow } from '../../views/admin/organisations.ts';
import { problemIn } from '../../views/problems.ts';
import { translate } from '../../views/i18n.ts';
import type { SafeHtml } from '../../views/html.ts';
import { form, IdParams, NoQuery, query, Text, TextList, typed } from '../shared/schemas.ts';
import { surfacePages } from '../shared/page.ts';

export interface ProductCatalog {
  list(): Promise<Array<{ id: string; code: string; name: string }>>;
}

export interface OrganisationRoutesOptions {
  organisations: OrganisationsService;
  invitations: InvitationsService;
  productCatalog: ProductCatalog;
  /** Whether e-mails are sent (SMTP configured): without it an invitation only waits on the Mail page. */
  delivery: DeliveryService;
  /** What "now" is when judging an invitation expired (the application's clock). */
  clock?: { now(): Date };
  /** Disabling and enabling a referent's account (identity's use case). */
  identity: Pick<IdentityService, 'setAccountDisabled'>;
  /** Sections other modules add to an organisation's page (e.g. its subscriptions). */
  organisationSections?: (organisationId: string, request: FastifyRequest) => Promise<SafeHtml[]>;
}

export function adminActor(request: FastifyRequest): Actor {
  return { type: 'admin', id: request.session?.userId ?? null, ip: request.ip };
}

const send = surfacePages('admin', adminNav);

/** Without a mail server nothing is sent: an open invitation waits for its link to be made on the Mail page. */
function invitationState(i: { accepted_at: Date | null; superseded_at: Date | null; expires_at: Date }, now: Date, sending: boolean): string {
  if (i.accepted_at) return 'accepted';
  if (i.superseded_at) return 'superseded';
  if (i.expires_at.getTime() <= now.getTime()) return 'expired';
  return sending ? 'sent' : 'waiting';
}

const ORGANISATIONS_PAGE = 50;
const ListQuerySchema = query({ q: Text, type: Text, after: Text });
type ListQuery = { q?: string; type?: string; after?: string };

/** The search form's values as typed. */
const organisationValuesOf = (q: ListQuery): { q: string; type: string } => ({ q: queryText(q, 'q'), type: queryText(q, 'type') });

/** The list's search from the query; a malformed one is refused with its reason (400), never a 500. */
export function organisationSearchOf(q: ListQuery): { values: { q: string; type: string }; search: Omit<OrganisationSearch, 'limit'> } {
  const values = organisationValuesOf(q);
  if (values.q.length > 100) searchRefusals.tooLong('q', 100);
  const type = ORGANISATION_TYPES.find((t) => t === values.type);
  if (values.type !== '' && type === undefined) searchRefusals.oneOf('type', ORGANISATION_TYPES);
  if (q.after !== undefined && !isId(q.after, 'org')) searchRefusals.pageLink();
  return {
    values,
    search: { ...(values.q ? { text: values.q } : {}), ...(type ? { type } : {}), ...(q.after !== undefined ? { afterId: q.after } : {}) },
  };
}

/** `/admin/organisations?q=…&type=…&after=…`, without the empty fields (ascending by name: the cursor is `after`). */
const pageHref = (values: { q: string; type: string }, after?: string): string => searchHref('/admin/organisations', after ? { ...values, after } : values);

export function registerOrganisationRoutes(app: FastifyInstance, options: OrganisationRoutesOptions): void {
  const { organisations, invitations, productCatalog } = options;
  const title = (request: FastifyRequest): string => translate(request.locale, 'organisations.title');

  /** The list, by name, 50 a page, narrowed by the search (a GET's query); after a refused creation, the first page. */
  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    asked: { query: ListQuery; refused?: never } | { refused: { form: Record<string, string>; error: string; problem: string } },
  ) => {
    const refused = asked.refused;
    const values = refused ? { q: '', type: '' } : organisationValuesOf(asked.query);
    const { search, problem } = refused
      ? { search: {} as Omit<OrganisationSearch, 'limit'> }
      : await searchOrProblem(request.locale, async () => {
          const { search } = organisationSearchOf(asked.query);
          // A page link naming an organisation that does not exist would read as "No organisations yet".
          if (search.afterId !== undefined && !(await organisations.find(search.afterId))) searchRefusals.pageLink();
          return search;
        });
    const fetched = search ? await organisations.search({ ...search, limit: ORGANISATIONS_PAGE + 1 }) : [];
    const rows = fetched.slice(0, ORGANISATIONS_PAGE).map((o) => ({
      id: o.id,
      name: o.name,
      taxCode: o.tax_code,
      type: o.type,
      contactEmail: o.contact_email,
      createdAt: o.created_at,
    }));
    const last = rows.at(-1);
    const body = organisationsPage(request.locale, {
      rows,
      csrf: request.session?.csrfToken ?? '',
      filter: values,
      nextHref: fetched.length > ORGANISATIONS_PAGE && last ? pageHref(values, last.id) : null,
      firstHref: search?.afterId !== undefined ? pageHref(values) : null,
      ...(refused ?? {}),
      ...(problem ? { searchProblem: problem } : {}),
    });
    return send(request, reply, title(request), body, refused || problem ? 400 : 200);
  };

  const detailPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { form?: Record<string, string>; error?: string; notice?: string; problem?: string } = {},
  ) => {
    const organisation = isId(id, 'org') ? await organisations.find(id) : undefined;
    if (!organisation) throw new VarcoError('not_found', 'No such organisation.');
    const now = options.clock?.now() ?? new Date();
    const invitationRows: InvitationRow[] = (await organisations.invitations(id)).map((i) => ({
      id: i.id,
      email: i.email,
      name: `${i.first_name} ${i.last_name}`,
      createdAt: i.created_at,
      expiresAt: i.expires_at,
      state: invitationState(i, now, options.delivery.sending),
    }));
    const referents = (await organisations.referents(id)).map((r) => ({
      id: r.id,
      disabledAt: r.disabled_at,
      email: r.email,
      firstName: r.first_name,
      lastName: r.last_name,
      createdAt: r.created_at,
    }));
    const sections = options.organisationSections ? await options.organisationSections(id, request) : [];
    const body = organisationPage(
      request.locale,
      {
        organisation: {
          id: organisation.id,
          name: organisation.name,
          taxCode: organisation.tax_code,
          type: organisation.type,
          contactEmail: organisation.contact_email,
          createdAt: organisation.created_at,
        },
        referents,
        invitations: invitationRows,
        products: await productCatalog.list(),
        sections,
      },
      request.session?.csrfToken ?? '',
      extra.form,
      extra.error,
      extra.notice,
      extra.problem,
    );
    return send(request, reply, organisation.name, body, extra.error ? 400 : 200);
  };

  const routes = typed(app);
  routes.get('/organisations', { schema: { querystring: ListQuerySchema } }, (request, reply) => listPage(request, reply, { query: request.query }));

  routes.post(
    '/organisations',
    { schema: { querystring: NoQuery, body: form({ name: Text, taxCode: Text, taxCodeKind: Text, type: Text, contactEmail: Text }) } },
    async (request, reply) => {
      const body = request.body;
      const form = {
        name: body.name ?? '',
        taxCode: body.taxCode ?? '',
        taxCodeKind: body.taxCodeKind ?? '',
        type: body.type ?? '',
        contactEmail: body.contactEmail ?? '',
      };
      const result = await organisations.create({ ...form, taxCodeKind: form.taxCodeKind === 'other' ? 'other' : 'it' }, adminActor(request));
      if (!result.ok)
        return listPage(request, reply, {
          refused: { form, error: problemIn(request.locale, 'organisation', result.reason, ORGANISATION_PROBLEM_TEXT), problem: result.reason },
        });
      return reply.redirect(`/admin/organisations/${result.value.id}`, 303);
    },
  );

  routes.get(
    '/organisations/:id',
    { schema: { params: IdParams, querystring: query({ invited: Text, disabled: Text, enabled: Text }) } },
    async (request, reply) => {
      const { invited, disabled, enabled } = request.query;
      // After a referent's account changed: named from the organisation's own referents, never from the URL.
      const changed = disabled ?? enabled;
      const referent = changed === undefined ? undefined : (await organisations.referents(request.params.id)).find((r) => r.id === changed);
      const notice =
        invited === '1'
          ? invitedNotice(request.locale, options.delivery.sending)
          : referent
            ? accessNotice(request.locale, disabled !== undefined ? 'disable' : 'enable', referent.email)
            : undefined;
      return detailPage(request, reply, request.params.id, notice === undefined ? {} : { notice });
    },
  );

  // A referent's account disabled or enabled again from their organisation's page.
  for (const action of ['disable', 'enable'] as const) {
    routes.post(`/users/:id/${action}`, { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
      const result = await options.identity.setAccountDisabled({
        user: { id: request.params.id },
        disabled: action === 'disable',
        actor: adminActor(request),
        only: 'referent',
      });
      // Only referents from this page (administrators: npx varco user disable).
      if (!result.ok || result.value.organisationId === null) throw new VarcoError('not_found', 'No such referent.');
      return reply.redirect(`/admin/organisations/${result.value.organisationId}?${action}d=${result.value.userId}`, 303);
    });
  }

  routes.post(
    '/organisations/:id/invitations',
    { schema: { params: IdParams, querystring: NoQuery, body: form({ firstName: Text, lastName: Text, email: Text, locale: Text, products: TextList }) } },
    async (request, reply) => {
      const body = request.body;
      const form = { firstName: body.firstName ?? '', lastName: body.lastName ?? '', email: body.email ?? '', locale: body.locale ?? '' };
      if (!isId(request.params.id, 'org')) throw new VarcoError('not_found', 'No such organisation.');
      const result = await invitations.invite(
        { organisationId: request.params.id, ...form, locale: form.locale === 'it' ? 'it' : 'en', productIds: body.products ?? [] },
        adminActor(request),
      );
      if (!result.ok) {
        if (result.reason === 'organisation_not_found') throw new VarcoError('not_found', 'No such organisation.');
        return detailPage(request, reply, request.params.id, {
          form,
          error: problemIn(request.locale, 'invite', result.reason, INVITE_PROBLEM_TEXT),
          problem: result.reason,
        });
      }
      return reply.redirect(`/admin/organisations/${request.params.id}?invited=1`, 303);
    },
  );

  routes.post('/invitations/:id/resend', { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    if (!isId(request.params.id, 'inv')) throw new VarcoError('not_found', 'No such invitation.');
    const result = await invitations.resend(request.params.id, adminActor(request));
    if (!result.ok) {
      if (result.reason === 'not_found') throw new VarcoError('not_found', 'No such invitation, or a newer link was sent already.');
      throw new VarcoError('conflict', 'This invitation was accepted already.');
    }
    const found = await invitations.byId(result.value.id);
    return reply.redirect(`/admin/organisations/${found?.organisation_id ?? ''}?invited=1`, 303);
  });
}
