import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrderRecord, PageState, PaymentService, StepResult, TemplateFetcher } from '../../modules/checkout/index.ts';
import { decodeForm, formatAmount } from '../../protocols/ogone/index.ts';
import { lookStylesheet } from '../../views/ncol/look.ts';
import { challengePage, payPage, resultPage, type CardFieldName, type OrderSummaryView } from '../../views/ncol/pages.ts';
import { pageLanguage } from '../../views/ncol/strings.ts';
import { inTemplate } from '../../views/ncol/template.ts';
import { PLAIN_CSP, asciiLocation, payPageCsp, privatePage, sendErrorPage } from './responses.ts';
import { EnvSegment, IdSegment, typed } from '../shared/schemas.ts';
import { Type } from 'typebox';

// The payment page of one order: `/ncol/<env>/pay/<orderId>?token=<token>`. The token (only its hash is
// stored) is what opens the page and what every form carries back, so pages cannot be enumerated
// and no other site can post to them (it cannot know the token): CSRF-safe without a cookie.

type Env = 'test' | 'prod';

// What the page's URL carries. A value of the wrong shape (an overlong order id, a repeated token)
// is refused before the handler with the generic error page (400), by the context's error handler.
const Params = Type.Object({ env: EnvSegment, orderId: IdSegment });
// Named `token`, which the access log censors in URLs (src/app/logger.ts): it opens the page.
const PageQuery = Type.Object({ token: Type.Optional(Type.String()) });
const page = { params: Params, querystring: PageQuery };
/** The steps' forms are read from the raw body (formFields), in UTF-8, like the entry's. */
const step = { params: Params };

const envOf = (params: { env: string }): Env | undefined => (params.env === 'test' || params.env === 'prod' ? params.env : undefined);

/** Our own forms are UTF-8 (accept-charset); anything undecodable reads as empty fields. */
function formFields(request: FastifyRequest): ReadonlyMap<string, string> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const decoded = decodeForm(body, 'utf8', { maxBytes: 16 * 1024, maxParameters: 20, maxValueLength: 200 });
  return decoded.ok ? decoded.form.values : new Map();
}

function summaryOf(order: OrderRecord): OrderSummaryView {
  const description = order.stored.order.description;
  return {
    merchantName: order.merchantName,
    orderRef: order.orderRef,
    // In the language the page is shown in (dk_DK: English), so the figure reads like the text around it.
    amount: formatAmount(order.amount, order.currency, pageLanguage(order.language)),
    ...(description ? { description } : {}),
  };
}

const base = (env: Env, orderId: string): string => `/ncol/${env}/pay/${orderId}`;
const lookHref = (env: Env, order: OrderRecord, token: string): string => `${base(env, order.id)}/look.css?token=${encodeURIComponent(token)}`;

/**
 * The payment page inside the merchant's dynamic template (TP) when it can be used; else the standard
 * page, as the platform falls back to its static template. The reason is logged (with the order, never
 * the page's token), not shown to the customer.
 */
async function withTemplate(reply: FastifyReply, templates: TemplateFetcher, order: OrderRecord, page: string): Promise<{ html: string; template?: string }> {
  const url = order.stored.order.template;
  if (url === undefined) return { html: page };
  const loaded = await templates.load({ env: order.env, merchantId: order.merchantId, organisationId: order.organisationId }, url);
  const html = loaded.ok ? inTemplate(loaded.html, page) : undefined;
  if (html !== undefined) return { html, template: url };
  reply.log.warn(
    { orderId: order.id, template: url, problem: loaded.ok ? 'no payment zone once neutralised' : loaded.problem },
    'dynamic template not used; standard page',
  );
  return { html: page };
}

async function render(reply: FastifyReply, templates: TemplateFetcher, env: Env, token: string, state: PageState, status = 200): Promise<FastifyReply> {
  if (state.kind === 'not_found') return sendErrorPage(reply, 404, 'en_US', env);
  const { order } = state;
  const language = order.language;
  const look = order.stored.order.look;
  if (state.kind === 'pay') {
    const problems = state.problems.map((p) => ({ field: p.field as CardFieldName, code: p.code }));
    const page = await withTemplate(
      reply,
      templates,
      order,
      payPage({
        language,
        env,
        order: summaryOf(order),
        look,
        lookHref: lookHref(env, order, token),
        action: base(env, order.id),
        cancelAction: `${base(env, order.id)}/cancel`,
        token,
        holder: order.card?.holder ?? order.stored.order.customer.name ?? '',
        expiry: '',
        refused: state.refused,
        ncError: order.ncError,
        problems,
        ...(state.stored ? { stored: state.stored.card } : {}),
        ...(order.stored.order.aliasUsage && !state.stored ? { aliasUsage: order.stored.order.aliasUsage } : {}),
      }),
    );
    const csp = payPageCsp({ formTargets: state.redirectOrigins, logo: look.logo, template: page.template });
    return privatePage(reply.code(problems.length > 0 ? 400 : status), csp).send(page.html);
  }
  if (state.kind === 'challenge') {
    return privatePage(reply.code(status), payPageCsp({ formTargets: state.redirectOrigins, logo: look.logo })).send(
      challengePage({ language, env, order: summaryOf(order), look, lookHref: lookHref(env, order, token), action: `${base(env, order.id)}/3ds`, token }),
    );
  }
  return privatePage(reply.code(status), PLAIN_CSP).send(
    resultPage({
      language,
      env,
      order: summaryOf(order),
      state: state.kind === 'processing' ? 'processing' : state.accepted ? 'accepted' : 'denied',
      ncError: order.ncError,
    }),
  );
}

