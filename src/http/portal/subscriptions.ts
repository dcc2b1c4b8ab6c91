import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import {
  allowedActions,
  maskKey,
  overlapAllowed,
  SUBSCRIBE_PROBLEM_TEXT,
  approvalRequired,
  type KeysService,
  type KeyView,
  type ProductsService,
  type Slot,
  type SubscriptionActor,
  type SubscriptionRow,
  type SubscriptionsService,
} from '../../modules/subscriptions/index.ts';
import { problemIn } from '../../views/problems.ts';
import { portalNav } from '../../views/nav.ts';
import type { Locale } from '../../views/i18n.ts';
import { proposalStrings } from '../../views/proposals/strings.ts';
import type { ProposalsService } from '../../modules/proposals/index.ts';
import { requireReferent } from '../shared/session.ts';
import {
  keyShownPage,
  portalSubscriptionPage,
  productsPage,
  subscriptionTable,
  type KeyRowView,
  type Message,
  type SubscriptionRowView,
} from '../../views/subscriptions/portal.ts';
import { strings } from '../../views/subscriptions/strings.ts';
import { form, IdParams, IdSegment, NoQuery, query, Text, typed } from '../shared/schemas.ts';
import { Type } from 'typebox';
import { surfacePages } from '../shared/page.ts';
import { referentOf } from './referent.ts';
import { html } from '../../views/html.ts';
import { confirmPage } from '../../views/shared/confirm.ts';
import { confirmStrings } from '../../views/shared/confirm-strings.ts';

// Portal pages for products, subscriptions and keys. Every query is scoped by the referent's own
// organisation: another organisation's subscription id answers 404, exactly like an unknown one.

export interface PortalSubscriptionRoutesOptions {
  subscriptions: SubscriptionsService;
  apiKeys: KeysService;
  products: ProductsService;
  proposals: ProposalsService;
  /** The development certificate's CA file, for the key page's curl example; undefined with an operator certificate. */
  serverCaFile: string | undefined;
}

export function subscriptionView(s: SubscriptionRow): SubscriptionRowView {
  return {
    id: s.id,
    name: s.name,
    organisationName: s.organisation_name,
    productName: s.product_name,
    environment: s.environment,
    state: s.state,
    stateComment: s.state_comment,
    createdAt: s.created_at,
    inboundVerifiedAt: s.inbound_verified_at,
  };
}

export function keyViews(keys: KeyView[]): KeyRowView[] {
  return keys.map((k) => ({
    slot: k.slot,
    masked: k.revealedAt ? maskKey(k.prefix, k.last4) : null,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    validUntil: k.validUntil,
    current: k.current,
  }));
}

/** The signed-in referent: who acts, and the one organisation every query is limited to. */
function referent(request: FastifyRequest): { actor: SubscriptionActor & { type: 'referent'; id: string }; organisationId: string; csrf: string } {
  return referentOf(request);
}

const send = surfacePages('portal', portalNav);

const subscriptionId = (id: string): string => {
  if (!isId(id, 'sub')) throw new VarcoError('not_found', 'No such subscription.');
  return id;
};
const slotOf = (slot: string): Slot => {
  if (slot !== 'primary' && slot !== 'secondary') throw new VarcoError('not_found', 'No such key.');
  return slot;
};
const KeyParams = Type.Object({ id: IdSegment, slot: Type.String({ maxLength: 16 }) });

/** The referent's key regenerations of this subscription that wait for an administrator, or were decided lately, in words. */
async function keyProposals(proposals: ProposalsService, organisationId: string, subscriptionId: string, locale: Locale): Promise<string | undefined> {
  const t = proposalStrings(locale);
  const mine = (await proposals.list({ organisationId, limit: 50 })).filter(
    (p) => p.kind === 'api_key.regenerate' && p.subjectId.startsWith(`${subscriptionId}:`),
  );
  const latest = mine.find((p) => p.state === 'pending') ?? mine[0];
  if (!latest) return undefined;
  const slot = latest.subjectId.endsWith(':secondary') ? t.slot.secondary : t.slot.primary;
  const text = `${t.kinds[latest.kind]} (${slot}): ${t.states[latest.state]}.`;
  return latest.state === 'pending' ? `${text} ${t.keyRevealNotice}` : text;
}

