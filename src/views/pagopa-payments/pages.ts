import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { refusal } from '../shared/message.ts';
import { fill, paymentStrings, type PaymentStrings } from './strings.ts';

// Pages of the pagoPA node's payments (one per activation token), shared by the portal and the back
// office (`base` is the surface's path): the list with its search form (GET, nothing changes, so no
// CSRF token), cursor links and the CSV link, and one token with what a support desk asks about it —
// its state judged now, the PSP, the station, the EC's payment and the outcome — and links to its
// receipts and SOAP messages. Plain view models; English and Italian.

export interface PaymentFilterValues {
  env: string;
  state: string;
  notice: string;
  ec: string;
  token: string;
  from: string;
  to: string;
}

/**
 * What the search form offers, in its order: where a token stands now, as the list shows it — an active
 * token past its expiry is `lapsed`, not `active`; an activation past its hold is `stalled`.
 */
export const PAYMENT_STATES = ['activating', 'stalled', 'active', 'lapsed', 'failed', 'paid', 'ko', 'expired'] as const;
/** Where the token stands now: a stored state, or `lapsed` / `stalled` (past its expiry, not yet swept). */
export type StandingView = (typeof PAYMENT_STATES)[number];
export type PaymentStateView = Exclude<StandingView, 'lapsed' | 'stalled'>;

export interface PaymentRowView {
  token: string;
  activated: string;
  env: 'test' | 'prod';
  fiscalCode: string;
  noticeNumber: string;
  amount: string;
  standing: StandingView;
  /** The expiry (or the hold while activating), formatted. */
  until: string;
  /** The PSP's company name and idPSP. */
  psp: string;
  /** Back office only: the creditor institution by name (and a partner station's owner). */
  parties?: string;
}

export interface PaymentListView {
  base: string;
  intro: string;
  filter: PaymentFilterValues;
  rows: readonly PaymentRowView[];
  olderHref: string | null;
  newestHref: string | null;
  /** The same search as CSV. */
  csvHref: string;
  problem?: string | undefined;
}

export interface TransferRowView {
  idTransfer: number;
  institution: string;
  amount: string;
  /** The IBAN, or the digital stamp asked instead. */
  destination: string;
  remittance: string;
  category: string;
}

export interface EcPaymentDisplay {
  description: string;
  creditorReferenceId: string;
  company: string;
  office: string;
  amount: string;
  dueDate: string;
  transfers: readonly TransferRowView[];
}

export interface OutcomeDetailsDisplay {
  paymentMethod: string;
  paymentChannel: string;
  fee: string;
  primaryCiIncurredFee: string;
  idBundle: string;
  idCiBundle: string;
  applicationDate: string;
  transferDate: string;
  stamps: number;
}

export interface PaymentDetailView {
  base: string;
  row: PaymentRowView;
  ec: string;
  operation: string;
  version: string;
  outcome: string;
  outcomeAt: string;
  faultCode: string;
  updated: string;
  idempotencyKey: string;
  outcomeIdempotencyKey: string;
  pspCompany: string;
  idPsp: string;
  idBrokerPsp: string;
  idChannel: string;
  station: string;
  stationOwner: string;
  ecPayment: EcPaymentDisplay | null;
  outcomeDetails: OutcomeDetailsDisplay | null;
  /** The receipts' page searched by this token (paid tokens only), and the exchange log by token and by notice. */
  links: { receipts: string | null; exchangesToken: string; exchangesNotice: string };
  /** The token's receipts (once paid): to whom, in what state, after how many attempts. */
  receipts?: ReadonlyArray<{ href: string; recipient: string; state: string; attempts: number }>;
}

const STANDING: Record<StandingView, { text: keyof PaymentStrings; explain: keyof PaymentStrings }> = {
  activating: { text: 'standingActivating', explain: 'explainActivating' },
  stalled: { text: 'standingStalled', explain: 'explainStalled' },
  active: { text: 'standingActive', explain: 'explainActive' },
  lapsed: { text: 'standingLapsed', explain: 'explainLapsed' },
  failed: { text: 'standingFailed', explain: 'explainFailed' },
  paid: { text: 'standingPaid', explain: 'explainPaid' },
  ko: { text: 'standingKo', explain: 'explainKo' },
  expired: { text: 'standingExpired', explain: 'explainExpired' },
};

