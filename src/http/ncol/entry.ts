import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EntryService } from '../../modules/checkout/index.ts';
import { queryBytes, type PageCharset } from '../../protocols/ogone/index.ts';
import type { EntryLimitHooks } from './limits.ts';
import { processedOrderPage } from '../../views/ncol/pages.ts';
import { PLAIN_CSP, asciiLocation, privatePage, sendErrorPage } from './responses.ts';

// The Ogone-compatible entry pages: form POST or GET on `orderstandard.asp` (bytes read as
// ISO-8859-1) and `orderstandard_utf8.asp` (UTF-8), in `test` and `prod`. A valid request goes on
// to its payment page (303); any rejection is the generic page in the request's LANGUAGE, with
// the detail in the merchant's error log, except a request that ended its order, which goes on to
// DECLINEURL as from the page. Nothing here ever answers 500 for what a client sent.

const PAGES: ReadonlyArray<readonly [string, PageCharset]> = [
  ['orderstandard.asp', 'latin1'],
  ['orderstandard_utf8.asp', 'utf8'],
];
const EMPTY = new Uint8Array(0);

function isForm(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().split(';')[0]?.trim() === 'application/x-www-form-urlencoded';
}

/** The POST body when it is a form, else the query string (a GET link, as in pay-by-e-mail). */
export function requestBytes(request: FastifyRequest): Uint8Array {
  if (request.method === 'POST') return isForm(request) && Buffer.isBuffer(request.body) ? request.body : EMPTY;
  return queryBytes(request.raw.url ?? '');
}

/**
 * The entry routes, each limited per client address before its body is read and per PSPID once it
 * is (limits.ts): a refused request never reaches the entry service, so it costs no database row.
 */
export function registerEntryRoutes(app: FastifyInstance, entry: EntryService, limits: EntryLimitHooks): void {
  for (const env of ['test', 'prod'] as const) {
    for (const [page, charset] of PAGES) {
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        const referer = request.headers.referer;
        const result = await entry.enter({
          env,
          page: charset,
          bytes: requestBytes(request),
          referrer: typeof referer === 'string' ? referer : undefined,
          clientIp: request.ip,
        });
        // The request ended its order (an unanswered challenge on its last attempt): DECLINEURL, as from the page.
        if (!result.ok && 'declined' in result) return reply.header('cache-control', 'no-store').redirect(asciiLocation(result.declined), 303);
        // 200 like the platform's own error page: shop plugins and browsers only show it.
        if (!result.ok && result.processed) return privatePage(reply, PLAIN_CSP).send(processedOrderPage(result.language, env, result.processed));
        if (!result.ok) return sendErrorPage(reply, 200, result.language, env);
        return reply.header('cache-control', 'no-store').redirect(`/ncol/${env}/pay/${result.orderId}?token=${result.token}`, 303);
      };
      app.route({ method: ['GET', 'POST'], url: `/${env}/${page}`, onRequest: limits.byIp, preHandler: limits.byPspid, handler });
    }
  }
}
