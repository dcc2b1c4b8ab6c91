import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { DirectLinkService, EntryService, PaymentService, TemplateFetcher } from '../../modules/checkout/index.ts';
import { PAY_CSS, PAY_JS } from '../../views/ncol/assets.ts';
import { registerEntryRoutes, requestBytes } from './entry.ts';
import { entryLimitHooks, limitHooks, type EntryLimits } from './limits.ts';
import { directLinkLimitRefusal, registerDirectLinkRoutes, sendDirectLinkFailure } from './directlink.ts';
import { registerPayRoutes } from './pay.ts';
import { logFailure, sendErrorPage, statusOfError } from './responses.ts';

export interface NcolContextOptions {
  entry: EntryService;
  payment: PaymentService;
  /** The dynamic templates (TP) of the payment pages. */
  templates: TemplateFetcher;
  /** DirectLink's server-to-server pages (orderdirect, querydirect, maintenancedirect). */
  directlink: DirectLinkService;
  /** Requests per minute the entry accepts per client address and per PSPID (VARCO_NCOL_RATE_LIMIT_*). */
  limits: EntryLimits;
}

/** Whole body, as `form.ts` bounds it: larger is refused before it is read. */
const BODY_LIMIT = 256 * 1024;

/**
 * The hosted payment page (Ogone-compatible entry). Guarded by SHA-IN and the per-order token,
 * never by cookies: no session or form-body plugin is registered here, and nothing sets a cookie.
 * Bodies are kept as raw bytes, whatever their content type, because SHA-IN hashes the values as
 * the page's charset decodes them (form.ts), which no generic parser does.
 */
export async function ncolContext(app: FastifyInstance, options: NcolContextOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  // Every failure is the generic page, never a stack or a detail; bad input is a 4xx, never a 500.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = statusOfError(error);
    if (status >= 500) logFailure(request.log, error, status, 'hosted page request');
    else request.log.info({ code: error.code, status }, 'hosted page request refused');
    return sendDirectLinkFailure(request, reply, status) ?? sendErrorPage(reply, status, 'en_US', request.url.startsWith('/ncol/prod/') ? 'prod' : 'test');
  });
  app.setNotFoundHandler((request, reply) => sendErrorPage(reply, 404, 'en_US', request.url.startsWith('/ncol/prod/') ? 'prod' : 'test'));

  app.get('/', async (_request, reply) => reply.redirect('/', 303));
  const asset = (type: string, text: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.type(type).header('cache-control', 'public, max-age=3600').send(text);
  app.get('/assets/pay.css', asset('text/css; charset=utf-8', PAY_CSS));
  app.get('/assets/pay.js', asset('text/javascript; charset=utf-8', PAY_JS));

  registerEntryRoutes(app, options.entry, await entryLimitHooks(app, options.limits, requestBytes));
  registerPayRoutes(app, options.payment, options.templates);
  // Limited like the entry, with counters of their own (a shop's server is not its customers' browsers).
  registerDirectLinkRoutes(app, options.directlink, limitHooks(app, options.limits, requestBytes, directLinkLimitRefusal));
}