export function registerPortalSubscriptionRoutes(app: FastifyInstance, options: PortalSubscriptionRoutesOptions): void {
  const { subscriptions, apiKeys, products } = options;

  const productsView = async (request: FastifyRequest, reply: FastifyReply, message?: Message, form?: { productId: string; name: string }) => {
    const who = referent(request);
    const cards = (await products.forReferent(who.actor.id)).map((p) => ({
      id: p.id,
      code: p.code,
      name: p.name,
      description: p.description,
      approvalTest: approvalRequired(p, 'test', options.proposals.enabled()),
      approvalProd: approvalRequired(p, 'prod', options.proposals.enabled()),
    }));
    return send(
      request,
      reply,
      strings(request.locale).products,
      productsPage(request.locale, { products: cards, csrf: who.csrf, ...(message ? { message } : {}), ...(form ? { form } : {}) }),
      message?.kind === 'error' ? 400 : 200,
    );
  };

  const detail = async (request: FastifyRequest, reply: FastifyReply, id: string, message?: Message, status = 200) => {
    const who = referent(request);
    const found = await subscriptions.get(subscriptionId(id), who.organisationId);
    if (!found) throw new VarcoError('not_found', 'No such subscription.');
    const body = portalSubscriptionPage(request.locale, {
      subscription: subscriptionView(found),
      keys: keyViews(await apiKeys.list(found.id)),
      csrf: who.csrf,
      canReveal: found.state === 'active',
      canRegenerate: found.state === 'active' || found.state === 'suspended',
      canCancel: allowedActions(found.state, 'referent').includes('cancel'),
      ...(message ? { message } : {}),
    });
    return send(request, reply, found.name, body, status);
  };

  const routes = typed(app);
  routes.get('/products', { schema: { querystring: NoQuery } }, (request, reply) => productsView(request, reply));

  routes.post(
    '/subscriptions',
    { schema: { querystring: NoQuery, body: form({ productId: Text, name: Text, environment: Text }) } },
    async (request, reply) => {
      const who = referent(request);
      const { body } = request;
      const values = { productId: body.productId ?? '', name: (body.name ?? '').slice(0, 200) };
      const result = await subscriptions.subscribe({ productId: values.productId, environment: body.environment ?? '', name: values.name }, who.actor);
      if (!result.ok)
        return productsView(request, reply, { kind: 'error', text: problemIn(request.locale, 'subscribe', result.reason, SUBSCRIBE_PROBLEM_TEXT) }, values);
      return reply.redirect(`/portal/subscriptions/${result.value.id}?created=${result.value.state}`, 303);
    },
  );

  routes.get('/subscriptions', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const who = referent(request);
    const rows = (await subscriptions.list({ organisationId: who.organisationId })).map(subscriptionView);
    return send(request, reply, strings(request.locale).subscriptions, subscriptionTable(request.locale, rows, '/portal'));
  });

  routes.get('/subscriptions/:id', { schema: { params: IdParams, querystring: query({ created: Text }) } }, async (request, reply) => {
    const created = request.query.created;
    const t = strings(request.locale);
    // The referent sees the state of a key regeneration waiting for an administrator (four-eyes).
    const waiting = await keyProposals(options.proposals, referent(request).organisationId, request.params.id, request.locale);
    const notice = created === 'submitted' ? t.submittedNotice : created === 'active' ? t.activeNotice : waiting;
    return detail(request, reply, request.params.id, notice ? { kind: 'notice', text: notice } : undefined);
  });

  routes.post('/subscriptions/:id/keys/:slot/reveal', { schema: { params: KeyParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const who = referent(request);
    const id = subscriptionId(request.params.id);
    const slot = slotOf(request.params.slot);
    const result = await apiKeys.reveal(id, slot, who.actor, who.organisationId);
    const t = strings(request.locale);
    if (!result.ok) return detail(request, reply, id, { kind: 'error', text: result.reason === 'not_active' ? t.notActive : t.alreadyRevealed }, 409);
    return send(
      request,
      reply,
      t.keys,
      keyShownPage(request.locale, {
        subscriptionId: id,
        slot,
        key: result.value.key,
        previousValidUntil: null,
        apiUrl: `${request.protocol}://${request.host}`,
        caFile: options.serverCaFile,
      }),
    );
  });

  routes.post(
    '/subscriptions/:id/keys/:slot/regenerate',
    { schema: { params: KeyParams, querystring: NoQuery, body: form({ overlapHours: Text }) } },
    async (request, reply) => {
      const who = referent(request);
      const id = subscriptionId(request.params.id);
      const slot = slotOf(request.params.slot);
      const raw = (request.body.overlapHours ?? '').trim();
      const hours = /^\d{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
      const t = strings(request.locale);
      // Refused before any proposal: one the keys service would refuse after approval would hold the slot meanwhile.
      if (!overlapAllowed(hours)) return detail(request, reply, id, { kind: 'error', text: t.invalidOverlap }, 400);
      // Four-eyes: a production key is regenerated after an administrator approves; the referent then reveals it once.
      const session = requireReferent(request);
      const gated = await options.proposals.gate(
        { kind: 'api_key.regenerate', params: { subscriptionId: id, organisationId: who.organisationId, slot, overlapHours: hours } },
        { type: 'referent', id: who.actor.id, email: session.email, ip: request.ip },
      );
      if (gated.proposed) return reply.redirect(`/portal/subscriptions/${id}`, 303);
      const result = await apiKeys.regenerate(id, slot, hours, who.actor, who.organisationId);
      if (!result.ok)
        return detail(
          request,
          reply,
          id,
          { kind: 'error', text: result.reason === 'invalid_overlap' ? t.invalidOverlap : t.notManageable },
          result.reason === 'invalid_overlap' ? 400 : 409,
        );
      return send(
        request,
        reply,
        t.keys,
        keyShownPage(request.locale, {
          subscriptionId: id,
          slot,
          key: result.value.key,
          previousValidUntil: hours > 0 ? result.value.previousValidUntil : null,
          apiUrl: `${request.protocol}://${request.host}`,
          caFile: options.serverCaFile,
        }),
      );
    },
  );

  // Asked first (issue 14): the buttons lead to these pages, which say what will happen and post the form.
  routes.get('/subscriptions/:id/keys/:slot/regenerate', { schema: { params: KeyParams, querystring: NoQuery } }, async (request, reply) => {
    const who = referent(request);
    const found = await subscriptions.get(subscriptionId(request.params.id), who.organisationId);
    if (!found) throw new VarcoError('not_found', 'No such subscription.');
    const slot = slotOf(request.params.slot);
    const c = confirmStrings(request.locale).regenerate;
    const body = confirmPage(request.locale, {
      consequences: c.consequences,
      action: `/portal/subscriptions/${found.id}/keys/${slot}/regenerate`,
      fields: { _csrf: who.csrf },
      inputs: html`<label for="overlap">${c.overlap}</label><input id="overlap" name="overlapHours" type="number" min="0" max="72" step="1" value="24" required>`,
      confirmLabel: c.confirm,
      cancelHref: `/portal/subscriptions/${found.id}`,
    });
    return send(request, reply, c.title(slot), body);
  });

  routes.get('/subscriptions/:id/cancel', { schema: { params: IdParams, querystring: NoQuery } }, async (request, reply) => {
    const who = referent(request);
    const found = await subscriptions.get(subscriptionId(request.params.id), who.organisationId);
    if (!found) throw new VarcoError('not_found', 'No such subscription.');
    const c = confirmStrings(request.locale).cancel;
    const body = confirmPage(request.locale, {
      consequences: c.consequences,
      action: `/portal/subscriptions/${found.id}/cancel`,
      fields: { _csrf: who.csrf },
      confirmLabel: c.confirm,
      cancelHref: `/portal/subscriptions/${found.id}`,
    });
    return send(request, reply, c.title, body);
  });

  routes.post('/subscriptions/:id/cancel', { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const who = referent(request);
    const id = subscriptionId(request.params.id);
    await subscriptions.change(id, 'cancel', who.actor, { organisationId: who.organisationId });
    return reply.redirect(`/portal/subscriptions/${id}`, 303);
  });
}
