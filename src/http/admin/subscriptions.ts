import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import {
  allowedActions,
  maskKey,
  PRODUCT_PROBLEM_TEXT,
  ROUTE_GROUPS,
  SUBSCRIPTION_STATES,
  type KeysService,
  type ProductInput,
  type ProductsService,
  type SubscriptionActor,
  type SubscriptionFilter,
  type SubscriptionRow,
  type SubscriptionsService,
} from '../../modules/subscriptions/index.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { adminNav } from '../../views/nav.ts';
import {
  adminSubscriptionPage,
  adminSubscriptionsPage,
  organisationSubscriptionsSection,
  productsCataloguePage,
  type ProductRowView,
  type SubscriptionListFilter,
} from '../../views/subscriptions/admin.ts';
import type { Message, SubscriptionRowView } from '../../views/subscriptions/portal.ts';
import { strings } from '../../views/subscriptions/strings.ts';
import { requireAdmin } from '../shared/session.ts';
import type { ProposalsService } from '../../modules/proposals/index.ts';
import { proposalStrings } from '../../views/proposals/strings.ts';
import { adminProposer, proposedRedirect } from './proposals.ts';
import { surfacePages } from '../shared/page.ts';
import { problemIn } from '../../views/problems.ts';
import { form, IdParams, NoQuery, query, Text, TextList, typed } from '../shared/schemas.ts';
import { queryText, searchHref, searchOrProblem, searchRefusals } from '../shared/pagination.ts';
import type { Static } from 'typebox';
import type { Timelines } from '../../kernel/home.ts';
import { timelineSection } from '../../views/shared/timeline.ts';
import { confirmPage } from '../../views/shared/confirm.ts';
import { confirmStrings } from '../../views/shared/confirm-strings.ts';

// Back office: pending requests, decisions (approve, reject with comment, suspend, reactivate) and the
// product catalogue. Decisions go through the module's policy; a stale page gets a 409.

export interface AdminSubscriptionRoutesOptions {
  subscriptions: SubscriptionsService;
  apiKeys: KeysService;
  products: ProductsService;
  proposals: ProposalsService;
  timelines: Timelines;
}

const ProductForm = form({
  code: Text,
  name: Text,
  description: Text,
  routeGroups: TextList,
  approvalTest: Text,
  approvalProd: Text,
  rateLimitPerMinute: Text,
});

const view = (s: SubscriptionRow): SubscriptionRowView => ({
  id: s.id,
  name: s.name,
  organisationName: s.organisation_name,
  productName: s.product_name,
  environment: s.environment,
  state: s.state,
  stateComment: s.state_comment,
  createdAt: s.created_at,
  inboundVerifiedAt: s.inbound_verified_at,
});

function admin(request: FastifyRequest): { actor: SubscriptionActor; csrf: string } {
  const session = requireAdmin(request);
  return { actor: { type: 'admin', id: session.userId, ip: request.ip }, csrf: session.csrfToken };
}

const send = surfacePages('admin', adminNav);

function productInput(body: Static<typeof ProductForm>): ProductInput {
  const rate = (body.rateLimitPerMinute ?? '').trim();
  return {
    code: (body.code ?? '').trim(),
    name: body.name ?? '',
    description: body.description ?? '',
    routeGroups: body.routeGroups ?? [],
    approvalRequiredTest: body.approvalTest === '1',
    approvalRequiredProd: body.approvalProd === '1',
    rateLimitPerMinute: /^\d{1,7}$/.test(rate) ? Number(rate) : Number.NaN,
  };
}

/** Section for the organisation page of the back office. */
export function organisationSubscriptions(subscriptions: SubscriptionsService) {
  return async (organisationId: string, request: FastifyRequest): Promise<SafeHtml[]> => [
    organisationSubscriptionsSection(request.locale, (await subscriptions.list({ organisationId })).map(view)),
  ];
}

const SUBSCRIPTIONS_PAGE = 50;
const ListQuery = query({ state: Text, env: Text, q: Text, before: Text });

/** The search form's values as typed. */
const subscriptionValuesOf = (q: Static<typeof ListQuery>): SubscriptionListFilter => ({
  state: queryText(q, 'state'),
  env: queryText(q, 'env'),
  q: queryText(q, 'q'),
});

/** The list's search from the query; a malformed one is refused with its reason (400), never a 500. */
export function subscriptionSearchOf(q: Static<typeof ListQuery>): { values: SubscriptionListFilter; filter: SubscriptionFilter } {
  const values = subscriptionValuesOf(q);
  const state = SUBSCRIPTION_STATES.find((s) => s === values.state);
  if (values.state !== '' && state === undefined) searchRefusals.oneOf('state', SUBSCRIPTION_STATES);
  if (values.env !== '' && values.env !== 'test' && values.env !== 'prod') searchRefusals.oneOf('env', ['test', 'prod']);
  if (values.q.length > 100) searchRefusals.tooLong('q', 100);
  if (q.before !== undefined && !isId(q.before, 'sub')) searchRefusals.pageLink();
  return {
    values,
    filter: {
      ...(state ? { state } : {}),
      ...(values.env === 'test' || values.env === 'prod' ? { environment: values.env } : {}),
      ...(values.q ? { text: values.q } : {}),
      ...(q.before !== undefined ? { beforeId: q.before } : {}),
    },
  };
}