const standingText = (t: PaymentStrings, r: PaymentRowView): string => fill(t[STANDING[r.standing].text], { until: r.until });
const envText = (t: PaymentStrings, env: 'test' | 'prod'): string => (env === 'prod' ? t.prod : t.test);

function filterForm(t: PaymentStrings, v: PaymentListView): SafeHtml {
  const f = v.filter;
  const option = (value: string, label: string, current: string): SafeHtml =>
    html`<option value="${value}"${current === value ? html` selected` : ''}>${label}</option>`;
  const field = (name: keyof PaymentFilterValues, label: string, attributes: SafeHtml = html``): SafeHtml =>
    html`<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${f[name]}" maxlength="64" autocomplete="off"${attributes}>`;
  const day = html` type="date"`;
  return html`<form method="get" action="${v.base}" role="search">
<label for="env">${t.environment}</label><select id="env" name="env">${option('', t.any, f.env)}${option('test', t.test, f.env)}${option('prod', t.prod, f.env)}</select>
<label for="state">${t.state}</label><select id="state" name="state">${option('', t.any, f.state)}${PAYMENT_STATES.map((s) => option(s, t[s], f.state))}</select>
${field('notice', t.noticeNumber, html` inputmode="numeric"`)}${field('ec', t.fiscalCode, html` inputmode="numeric"`)}${field('token', t.token)}
${field('from', t.from, day)}${field('to', t.to, day)}
<button type="submit">${t.search}</button> <a href="${v.base}">${t.reset}</a></form>`;
}

export function paymentListPage(locale: Locale, v: PaymentListView): SafeHtml {
  const t = paymentStrings(locale);
  const admin = v.rows.some((r) => r.parties !== undefined);
  const table =
    v.rows.length === 0
      ? html`<p>${t.none}</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="${t.title}"><table><thead><tr><th>${t.activated}</th><th>${t.environment}</th><th>${t.notice}</th>
<th>${t.amount}</th><th>${t.state}</th><th>${t.psp}</th>${admin ? html`<th>${t.ec}</th>` : ''}<th>${t.token}</th></tr></thead>
<tbody>${v.rows.map(
          (
            r,
          ) => html`<tr data-payment="${r.token}" data-standing="${r.standing}"><td>${r.activated}</td><td>${envText(t, r.env)}</td><td>${r.fiscalCode} ${r.noticeNumber}</td>
<td>${r.amount}</td><td>${standingText(t, r)}</td><td>${r.psp}</td>${admin ? html`<td>${r.parties ?? ''}</td>` : ''}<td><a href="${v.base}/${r.token}"><code>${r.token}</code></a></td></tr>`,
        )}</tbody></table></div>`;
  return html`<p>${v.intro}</p>
${v.problem ? refusal(v.problem) : ''}
${filterForm(t, v)}
${table}
<p>${v.newestHref ? html`<a href="${v.newestHref}" rel="first">${t.newest}</a> ` : ''}${v.olderHref ? html`<a href="${v.olderHref}" rel="next">${t.older}</a>` : ''}</p>
${v.rows.length > 0 ? html`<p><a href="${v.csvHref}" download>${t.csv}</a></p>` : ''}`;
}

const line = (label: string, value: string | number): SafeHtml => (value === '' ? html`` : html`<tr><th>${label}</th><td>${value}</td></tr>`);

