import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { DirectLinkService } from '../../modules/checkout/index.ts';
import { DIRECTLINK_PAGES, NC_ERROR, ncResponseContentType, writeNcResponse, type NcResponse, type PageCharset } from '../../protocols/ogone/index.ts';
import { typed } from '../shared/schemas.ts';
import { requestBytes } from './entry.ts';
import type { EntryLimitHooks, LimitRefusal } from './limits.ts';
import { logFailure, statusOfError } from './responses.ts';

// DirectLink's pages (`/ncol/<env>/orderdirect.asp`, `querydirect.asp`, `maintenancedirect.asp`, and
// their `_utf8` twins): a form POSTed by the shop's server, answered with one `<ncresponse/>` element,
// HTTP 200 as the platform does — a refusal is an answer, with its NCERROR. GET is refused: the
// request carries a password and card data, which must not travel in a URL (logs, proxies). Limits
// per client address and per PSPID as the hosted page's, with counters of their own.

/** Nothing is read from the query string; what a client puts there is dropped before the handler. */
const NoParameters = Type.Object({});

const answer = (reply: FastifyReply, charset: PageCharset, status: number, body: NcResponse): FastifyReply => {
  // 503: the database away or the instance stopping; the caller may retry after querying the order.
  if (status === 503) reply.header('retry-after', '5');
  return reply.code(status).type(ncResponseContentType(charset)).header('cache-control', 'no-store').send(writeNcResponse(body));
};

const refusal = (ncError: string, text: string): NcResponse => ({
  orderId: '',
  payId: '0',
  ncError,
  ncErrorPlus: text,
  acceptance: '',
  status: '0',
  amount: '',
  currency: '',
  pm: '',
  brand: '',
});

/** Too many requests: the XML answer, 429 with Retry-After. */
export const directLinkLimitRefusal: LimitRefusal = (request, reply, seconds) =>
  answer(
    reply.header('retry-after', String(seconds)),
    request.url.includes('_utf8') ? 'utf8' : 'latin1',
    429,
    refusal(NC_ERROR.DATA_VALIDATION, `too many requests: retry in ${seconds} s`),
  );

const DIRECTLINK_URL = /^\/ncol\/(?:test|prod)\/(?:order|query|maintenance)direct(_utf8)?\.asp(?:\?|$)/;

/**
 * For the context's error handler: a failure before the handler (a body too large, a malformed
 * request) on a DirectLink page is answered in XML too, never with the hosted page's HTML.
 */
export function sendDirectLinkFailure(request: FastifyRequest, reply: FastifyReply, status: number): FastifyReply | undefined {
  const match = DIRECTLINK_URL.exec(request.url);
  if (!match) return undefined;
  const text = status >= 500 ? 'A technical problem occurred: query the order before retrying' : 'request not readable';
  return answer(reply, match[1] ? 'utf8' : 'latin1', status, refusal(status >= 500 ? NC_ERROR.STATUS_UNKNOWN : NC_ERROR.DATA_VALIDATION, text));
}

export function registerDirectLinkRoutes(app: FastifyInstance, directlink: DirectLinkService, limits: EntryLimitHooks): void {
  const routes = typed(app);
  for (const env of ['test', 'prod'] as const) {
    for (const { page, call, charset } of DIRECTLINK_PAGES) {
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        if (request.method !== 'POST')
          return answer(
            reply.header('allow', 'POST'),
            charset,
            405,
            refusal(NC_ERROR.DATA_VALIDATION, 'DirectLink requests are POSTed: they carry a password'),
          );
        try {
          const body = await directlink.handle({ env, call, charset, bytes: requestBytes(request), clientIp: request.ip });
          return answer(reply, charset, 200, body);
        } catch (error) {
          // Our failure, or the database away: the outcome of a payment or an operation is not known to the caller.
          const status = statusOfError(error as FastifyError);
          logFailure(request.log, error, status, 'DirectLink request', { call });
          return answer(
            reply,
            charset,
            status >= 500 ? status : 500,
            refusal(NC_ERROR.STATUS_UNKNOWN, 'A technical problem occurred: query the order before retrying'),
          );
        }
      };
      routes.route({
        method: ['GET', 'POST'],
        url: `/${env}/${page}`,
        schema: { querystring: NoParameters },
        onRequest: limits.byIp,
        preHandler: limits.byPspid,
        handler,
      });
    }
  }
}