export function registerAdminSubscriptionRoutes(app: FastifyInstance, options: AdminSubscriptionRoutesOptions): void {
  const { subscriptions, apiKeys, products } = options;

  const detail = async (request: FastifyRequest, reply: FastifyReply, id: string, message?: Message, status = 200) => {
    const { csrf } = admin(request);
    const found = isId(id, 'sub') ? await subscriptions.get(id) : undefined;
    if (!found) throw new VarcoError('not_found', 'No such subscription.');
    const keys = (await apiKeys.list(id)).map((k) => ({
      slot: k.slot,
      masked: k.revealedAt ? maskKey(k.prefix, k.last4) : null,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
      validUntil: k.validUntil,
      current: k.current,
    }));
    // A decision already proposed (four-eyes) waits for a second administrator: say so, with its link.
    const waiting = (await options.proposals.list({ subjectId: id })).find((p) => p.state === 'pending');
    const waitingNotice = waiting
      ? html`<p class="notice" role="status" id="proposal-waiting">${proposalStrings(request.locale).waitingForSecond} <a href="/admin/proposals/${waiting.id}">${waiting.id}</a></p>`
      : '';
    return send(
      request,
      reply,
      found.name,
      html`${waitingNotice}${adminSubscriptionPage(request.locale, {
        subscription: view(found),
        keys,
        actions: allowedActions(found.state, 'admin'),
        csrf,
        ...(message ? { message } : {}),
      })}${timelineSection(request.locale, await options.timelines.of('subscription', id, { kind: 'admin' }))}`,
      status,
    );
  };

  const routes = typed(app);
  routes.get('/subscriptions', { schema: { querystring: ListQuery } }, async (request, reply) => {
    admin(request);
    const values = subscriptionValuesOf(request.query);
    const { search: filter, problem } = await searchOrProblem(request.locale, async () => {
      const { filter } = subscriptionSearchOf(request.query);
      // A page link naming a subscription that does not exist would read as "No subscriptions yet".
      if (filter.beforeId !== undefined && !(await subscriptions.get(filter.beforeId))) searchRefusals.pageLink();
      return filter;
    });
    const [pending, fetched] = await Promise.all([
      subscriptions.list({ state: 'submitted' }),
      filter ? subscriptions.list({ ...filter, limit: SUBSCRIPTIONS_PAGE + 1 }) : [],
    ]);
    const rows = fetched.slice(0, SUBSCRIPTIONS_PAGE);
    const last = rows.at(-1);
    return send(
      request,
      reply,
      strings(request.locale).subscriptions,
      adminSubscriptionsPage(request.locale, {
        ...(problem ? { problem } : {}),
        pending: pending.map(view),
        rows: rows.map(view),
        filter: values,
        olderHref: fetched.length > SUBSCRIPTIONS_PAGE && last ? searchHref('/admin/subscriptions', values, last.id) : null,
        newestHref: filter?.beforeId !== undefined ? searchHref('/admin/subscriptions', values) : null,
      }),
      problem ? 400 : 200,
    );
  });

  routes.get('/subscriptions/:id', { schema: { params: IdParams, querystring: query({ done: Text }) } }, (request, reply) => {
    const done = request.query.done;
    return detail(request, reply, request.params.id, done ? { kind: 'notice', text: strings(request.locale).changed } : undefined);
  });

  // Suspending is asked first (issue 14): the button leads here, and says why (the referents read the
  // reason in their e-mail and on the subscription's page; a suspension without one reads as arbitrary).
  const suspendPage = async (request: FastifyRequest, reply: FastifyReply, id: string, error?: string) => {
    const { csrf } = admin(request);
    const found = isId(id, 'sub') ? await subscriptions.get(id) : undefined;
    if (!found) throw new VarcoError('not_found', 'No such subscription.');
    const c = confirmStrings(request.locale).suspend;
    const t = strings(request.locale);
    const body = confirmPage(request.locale, {
      consequences: [`${found.organisation_name} — ${found.name} (${found.environment === 'prod' ? t.prod : t.test})`, ...c.consequences],
      action: `/admin/subscriptions/${id}/suspend`,
      fields: { _csrf: csrf },
      inputs: html`<label for="comment">${t.suspendReason}</label><textarea id="comment" name="comment" required maxlength="1000"${error ? html` aria-invalid="true" aria-describedby="comment-error" autofocus` : ''}></textarea>${error ? html`<p class="error" id="comment-error" role="alert">${error}</p>` : ''}`,
      confirmLabel: c.confirm,
      cancelHref: `/admin/subscriptions/${id}`,
    });
    return send(request, reply, c.title, body, error ? 400 : 200);
  };
  routes.get('/subscriptions/:id/suspend', { schema: { params: IdParams, querystring: NoQuery } }, (request, reply) =>
    suspendPage(request, reply, request.params.id),
  );

  for (const action of ['approve', 'reject', 'suspend', 'reactivate'] as const) {
    routes.post(
      `/subscriptions/:id/${action}`,
      { schema: { params: IdParams, querystring: NoQuery, body: form({ comment: Text }) } },
      async (request, reply) => {
        const { actor } = admin(request);
        const id = request.params.id;
        if (!isId(id, 'sub')) throw new VarcoError('not_found', 'No such subscription.');
        if (action === 'suspend' && (request.body.comment ?? '').trim() === '') {
          return suspendPage(request, reply, id, strings(request.locale).suspendReasonRequired);
        }
        const comment = request.body.comment ?? '';
        const decided = await (async () => {
          // Four-eyes: approving a production subscription, or undoing its suspension, becomes a proposal (docs/adr/0034-four-eyes.md).
          if (action === 'approve' || action === 'reactivate') {
            const gated = await options.proposals.gate(
              { kind: action === 'approve' ? 'subscription.approve' : 'subscription.reactivate', params: { subscriptionId: id, comment } },
              adminProposer(request),
            );
            if (gated.proposed) return gated;
          }
          return subscriptions.change(id, action, actor, { comment });
        })().catch((error: unknown) => {
          // Decided meanwhile (another tab, another administrator): its page as it is now, saying so.
          if (error instanceof VarcoError && error.code === 'invalid_state_transition') return 'changed' as const;
          throw error;
        });
        if (decided === 'changed') return detail(request, reply, id, { kind: 'error', text: strings(request.locale).changedMeanwhile }, 409);
        if ('proposed' in decided) return proposedRedirect(reply, decided);
        if (!decided.ok) return detail(request, reply, id, { kind: 'error', text: strings(request.locale).commentRequired }, 400);
        return reply.redirect(`/admin/subscriptions/${id}?done=${action}`, 303);
      },
    );
  }

  const catalogue = async (request: FastifyRequest, reply: FastifyReply, message?: Message, form?: Partial<ProductRowView>) => {
    const { csrf } = admin(request);
    const rows = (await products.list()).map((p) => ({
      id: p.id,
      code: p.code,
      name: p.name,
      description: p.description,
      routeGroups: p.route_groups,
      approvalTest: p.approval_required_test,
      approvalProd: p.approval_required_prod,
      rateLimitPerMinute: p.rate_limit_per_minute,
    }));
    return send(
      request,
      reply,
      strings(request.locale).catalogue,
      productsCataloguePage(request.locale, {
        products: rows,
        groups: ROUTE_GROUPS,
        csrf,
        fourEyes: options.proposals.enabled(),
        ...(message ? { message } : {}),
        ...(form ? { form } : {}),
      }),
      message?.kind === 'error' ? 400 : 200,
    );
  };

  routes.get('/products', { schema: { querystring: NoQuery } }, (request, reply) => catalogue(request, reply));

  const saved = (
    request: FastifyRequest,
    reply: FastifyReply,
    input: ProductInput,
    id: string | undefined,
    result: Awaited<ReturnType<ProductsService['create']>>,
  ) => {
    if (result.ok) return reply.redirect('/admin/products', 303);
    if (result.reason === 'not_found') throw new VarcoError('not_found', 'No such product.');
    return catalogue(
      request,
      reply,
      { kind: 'error', text: problemIn(request.locale, 'product', result.reason, PRODUCT_PROBLEM_TEXT) },
      {
        ...(id ? { id } : {}),
        code: input.code,
        name: input.name,
        description: input.description,
        routeGroups: input.routeGroups,
        approvalTest: input.approvalRequiredTest,
        approvalProd: input.approvalRequiredProd,
      },
    );
  };

  routes.post('/products', { schema: { querystring: NoQuery, body: ProductForm } }, async (request, reply) => {
    const { actor } = admin(request);
    const input = productInput(request.body);
    return saved(request, reply, input, undefined, await products.create(input, actor));
  });

  routes.post('/products/:id', { schema: { params: IdParams, querystring: NoQuery, body: ProductForm } }, async (request, reply) => {
    const { actor } = admin(request);
    if (!/^prd_[a-z0-9]+$/.test(request.params.id)) throw new VarcoError('not_found', 'No such product.');
    const input = productInput(request.body);
    return saved(request, reply, input, request.params.id, await products.update(request.params.id, input, actor));
  });
}
