import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { VarcoError } from '../../kernel/errors.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type { ReceiptsService } from '../../modules/pagopa-receipts/index.ts';
import {
  isPaymentCursor,
  isPaymentToken,
  PAYMENTS_MAX_PAGE_SIZE,
  PAYMENTS_PAGE_SIZE,
  type EcPaymentView,
  type OutcomeDetailsView,
  type PaymentDetail,
  type PaymentFilter,
  type PaymentsReader,
  type PaymentSummary,
  type PaymentViewer,
} from '../../modules/pagopa-node/index.ts';
import type { Locale } from '../../views/i18n.ts';
import { formatDate, formatDateTime, formatMoney, minorToDecimal } from '../../views/format.ts';
import { receiptStrings } from '../../views/pagopa-receipts/strings.ts';
import {
  PAYMENT_STATES,
  paymentDetailPage,
  paymentListPage,
  type EcPaymentDisplay,
  type OutcomeDetailsDisplay,
  type PaymentDetailView,
  type PaymentFilterValues,
  type PaymentRowView,
} from '../../views/pagopa-payments/pages.ts';
import { fill, paymentStrings } from '../../views/pagopa-payments/strings.ts';
import { CSV_MAX_ROWS, sendCsv, toCsv } from './csv.ts';
import { sendPage, type Nav } from './page.ts';
import { cursorPage, DAY_MS, fetchLimit, organisationNames, queryDay, queryText, searchHref } from './pagination.ts';
import { IdSegment, NoQuery, query, Text, typed } from './schemas.ts';

// The pagoPA node's payments (one per activation token), the same pages for the portal and the back
// office: only the viewer differs (a referent's organisation, which sees the tokens it is party to as
// PSP, notice's EC or station owner, or an administrator). Another organisation's token is a 404 by
// URL exactly like an unknown or malformed one (`get` answers undefined for all three), and no search
// lists it. Bad search input is a 400 page saying what is wrong, in the page's language.

export interface PaymentRoutesOptions {
  surface: 'portal' | 'admin';
  payments: PaymentsReader;
  /** The token's receipts, shown on its page (each a link to its own page, which scopes it again). */
  receipts: Pick<ReceiptsService, 'list'>;
  organisations: OrganisationsService;
  /** Throws when the session may not read payments (the surface's own check). */
  viewerOf(request: FastifyRequest): PaymentViewer;
  nav(locale: Locale): Nav;
}

type Query = Record<string, unknown>;
const MAX_FIELD = 64;
const EUR = 'EUR';
const iso = (locale: Locale, d: Date | null): string => formatDateTime(locale, d, { seconds: true });
const money = (locale: Locale, cents: number | null): string => (cents === null ? '' : formatMoney(locale, cents, EUR));

/** A search form's day, or null when it is not one (queryDay's refusal, said in the page's language instead). */
function dayOrNull(text: string): Date | undefined | null {
  try {
    return queryDay(text, 'date');
  } catch (error) {
    if (error instanceof VarcoError) return null;
    throw error;
  }
}