function ecPaymentSection(t: PaymentStrings, p: EcPaymentDisplay | null): SafeHtml {
  if (!p) return html`<h2>${t.ecPayment}</h2><p>${t.noEcPayment}</p>`;
  const transfers = html`<div class="scroll" tabindex="0" role="region" aria-label="${t.transfers}"><table><thead><tr><th>${t.transfer}</th><th>${t.transferEc}</th><th>${t.amount}</th>
<th>${t.iban}</th><th>${t.remittance}</th><th>${t.category}</th></tr></thead>
<tbody>${p.transfers.map(
    (x) =>
      html`<tr data-transfer="${x.idTransfer}"><td>${x.idTransfer}</td><td>${x.institution}</td><td>${x.amount}</td><td>${x.destination}</td><td>${x.remittance}</td><td>${x.category}</td></tr>`,
  )}</tbody></table></div>`;
  return html`<h2>${t.ecPayment}</h2>
<table><tbody>${line(t.description, p.description)}${line(t.creditorReferenceId, p.creditorReferenceId)}${line(t.company, p.company)}${line(t.office, p.office)}
${line(t.ecAmount, p.amount)}${line(t.dueDate, p.dueDate)}</tbody></table>
<h3>${t.transfers}</h3>
${transfers}
<p>${t.debtorHidden}</p>`;
}

function outcomeSection(t: PaymentStrings, d: OutcomeDetailsDisplay | null): SafeHtml {
  if (!d) return html``;
  return html`<h2>${t.outcomeDetails}</h2>
<table><tbody>${line(t.paymentMethod, d.paymentMethod)}${line(t.paymentChannel, d.paymentChannel)}${line(t.fee, d.fee)}${line(t.primaryCiIncurredFee, d.primaryCiIncurredFee)}
${line(t.idBundle, d.idBundle)}${line(t.idCiBundle, d.idCiBundle)}${line(t.applicationDate, d.applicationDate)}${line(t.transferDate, d.transferDate)}${line(t.stamps, d.stamps)}</tbody></table>
<p>${t.payerHidden}</p>`;
}

/** Where the receipt is, beside the state: each copy's recipient and delivery state, linked to its page. */
function receiptsLine(t: PaymentStrings, receipts: NonNullable<PaymentDetailView['receipts']>): SafeHtml {
  if (receipts.length === 0) return html``;
  return html`<tr><th>${t.receiptsState}</th><td>${receipts.map(
    (r, i) =>
      html`${i > 0 ? html`<br>` : ''}<a href="${r.href}">${fill(t.receiptTo, { recipient: r.recipient })}</a>: ${r.state} (${fill(t.receiptAttempts, { n: r.attempts })})`,
  )}</td></tr>`;
}

export function paymentDetailPage(locale: Locale, v: PaymentDetailView): SafeHtml {
  const t = paymentStrings(locale);
  const r = v.row;
  const held = r.standing === 'activating' || r.standing === 'stalled';
  return html`<p><a href="${v.base}">${t.back}</a></p>
<table><tbody>${line(t.state, standingText(t, r))}${receiptsLine(t, v.receipts ?? [])}${line(t.token, r.token)}${line(t.environment, envText(t, r.env))}${line(t.noticeNumber, r.noticeNumber)}
${line(t.fiscalCode, r.fiscalCode)}${line(t.ec, v.ec)}${line(t.amountActivated, r.amount)}${line(t.operation, v.operation)}${line(t.version, v.version)}
${line(t.activated, r.activated)}${line(held ? t.heldUntil : t.expires, r.until)}${line(t.outcome, v.outcome)}${line(t.outcomeAt, v.outcomeAt)}${line(t.faultCode, v.faultCode)}
${line(t.updated, v.updated)}${line(t.idempotencyKey, v.idempotencyKey)}${line(t.outcomeIdempotencyKey, v.outcomeIdempotencyKey)}
${line(t.pspCompany, v.pspCompany)}${line(t.idPsp, v.idPsp)}${line(t.idBrokerPsp, v.idBrokerPsp)}${line(t.idChannel, v.idChannel)}
${line(t.station, v.station)}${line(t.stationOwner, v.stationOwner)}</tbody></table>
<p data-explain="${r.standing}">${t[STANDING[r.standing].explain]}</p>
${ecPaymentSection(t, v.ecPayment)}
${outcomeSection(t, v.outcomeDetails)}
<h2>${t.related}</h2>
<ul>${v.links.receipts ? html`<li><a href="${v.links.receipts}">${t.receipts}</a></li>` : ''}<li><a href="${v.links.exchangesToken}">${t.exchangesToken}</a></li>
<li><a href="${v.links.exchangesNotice}">${t.exchangesNotice}</a></li></ul>`;
}