async function respond(reply: FastifyReply, templates: TemplateFetcher, env: Env, orderId: string, token: string, result: StepResult): Promise<FastifyReply> {
  if (result.kind === 'redirect') return reply.header('cache-control', 'no-store').redirect(asciiLocation(result.url), 303);
  if (result.kind === 'challenge') return reply.redirect(`${base(env, orderId)}/3ds?token=${encodeURIComponent(token)}`, 303);
  if (result.kind === 'page') return render(reply, templates, env, token, result.state);
  const urls = result.order.stored.order.urls;
  const link = (u: string | undefined): string | undefined => (u === undefined || u === 'NONE' ? undefined : u);
  const home = link(urls.home);
  const catalog = link(urls.catalog);
  return privatePage(reply, PLAIN_CSP).send(
    resultPage({
      language: result.order.language,
      env,
      order: summaryOf(result.order),
      state: result.accepted ? 'accepted' : 'denied',
      ncError: result.order.ncError,
      ...(home ? { homeUrl: home } : {}),
      ...(catalog ? { catalogUrl: catalog } : {}),
    }),
  );
}

export function registerPayRoutes(app: FastifyInstance, payment: PaymentService, templates: TemplateFetcher): void {
  registerPageRoutes(app, payment, templates);
  registerStepRoutes(app, payment, templates);
}

/** The pages (GET): payment form, challenge, the look-and-feel stylesheet. */
function registerPageRoutes(app: FastifyInstance, payment: PaymentService, templates: TemplateFetcher): void {
  const routes = typed(app);
  routes.get('/:env/pay/:orderId', { schema: page }, async (request, reply) => {
    const env = envOf(request.params);
    if (!env) return sendErrorPage(reply, 404, 'en_US', 'test');
    const token = request.query.token ?? '';
    const state = await payment.view(env, request.params.orderId, token);
    // The challenge lives at its own address, so a reload of either page shows the right one.
    if (state.kind === 'challenge') return reply.redirect(`${base(env, state.order.id)}/3ds?token=${encodeURIComponent(token)}`, 303);
    return render(reply, templates, env, token, state);
  });

  routes.get('/:env/pay/:orderId/3ds', { schema: page }, async (request, reply) => {
    const env = envOf(request.params);
    if (!env) return sendErrorPage(reply, 404, 'en_US', 'test');
    const token = request.query.token ?? '';
    const state = await payment.view(env, request.params.orderId, token);
    if (state.kind === 'pay') return reply.redirect(`${base(env, state.order.id)}?token=${encodeURIComponent(token)}`, 303);
    return render(reply, templates, env, token, state);
  });

  routes.get('/:env/pay/:orderId/look.css', { schema: page }, async (request, reply) => {
    const env = envOf(request.params);
    const state = env ? await payment.view(env, request.params.orderId, request.query.token ?? '') : { kind: 'not_found' as const };
    if (state.kind === 'not_found') return reply.code(404).type('text/css; charset=utf-8').send('');
    return reply.type('text/css; charset=utf-8').header('cache-control', 'private, max-age=600').send(lookStylesheet(state.order.stored.order.look));
  });
}

/** The steps (POST): a card attempt, the challenge's answer, the customer's cancel. */
function registerStepRoutes(app: FastifyInstance, payment: PaymentService, templates: TemplateFetcher): void {
  const routes = typed(app);
  routes.post('/:env/pay/:orderId', { schema: step }, async (request, reply) => {
    const env = envOf(request.params);
    if (!env) return sendErrorPage(reply, 404, 'en_US', 'test');
    const f = formFields(request);
    const token = f.get('TOKEN') ?? '';
    // The card number and CVC go from here to the acquirer inside a PaymentCard; they are never logged or stored.
    const input = {
      holder: f.get('HOLDER') ?? '',
      number: f.get('NUMBER') ?? '',
      expiry: f.get('EXPIRY') ?? '',
      cvc: f.get('CVC') ?? '',
      stored: f.get('STORED') === '1',
    };
    return respond(reply, templates, env, request.params.orderId, token, await payment.pay(env, request.params.orderId, token, input, request.ip));
  });

  routes.post('/:env/pay/:orderId/3ds', { schema: step }, async (request, reply) => {
    const env = envOf(request.params);
    if (!env) return sendErrorPage(reply, 404, 'en_US', 'test');
    const f = formFields(request);
    const token = f.get('TOKEN') ?? '';
    const result = await payment.answerChallenge(env, request.params.orderId, token, f.get('DECISION') === 'approve', request.ip);
    return respond(reply, templates, env, request.params.orderId, token, result);
  });

  routes.post('/:env/pay/:orderId/cancel', { schema: step }, async (request, reply) => {
    const env = envOf(request.params);
    if (!env) return sendErrorPage(reply, 404, 'en_US', 'test');
    const token = formFields(request).get('TOKEN') ?? '';
    return respond(reply, templates, env, request.params.orderId, token, await payment.cancel(env, request.params.orderId, token, request.ip));
  });
}
