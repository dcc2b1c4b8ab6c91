import type { FastifyInstance } from 'fastify';
import type { AuditLine, AuditViewer, AuditViewerSearch } from '../../kernel/audit-viewer.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import { ACTOR_TYPES, auditCheckPage, auditCheckTitle, auditPage, auditPageTitle, type AuditFilterValues } from '../../views/admin/audit.ts';
import { adminNav } from '../../views/nav.ts';
import { CSV_MAX_ROWS, sendCsv, toCsv } from '../shared/csv.ts';
import { surfacePages } from '../shared/page.ts';
import { cursorPage, DAY_MS, fetchLimit, queryDay, queryText, refuseSearch, searchHref, searchOrProblem, searchRefusals } from '../shared/pagination.ts';
import { requireAdmin } from '../shared/session.ts';
import { form, NoQuery, query, Text, typed } from '../shared/schemas.ts';

// The back office's audit log: its search (organisation, action, who, subject, dates), pages by the
// chain's `seq` (newest first, 50 a page), the search as CSV, and the chain's check. Administrators
// only; bad input is a validation error page, never a 500.

export interface AdminAuditRoutesOptions {
  auditViewer: AuditViewer;
  organisations: OrganisationsService;
}

const AuditQuery = query({ org: Text, action: Text, kind: Text, who: Text, subject: Text, from: Text, to: Text, before: Text });
type Query = { [K in keyof AuditFilterValues | 'before']?: string | undefined };

const PAGE_SIZE = 50;
const ORGANISATION_ID = /^org_[0-9a-z]{26}$/;

/** The search form's values as typed. */
const auditValuesOf = (q: Query): AuditFilterValues => ({
  org: queryText(q, 'org'),
  action: queryText(q, 'action'),
  kind: queryText(q, 'kind'),
  who: queryText(q, 'who'),
  subject: queryText(q, 'subject'),
  from: queryText(q, 'from'),
  to: queryText(q, 'to'),
});

/** The form's values and the search they ask for; anything malformed is refused with its reason. */
export function auditSearchOf(q: Query): { values: AuditFilterValues; search: Omit<AuditViewerSearch, 'limit'> } {
  const values = auditValuesOf(q);
  if (values.org.length > 100) searchRefusals.tooLong('org', 100);
  if (values.action.length > 80 || !/^[A-Za-z0-9_.]*$/.test(values.action))
    refuseSearch(
      'action must be an action code or its start: letters, digits, _ and . only.',
      'action deve essere il codice di un’azione o il suo inizio: solo lettere, cifre, _ e .',
    );
  if (values.kind !== '' && !(ACTOR_TYPES as readonly string[]).includes(values.kind)) searchRefusals.oneOf('kind', ACTOR_TYPES);
  if (values.who.length > 100) searchRefusals.tooLong('who', 100);
  if (values.subject.length > 64 || !/^[A-Za-z0-9_.:-]*$/.test(values.subject))
    refuseSearch('subject must be an id: letters, digits, _ . : and - only.', 'subject deve essere un id: solo lettere, cifre, _ . : e -.');
  const from = queryDay(values.from, 'from');
  const to = queryDay(values.to, 'to');
  if (q.before !== undefined && !/^[1-9]\d{0,15}$/.test(q.before)) searchRefusals.pageLink();
  const search: Omit<AuditViewerSearch, 'limit'> = {
    // An id (the organisation pages link so) is that organisation; other text, part of a name or tax code.
    ...(ORGANISATION_ID.test(values.org) ? { organisationId: values.org } : values.org ? { organisation: values.org } : {}),
    ...(values.action ? { actionPrefix: values.action } : {}),
    ...(values.kind ? { actorType: values.kind } : {}),
    ...(values.who ? { email: values.who } : {}),
    ...(values.subject ? { subjectId: values.subject } : {}),
    ...(from ? { from } : {}),
    ...(to ? { until: new Date(to.getTime() + DAY_MS) } : {}),
    ...(q.before !== undefined ? { beforeSeq: Number(q.before) } : {}),
  };
  return { values, search };
}

export function registerAdminAuditRoutes(app: FastifyInstance, options: AdminAuditRoutesOptions): void {
  const send = surfacePages('admin', adminNav);
  const routes = typed(app);
  routes.get('/audit', { schema: { querystring: AuditQuery } }, async (request, reply) => {
    requireAdmin(request);
    const values = auditValuesOf(request.query);
    const { search, problem } = await searchOrProblem(request.locale, () => auditSearchOf(request.query).search);
    const [fetched, named] = await Promise.all([
      search ? options.auditViewer.search({ ...search, limit: fetchLimit(PAGE_SIZE) }) : [],
      ORGANISATION_ID.test(values.org) ? options.organisations.names([values.org]) : undefined,
    ]);
    const page = cursorPage({
      fetched,
      pageSize: PAGE_SIZE,
      cursorOf: (r: AuditLine) => String(r.seq),
      base: '/admin/audit',
      values,
      before: request.query.before,
    });
    const body = auditPage(request.locale, {
      ...(problem ? { problem } : {}),
      filter: values,
      ...(named ? { organisationName: named.get(values.org) ?? null } : {}),
      rows: page.rows,
      olderHref: page.olderHref,
      newestHref: page.newestHref,
      csvHref: searchHref('/admin/audit.csv', values),
    });
    return send(request, reply, auditPageTitle(request.locale), body, problem ? 400 : 200);
  });
  routes.get('/audit.csv', { schema: { querystring: AuditQuery } }, async (request, reply) => {
    requireAdmin(request);
    const { search } = auditSearchOf(request.query);
    const rows = await options.auditViewer.search({ ...search, limit: CSV_MAX_ROWS });
    const csv = toCsv(
      ['seq', 'at', 'action', 'actor_type', 'actor_id', 'actor_email', 'ip', 'organisation_id', 'organisation', 'subject_type', 'subject_id', 'details', 'id'],
      rows.map((r) => [
        r.seq,
        r.at,
        r.action,
        r.actorType,
        r.actorId,
        r.email,
        r.ip,
        r.organisationId,
        r.organisationName,
        r.subjectType,
        r.subjectId,
        JSON.stringify(r.details),
        r.id,
      ]),
    );
    return sendCsv(reply, 'varco-audit-log.csv', csv);
  });
  // The check walks the whole log: a button (POST, with the session's form token) runs it, one at a
  // time across instances; the page a GET shows only offers it, so a reload or a link runs nothing.
  routes.get('/audit/verify', { schema: { querystring: NoQuery } }, (request, reply) => {
    const session = requireAdmin(request);
    return send(request, reply, auditCheckTitle(request.locale), auditCheckPage(request.locale, { csrf: session.csrfToken }));
  });
  routes.post('/audit/verify', { schema: { querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const session = requireAdmin(request);
    const check = await options.auditViewer.verify();
    return send(
      request,
      reply,
      auditCheckTitle(request.locale),
      auditCheckPage(request.locale, { csrf: session.csrfToken, check }),
      check === 'busy' ? 409 : 200,
    );
  });
}