/** The search form's values (notice and fiscal code without the spaces a printed notice groups digits with), the filter, and what is wrong. */
export function parsePaymentQuery(query: Query, locale: Locale): { values: PaymentFilterValues; filter: PaymentFilter; problem?: string } {
  const t = paymentStrings(locale);
  const values: PaymentFilterValues = {
    env: queryText(query, 'env'),
    state: queryText(query, 'state'),
    notice: queryText(query, 'notice').replace(/\s+/g, ''),
    ec: queryText(query, 'ec').replace(/\s+/g, ''),
    token: queryText(query, 'token'),
    from: queryText(query, 'from'),
    to: queryText(query, 'to'),
  };
  const before = queryText(query, 'before');
  const state = PAYMENT_STATES.find((s) => s === values.state);
  const from = dayOrNull(values.from);
  const to = dayOrNull(values.to);
  // The first thing wrong, in the form's order.
  const checks: Array<[wrong: boolean, problem: string]> = [
    [values.env !== '' && values.env !== 'test' && values.env !== 'prod', t.badEnv],
    [values.state !== '' && state === undefined, t.badState],
    [Object.values(values).some((v) => v.length > MAX_FIELD), t.tooLong],
    [values.notice !== '' && !/^\d{18}$/.test(values.notice), t.badNotice],
    [values.ec !== '' && !/^\d{11}$/.test(values.ec), t.badFiscalCode],
    [values.token !== '' && !isPaymentToken(values.token), t.badToken],
    [from === null || to === null, t.badDate],
    [before !== '' && !isPaymentCursor(before), t.badCursor],
  ];
  const problem = checks.find(([wrong]) => wrong)?.[1];
  // Kept on the page as typed, except choices that are not on the form's lists.
  if (problem) return { values: { ...values, env: ['test', 'prod'].includes(values.env) ? values.env : '', state: state ?? '' }, filter: {}, problem };
  return {
    values,
    filter: {
      env: values.env === 'test' || values.env === 'prod' ? values.env : undefined,
      state,
      noticeNumber: values.notice || undefined,
      fiscalCode: values.ec || undefined,
      token: values.token || undefined,
      from: from ?? undefined,
      // The `to` day is included: activations before the next day starts.
      until: to ? new Date(to.getTime() + DAY_MS) : undefined,
      before: before || undefined,
    },
  };
}

function rowView(locale: Locale, p: PaymentSummary, names?: Map<string, string>): PaymentRowView {
  const view: PaymentRowView = {
    token: p.token,
    activated: iso(locale, p.activatedAt),
    env: p.env,
    fiscalCode: p.fiscalCode,
    noticeNumber: p.noticeNumber,
    amount: money(locale, p.amountCents),
    standing: p.standing,
    until: iso(locale, p.expiresAt),
    psp: `${p.pspCompanyName} (${p.idPsp})`,
  };
  if (!names) return view;
  const ec = names.get(p.ecOrganisationId) ?? p.ecOrganisationId;
  const partner = p.stationOrganisationId !== null && p.stationOrganisationId !== p.ecOrganisationId ? p.stationOrganisationId : null;
  const via = partner === null ? '' : ` (${fill(paymentStrings(locale).viaStation, { name: names.get(partner) ?? partner })})`;
  return { ...view, parties: `${ec}${via}` };
}

/** A calendar day of the protocol (`YYYY-MM-DD`) as the pages write dates; anything else as it came. */
function calendarDay(locale: Locale, day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  const at = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? day : formatDate(locale, at);
}

function ecPaymentDisplay(locale: Locale, p: EcPaymentView | null): EcPaymentDisplay | null {
  if (!p) return null;
  const t = paymentStrings(locale);
  return {
    description: p.description,
    creditorReferenceId: p.creditorReferenceId,
    company: p.companyName ?? '',
    office: p.officeName ?? '',
    amount: money(locale, p.amountCents),
    dueDate: calendarDay(locale, p.dueDate),
    transfers: p.transfers.map((x) => ({
      idTransfer: x.idTransfer,
      institution: x.companyName ? `${x.companyName} (${x.fiscalCodePA})` : x.fiscalCodePA,
      amount: money(locale, x.amountCents),
      destination: x.iban ?? (x.stamp ? fill(t.stamp, x.stamp) : ''),
      remittance: x.remittanceInformation,
      category: x.category ?? '',
    })),
  };
}

function outcomeDisplay(locale: Locale, d: OutcomeDetailsView | null): OutcomeDetailsDisplay | null {
  if (!d) return null;
  return {
    paymentMethod: d.paymentMethod,
    paymentChannel: d.paymentChannel ?? '',
    fee: money(locale, d.feeCents),
    primaryCiIncurredFee: money(locale, d.primaryCiIncurredFeeCents),
    idBundle: d.idBundle ?? '',
    idCiBundle: d.idCiBundle ?? '',
    applicationDate: calendarDay(locale, d.applicationDate),
    transferDate: calendarDay(locale, d.transferDate),
    stamps: d.stamps,
  };
}

