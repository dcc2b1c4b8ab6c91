import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { VarcoError } from '../../kernel/errors.ts';
import type { ApiUsersService, MerchantView, MerchantsService } from '../../modules/merchants/index.ts';
import { apiUsersPage, apiUserStrings, type ApiUsersPageView } from '../../views/merchant/api-users.ts';
import { fill } from '../../views/merchant/strings.ts';
import { form, IdParams, IdSegment, NoQuery, query, Text, textOf, typed } from '../shared/schemas.ts';
import { header, merchantReferent, scopedMerchant, sendPage } from './merchant.ts';

// The merchant's API users (DirectLink's USERID + PSWD): listed, created (or given a new password)
// and removed by the referents of the merchant's own organisation; another organisation's merchant
// answers 404. The password goes from the form to the service and is never written back into a page.

export interface PortalApiUserRoutesOptions {
  merchants: MerchantsService;
  apiUsers: ApiUsersService;
}

const ApiUserForm = form({ env: Text, userid: Text, password: Text, confirm: Text });
const RemoveParams = Type.Object({ id: IdSegment, userId: IdSegment });

export function registerPortalApiUserRoutes(app: FastifyInstance, options: PortalApiUserRoutesOptions): void {
  const { merchants, apiUsers } = options;
  const routes = typed(app);

  const page = async (request: FastifyRequest, reply: FastifyReply, m: MerchantView, extra: Partial<ApiUsersPageView> = {}, status = 200) => {
    const who = merchantReferent(request);
    const users = await apiUsers.list(m.id, { organisationId: who.organisationId });
    const view: ApiUsersPageView = { merchant: header(m), users, csrf: who.csrf, ...extra };
    return sendPage(request, reply, apiUserStrings(request.locale).title, apiUsersPage(request.locale, view), status);
  };

  routes.get('/merchants/:id/api-users', { schema: { params: IdParams, querystring: query({ removed: Text }) } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
    return page(request, reply, m, request.query.removed === '1' ? { notice: apiUserStrings(request.locale).removed } : {});
  });

  routes.post('/merchants/:id/api-users', { schema: { params: IdParams, querystring: NoQuery, body: ApiUserForm } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
    const body = request.body;
    const env = textOf(body, 'env');
    const userid = textOf(body, 'userid').trim().slice(0, 100);
    const values = { env, userid };
    if (env !== 'test' && env !== 'prod') return page(request, reply, m, { problem: 'not_eligible', values }, 400);
    const outcome = await apiUsers.save({ merchantId: m.id, env, userid, password: textOf(body, 'password'), confirm: textOf(body, 'confirm') }, who.actor, {
      organisationId: who.organisationId,
    });
    if (!outcome.ok) return page(request, reply, m, { problem: outcome.reason, values }, 400);
    const t = apiUserStrings(request.locale);
    return page(request, reply, m, { notice: fill(outcome.value.created ? t.saved : t.changed, { userid: outcome.value.user.userid }) });
  });

  routes.post('/merchants/:id/api-users/:userId/remove', { schema: { params: RemoveParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
    // Another merchant's user answers like an unknown one.
    if (!(await apiUsers.disable(m.id, request.params.userId, who.actor, { organisationId: who.organisationId })))
      throw new VarcoError('not_found', 'No such API user.');
    return reply.redirect(`/portal/merchants/${m.id}/api-users?removed=1`, 303);
  });
}
