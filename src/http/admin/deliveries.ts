import type { FastifyInstance } from 'fastify';
import type { GivenUpDeliveries } from '../../modules/delivery/index.ts';
import { deliveriesPage, queueStrings, resendConfirmPage } from '../../views/admin/queues.ts';
import { adminNav } from '../../views/nav.ts';
import { CSV_MAX_ROWS, sendCsv, toCsv } from '../shared/csv.ts';
import { surfacePages } from '../shared/page.ts';
import { requireAdmin } from '../shared/session.ts';
import { form, query, Text, typed } from '../shared/schemas.ts';

// The back office's queue of deliveries given up (issue 14): the list, and "resend all" after a
// confirmation that says how many and what happens. The confirmation carries the count it showed;
// if more were given up meanwhile, the administrator is asked again with the new number.

export interface AdminDeliveryRoutesOptions {
  givenUpDeliveries: GivenUpDeliveries;
}

const SHOWN = 200;
const EXHAUSTED = { state: 'exhausted' } as const;

export function registerAdminDeliveryRoutes(app: FastifyInstance, options: AdminDeliveryRoutesOptions): void {
  const { givenUpDeliveries: deliveries } = options;
  const send = surfacePages('admin', adminNav);
  const routes = typed(app);

  routes.get('/deliveries', { schema: { querystring: query({ resent: Text }) } }, async (request, reply) => {
    const session = requireAdmin(request);
    const s = queueStrings(request.locale);
    const [rows, total] = await Promise.all([deliveries.list(EXHAUSTED, SHOWN), deliveries.count(EXHAUSTED)]);
    const resent = Number(request.query.resent);
    const notice = Number.isInteger(resent) && resent >= 0 && request.query.resent !== undefined ? s.resent(resent) : undefined;
    return send(request, reply, s.deliveries, deliveriesPage(request.locale, rows, total, session.csrfToken, notice));
  });

  routes.get('/deliveries.csv', { schema: { querystring: query({}) } }, async (request, reply) => {
    requireAdmin(request);
    const rows = await deliveries.list(EXHAUSTED, CSV_MAX_ROWS);
    const csv = toCsv(
      ['created_at', 'id', 'channel', 'organisation_id', 'subject_type', 'subject_id', 'attempts', 'last_error'],
      rows.map((r) => [r.created_at, r.id, r.channel, r.organisation_id, r.subject_type, r.subject_id, r.attempts, r.last_error]),
    );
    return sendCsv(reply, 'varco-deliveries-exhausted.csv', csv);
  });

  routes.post('/deliveries/resend', { schema: { querystring: query({}), body: form({ confirm: Text }) } }, async (request, reply) => {
    const session = requireAdmin(request);
    const total = await deliveries.count(EXHAUSTED);
    if (total === 0) return reply.redirect('/admin/deliveries?resent=0', 303);
    if (request.body.confirm !== String(total)) {
      return send(request, reply, queueStrings(request.locale).confirmTitle, resendConfirmPage(request.locale, total, session.csrfToken));
    }
    const resent = await deliveries.resend(EXHAUSTED, { type: 'admin', id: session.userId });
    return reply.redirect(`/admin/deliveries?resent=${resent}`, 303);
  });
}