/** Where the other pages show this token: its receipts (once paid) and its SOAP messages, by token and by notice. */
function relatedLinks(surface: 'portal' | 'admin', p: PaymentDetail): { receipts: string | null; exchangesToken: string; exchangesNotice: string } {
  const pagopa = `/${surface}/pagopa`;
  return {
    receipts: p.state === 'paid' ? searchHref(`${pagopa}/receipts`, { env: p.env, token: p.token }) : null,
    exchangesToken: searchHref(`${pagopa}/exchanges`, { env: p.env, token: p.token }),
    exchangesNotice: searchHref(`${pagopa}/exchanges`, { env: p.env, notice: p.noticeNumber }),
  };
}

const CSV_HEADER = [
  'activated_at',
  'environment',
  'fiscal_code',
  'notice_number',
  'token',
  'state',
  'standing',
  'expires_at',
  'amount',
  'operation',
  'primitive_version',
  'psp_company_name',
  'id_psp',
  'id_broker_psp',
  'id_channel',
  'station_code',
  'outcome',
  'outcome_at',
  'failure_fault_code',
  'updated_at',
] as const;

const csvRow = (p: PaymentSummary) => [
  p.activatedAt,
  p.env,
  p.fiscalCode,
  p.noticeNumber,
  p.token,
  p.state,
  p.standing,
  p.expiresAt,
  minorToDecimal(p.amountCents, EUR),
  p.operation,
  p.primitiveVersion,
  p.pspCompanyName,
  p.idPsp,
  p.idBrokerPsp,
  p.idChannel,
  p.stationCode,
  p.outcome,
  p.outcomeAt,
  p.failureFaultCode,
  p.updatedAt,
];

/** A token's page: every field a support desk asks about, organisations by name. */
function detailView(locale: Locale, surface: 'portal' | 'admin', p: PaymentDetail, names: Map<string, string>): PaymentDetailView {
  const name = (id: string | null): string => (id === null ? '' : (names.get(id) ?? id));
  return {
    base: `/${surface}/pagopa/payments`,
    row: rowView(locale, p),
    ec: name(p.ecOrganisationId),
    operation: p.operation,
    version: String(p.primitiveVersion),
    outcome: p.outcome ?? '',
    outcomeAt: iso(locale, p.outcomeAt),
    faultCode: p.failureFaultCode ?? '',
    updated: iso(locale, p.updatedAt),
    idempotencyKey: p.idempotencyKey ?? '',
    outcomeIdempotencyKey: p.outcomeIdempotencyKey ?? '',
    pspCompany: p.pspCompanyName,
    idPsp: p.idPsp,
    idBrokerPsp: p.idBrokerPsp,
    idChannel: p.idChannel,
    station: p.simulated ? `${p.stationCode} (${paymentStrings(locale).simulated})` : p.stationCode,
    stationOwner: name(p.stationOrganisationId),
    ecPayment: ecPaymentDisplay(locale, p.ecPayment),
    outcomeDetails: outcomeDisplay(locale, p.outcomeDetails),
    links: relatedLinks(surface, p),
  };
}

/** Every row of a search, newest first, page after page up to CSV_MAX_ROWS. */
async function wholeSearch(payments: PaymentsReader, viewer: PaymentViewer, filter: PaymentFilter): Promise<PaymentSummary[]> {
  const rows: PaymentSummary[] = [];
  let before = filter.before;
  while (rows.length < CSV_MAX_ROWS) {
    const page = await payments.list(viewer, { ...filter, before, limit: PAYMENTS_MAX_PAGE_SIZE });
    rows.push(...page);
    if (page.length < PAYMENTS_MAX_PAGE_SIZE) break;
    before = page.at(-1)?.cursor;
  }
  return rows.slice(0, CSV_MAX_ROWS);
}

