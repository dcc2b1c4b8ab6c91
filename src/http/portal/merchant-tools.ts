import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseParamLines, shaTool, SHASIGN_TOOL_MAX_LINES, type ErrorLogService, type MerchantsService } from '../../modules/merchants/index.ts';
import { shasignPage, type ShasignFormValues } from '../../views/merchant/tools.ts';
import { ErrorLogQuery, errorLogBody, sendErrorLogCsv } from '../shared/error-log-search.ts';
import { fill, strings } from '../../views/merchant/strings.ts';
import { header, merchantReferent, scopedMerchant, sendPage } from './merchant.ts';
import { form, IdParams, NoQuery, Text, textOf, typed } from '../shared/schemas.ts';
import type { Static } from 'typebox';

// Tools for merchants: the error log with its signature debugger (scoped to the referent's own
// merchant), and the SHASIGN page. The passphrase typed on the SHASIGN page is used for one digest
// and dropped: never stored, never logged, never written back into the page.

export interface PortalMerchantToolRoutesOptions {
  merchants: MerchantsService;
  errorLog: ErrorLogService;
}

const ShasignForm = form({ params: Text, list: Text, alg: Text, method: Text, encoding: Text, passphrase: Text });
type Body = Static<typeof ShasignForm>;
const field = textOf<Body>;

interface ToolForm extends ShasignFormValues {
  alg: 'sha1' | 'sha256' | 'sha512';
  method: 'each-parameter' | 'main-parameters';
}

function formValues(body: Body): ToolForm {
  const pick = <T extends string>(value: string, options: readonly T[], fallback: T): T => options.find((o) => o === value) ?? fallback;
  return {
    params: field(body, 'params').slice(0, 60_000),
    list: pick(field(body, 'list'), ['in', 'out'] as const, 'in'),
    alg: pick(field(body, 'alg'), ['sha1', 'sha256', 'sha512'] as const, 'sha512'),
    method: pick(field(body, 'method'), ['each-parameter', 'main-parameters'] as const, 'each-parameter'),
    encoding: pick(field(body, 'encoding'), ['utf8', 'latin1'] as const, 'utf8'),
  };
}

const EMPTY: ShasignFormValues = {
  params: 'PSPID=\nORDERID=\nAMOUNT=\nCURRENCY=EUR\nLANGUAGE=en_US\n',
  list: 'in',
  alg: 'sha512',
  method: 'each-parameter',
  encoding: 'utf8',
};

export function registerPortalMerchantToolRoutes(app: FastifyInstance, options: PortalMerchantToolRoutesOptions): void {
  const { merchants, errorLog } = options;

  const routes = typed(app);
  const scopeOf = (m: { id: string; pspid: string; pspids: Record<string, string>; createdAt: Date }) => ({
    id: m.id,
    pspids: [m.pspid, ...Object.values(m.pspids)],
    createdAt: m.createdAt,
  });
  routes.get('/merchants/:id/errors', { schema: { params: IdParams, querystring: ErrorLogQuery } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
    const body = await errorLogBody(request, errorLog, { scope: scopeOf(m), base: `/portal/merchants/${m.id}/errors`, merchant: header(m) });
    return sendPage(request, reply, strings(request.locale).errorLogs, body);
  });

  routes.get('/merchants/:id/errors.csv', { schema: { params: IdParams, querystring: ErrorLogQuery } }, async (request, reply) => {
    const who = merchantReferent(request);
    const m = await scopedMerchant(request.params.id, merchants, who.organisationId);
    return sendErrorLogCsv(request, reply, errorLog, scopeOf(m));
  });

  const shasignView = async (request: FastifyRequest, values: ShasignFormValues) => {
    const who = merchantReferent(request);
    // When the form is empty: the PSPID of the organisation's merchant, and its own hashing (the
    // test settings, where a shop starts): algorithm, method, and the encoding when the settings
    // fix one (the "page" charset follows the page each request is posted to, unknown here).
    const m = values === EMPTY ? await merchants.forOrganisation(who.organisationId) : undefined;
    if (!m) return { csrf: who.csrf, values };
    const s = await merchants.settings(m.id, 'test');
    return {
      csrf: who.csrf,
      values: {
        ...values,
        params: values.params.replace('PSPID=\n', `PSPID=${m.pspid}\n`),
        alg: s.hashAlgorithm,
        method: s.hashingMethod,
        encoding: s.charset === 'page' ? values.encoding : s.charset,
      },
    };
  };

  routes.get('/shasign', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const { csrf, values } = await shasignView(request, EMPTY);
    return sendPage(request, reply, strings(request.locale).shasign, shasignPage(request.locale, { values, csrf }));
  });

  routes.post('/shasign', { schema: { querystring: NoQuery, body: ShasignForm } }, async (request, reply) => {
    const body = request.body;
    const values = formValues(body);
    const { csrf } = await shasignView(request, values);
    const t = strings(request.locale);
    const show = (problem: string) => sendPage(request, reply, t.shasign, shasignPage(request.locale, { values, csrf, problem }), 400);
    const parsed = parseParamLines(values.params);
    if (!parsed.ok)
      return show(parsed.problem === 'too_many' ? fill(t.tooManyLines, { max: SHASIGN_TOOL_MAX_LINES }) : fill(t.lineProblem, { line: parsed.line }));
    const result = shaTool(parsed.params, field(body, 'passphrase'), { list: values.list, alg: values.alg, method: values.method, encoding: values.encoding });
    if (!result.ok) return show(result.problem === 'duplicate' ? fill(t.duplicateParam, { name: result.param ?? '' }) : t.needPassphrase);
    return sendPage(
      request,
      reply,
      t.shasign,
      shasignPage(request.locale, {
        values,
        csrf,
        result: { included: result.included, masked: result.masked, digest: result.digest, post: values.list === 'in' ? parsed.params : null },
      }),
    );
  });
}