/** A token in the path: at most 64 characters like every id (longer is the schema's 400); anything else that is not a token is a 404 from `get`, like another organisation's. */
const TokenParams = Type.Object({ token: IdSegment });

export function registerPaymentRoutes(app: FastifyInstance, options: PaymentRoutesOptions): void {
  const { payments, surface } = options;
  const base = `/${surface}/pagopa/payments`;
  const routes = typed(app);
  // Lengths and formats are checked by parsePaymentQuery, which says what is wrong on the page itself.
  const SearchQuery = query({ env: Text, state: Text, notice: Text, ec: Text, token: Text, from: Text, to: Text, before: Text });

  /** The list page of a search; with a problem, the form again saying what is wrong (400) and no rows. */
  const listPage = async (request: FastifyRequest, reply: FastifyReply, parsed: ReturnType<typeof parsePaymentQuery>) => {
    const viewer = options.viewerOf(request);
    const t = paymentStrings(request.locale);
    const { values, filter, problem } = parsed;
    const fetched = problem ? [] : await payments.list(viewer, { ...filter, limit: fetchLimit(PAYMENTS_PAGE_SIZE) });
    const { rows, olderHref, newestHref } = cursorPage({
      fetched,
      pageSize: PAYMENTS_PAGE_SIZE,
      cursorOf: (p) => p.cursor,
      base,
      values,
      before: filter.before,
    });
    // The creditor institution by name for every reader (a PSP's desk knows institutions by name, as pagoPA's registry shows them).
    const names = await organisationNames(
      options.organisations,
      rows.flatMap((p) => [p.ecOrganisationId, p.stationOrganisationId]),
    );
    const body = paymentListPage(request.locale, {
      base,
      intro: 'admin' in viewer ? t.adminIntro : t.intro,
      filter: values,
      problem,
      rows: rows.map((p) => rowView(request.locale, p, names)),
      olderHref,
      newestHref,
      csvHref: searchHref(`${base}.csv`, values),
    });
    return sendPage(request, reply, { surface, title: t.title, body, nav: options.nav(request.locale), status: problem ? 400 : 200 });
  };

  routes.get('/pagopa/payments', { schema: { querystring: SearchQuery } }, async (request, reply) =>
    listPage(request, reply, parsePaymentQuery(request.query, request.locale)),
  );

  // The same search as CSV, newest first, every page up to CSV_MAX_ROWS; scoped like the list. A
  // malformed search gets the list page saying what is wrong, as the form would have.
  routes.get('/pagopa/payments.csv', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const parsed = parsePaymentQuery(request.query, request.locale);
    if (parsed.problem) return listPage(request, reply, parsed);
    const csv = toCsv(CSV_HEADER, (await wholeSearch(payments, options.viewerOf(request), parsed.filter)).map(csvRow));
    return sendCsv(reply, `varco-pagopa-payments-${surface}.csv`, csv);
  });

  routes.get('/pagopa/payments/:token', { schema: { params: TokenParams, querystring: NoQuery } }, async (request, reply) => {
    const viewer = options.viewerOf(request);
    const p = await payments.get(viewer, request.params.token);
    if (!p) throw new VarcoError('not_found', 'No such payment.');
    const [names, receipts] = await Promise.all([
      organisationNames(options.organisations, [p.ecOrganisationId, p.stationOrganisationId]),
      p.state === 'paid' ? options.receipts.list(viewer, { env: p.env, token: p.token }) : Promise.resolve([]),
    ]);
    const rt = receiptStrings(request.locale);
    const body = paymentDetailPage(request.locale, {
      ...detailView(request.locale, surface, p, names),
      receipts: receipts.map((r) => ({
        href: `/${surface}/pagopa/receipts/${r.id}`,
        recipient: r.recipientFiscalCode,
        state: rt[r.state],
        attempts: r.attempts,
      })),
    });
    const t = paymentStrings(request.locale);
    return sendPage(request, reply, { surface, title: `${t.payment} ${p.fiscalCode} · ${p.noticeNumber}`, body, nav: options.nav(request.locale) });
  });
}
