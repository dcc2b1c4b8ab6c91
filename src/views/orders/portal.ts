import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { OPERATION_TABLES } from './operations.ts';
import { refusal } from '../shared/message.ts';

// Portal pages of the hosted page's orders: the list, and one order with every payment attempt and
// every server-to-server delivery attempt, with *resend*. Plain view models; English and Italian.

const en = {
  orders: 'Orders',
  order: 'Order',
  none: 'No orders yet.',
  search: 'Search',
  refContains: 'ORDERID contains',
  anyEnv: 'Any environment',
  anyStatus: 'Any status',
  older: 'Older orders',
  newest: 'Newest orders',
  csv: 'Download the search as CSV',
  noMatch: 'No order matches the search.',
  environment: 'Environment',
  orderId: 'ORDERID',
  payId: 'PAYID',
  status: 'Status',
  amount: 'Amount',
  created: 'Created',
  card: 'Card',
  attempts: 'Payment attempts',
  attempt: 'Attempt',
  outcome: 'Outcome',
  ncError: 'NCERROR',
  deliveries: 'Server-to-server feedback',
  noDeliveries:
    'No server-to-server request for this order: the timing is "none", no URL is configured, or the outcome is not final yet (a refused payment the customer may still try again on the payment page; the request follows the final outcome).',
  eventId: 'Event id',
  state: 'State',
  url: 'URL',
  tries: 'Delivery attempts',
  started: 'Started',
  duration: 'Duration',
  result: 'Result',
  resend: 'Resend',
  resent: 'A new delivery was queued; it carries the same event id.',
  next: 'Next attempt',
  noAttempts: 'Not tried yet.',
  back: 'All orders',
  ok: 'delivered',
  failed: 'failed',
  test: 'Test',
  prod: 'Production',
};
type Strings = typeof en;
const it: Strings = {
  orders: 'Ordini',
  order: 'Ordine',
  none: 'Nessun ordine.',
  search: 'Cerca',
  refContains: 'ORDERID contiene',
  anyEnv: 'Qualsiasi ambiente',
  anyStatus: 'Qualsiasi stato',
  older: 'Ordini precedenti',
  newest: 'Ordini più recenti',
  csv: 'Scarica la ricerca in CSV',
  noMatch: 'Nessun ordine corrisponde alla ricerca.',
  environment: 'Ambiente',
  orderId: 'ORDERID',
  payId: 'PAYID',
  status: 'Stato',
  amount: 'Importo',
  created: 'Creato',
  card: 'Carta',
  attempts: 'Tentativi di pagamento',
  attempt: 'Tentativo',
  outcome: 'Esito',
  ncError: 'NCERROR',
  deliveries: 'Notifiche server-to-server',
  noDeliveries:
    'Nessuna richiesta server-to-server per questo ordine: la tempistica è "nessuna", non è configurato un URL, oppure l\'esito non è ancora definitivo (un pagamento rifiutato che il cliente può ancora ritentare nella pagina di pagamento; la richiesta segue l\'esito finale).',
  eventId: 'Id evento',
  state: 'Stato',
  url: 'URL',
  tries: 'Tentativi di consegna',
  started: 'Inizio',
  duration: 'Durata',
  result: 'Risultato',
  resend: 'Reinvia',
  resent: 'È stata accodata una nuova consegna con lo stesso id evento.',
  next: 'Prossimo tentativo',
  noAttempts: 'Non ancora tentata.',
  back: 'Tutti gli ordini',
  ok: 'consegnata',
  failed: 'fallita',
  test: 'Collaudo',
  prod: 'Produzione',
};
export const orderStrings = (locale: Locale): Strings => (locale === 'it' ? it : en);
const envText = (locale: Locale, env: string): string => (env === 'prod' ? orderStrings(locale).prod : env === 'test' ? orderStrings(locale).test : env);

/** The Ogone STATUS values an order can have, as the portal names them. */
const STATUS_TEXT: Record<Locale, Record<string, string>> = {
  en: {
    0: 'Invalid or incomplete',
    1: 'Cancelled by the customer',
    2: 'Authorisation refused',
    5: 'Authorised',
    6: 'Authorised and cancelled',
    7: 'Payment deleted',
    8: 'Refund',
    9: 'Payment requested',
    46: 'Waiting for authentication (3-D Secure)',
    51: 'Authorisation waiting',
    52: 'Authorisation not known',
    61: 'Cancellation waiting',
    62: 'Cancellation uncertain',
    71: 'Deletion waiting',
    72: 'Deletion uncertain',
    81: 'Refund pending',
    82: 'Refund uncertain',
    91: 'Payment processing',
    92: 'Payment uncertain',
    93: 'Payment refused (technical)',
    99: 'Being processed',
    other: 'other',
  },
  it: {
    0: 'Non valido o incompleto',
    1: 'Annullato dal cliente',
    2: 'Autorizzazione rifiutata',
    5: 'Autorizzato',
    6: 'Autorizzato e annullato',
    7: 'Pagamento cancellato',
    8: 'Rimborso',
    9: 'Pagamento richiesto',
    46: 'In attesa di autenticazione (3-D Secure)',
    51: 'Autorizzazione in attesa',
    52: 'Autorizzazione non nota',
    61: 'Annullamento in attesa',
    62: 'Annullamento incerto',
    71: 'Cancellazione in attesa',
    72: 'Cancellazione incerta',
    81: 'Rimborso in corso',
    82: 'Rimborso incerto',
    91: 'Pagamento in elaborazione',
    92: 'Pagamento incerto',
    93: 'Pagamento rifiutato (errore tecnico)',
    99: 'In elaborazione',
    other: 'altro',
  },
};
export const statusText = (locale: Locale, status: number): string => `${status} · ${STATUS_TEXT[locale][status] ?? STATUS_TEXT[locale].other}`;

/** Delivery states of the server-to-server feedback (the outbox's). */
const DELIVERY_STATES: Record<Locale, Record<string, string>> = {
  en: { pending: 'waiting', held: 'held', delivered: 'delivered', dead: 'given up', exhausted: 'retries exhausted' },
  it: { pending: 'in attesa', held: 'trattenuta', delivered: 'consegnata', dead: 'abbandonata', exhausted: 'tentativi esauriti' },
};
const deliveryState = (locale: Locale, state: string): string => DELIVERY_STATES[locale][state] ?? state;

/** Payment attempt outcomes. */
const OUTCOMES: Record<Locale, Record<string, string>> = {
  en: {
    authorised: 'authorised',
    refused: 'refused',
    uncertain: 'uncertain',
    technical_error: 'technical error',
    challenge_required: 'authentication required',
  },
  it: {
    authorised: 'autorizzato',
    refused: 'rifiutato',
    uncertain: 'incerto',
    technical_error: 'errore tecnico',
    challenge_required: 'autenticazione richiesta',
  },
};
const outcomeText = (locale: Locale, outcome: string): string => OUTCOMES[locale][outcome] ?? outcome;

export interface OrderRowView {
  id: string;
  env: string;
  orderRef: string;
  payId: number;
  status: number;
  amount: string;
  createdAt: string;
  card: string;
}

export function ordersListPage(locale: Locale, rows: readonly OrderRowView[]): SafeHtml {
  const t = orderStrings(locale);
  if (rows.length === 0) return html`<p>${t.none}</p>`;
  return html`<table><thead><tr><th>${t.created}</th><th>${t.environment}</th><th>${t.orderId}</th><th>${t.payId}</th><th>${t.amount}</th><th>${t.status}</th><th>${t.card}</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><td>${r.createdAt}</td><td>${envText(locale, r.env)}</td><td><a href="/portal/orders/${r.id}">${r.orderRef}</a></td><td>${r.payId}</td>
<td>${r.amount}</td><td>${statusText(locale, r.status)}</td><td>${r.card}</td></tr>`,
  )}</tbody></table>`;
}

export interface AttemptView {
  attempt: number;
  at: string;
  outcome: string;
  status: number;
  ncError: string;
  card: string;
}
export interface DeliveryView {
  id: string;
  eventId: string;
  state: string;
  method: string;
  url: string;
  /** What it notified: `PAYIDSUB n` for a maintenance operation; null for the payment itself. */
  about: string | null;
  nextAttemptAt: string | null;
  tries: ReadonlyArray<{ attempt: number; startedAt: string; durationMs: number; ok: boolean; statusCode: number | null; error: string | null }>;
}
export interface OrderDetailView {
  order: OrderRowView;
  attempts: readonly AttemptView[];
  deliveries: readonly DeliveryView[];
  csrf: string;
  notice?: string;
}

function deliveryBlock(locale: Locale, orderId: string, csrf: string, d: DeliveryView): SafeHtml {
  const t = orderStrings(locale);
  return html`<section aria-label="${t.eventId} ${d.eventId}"><h3>${d.about ? html`${d.about} · ` : ''}${d.method} ${d.url}</h3>
<p>${t.eventId}: <code>${d.eventId}</code> · ${t.state}: <strong data-state="${d.state}">${deliveryState(locale, d.state)}</strong>${d.nextAttemptAt ? html` · ${t.next}: ${d.nextAttemptAt}` : ''}</p>
${
  d.tries.length === 0
    ? html`<p>${t.noAttempts}</p>`
    : html`<table><thead><tr><th>#</th><th>${t.started}</th><th>${t.duration}</th><th>${t.result}</th></tr></thead>
<tbody>${d.tries.map(
        (a) => html`<tr><td>${a.attempt}</td><td>${a.startedAt}</td><td>${a.durationMs} ms</td>
<td>${a.ok ? t.ok : t.failed}${a.statusCode !== null ? html` (HTTP ${a.statusCode})` : ''}${a.error ? html` · ${a.error}` : ''}</td></tr>`,
      )}</tbody></table>`
}
<p><a class="button" href="/portal/orders/${orderId}/resend?messageId=${d.id}">${t.resend}…</a></p></section>`;
}

export function orderDetailPage(locale: Locale, v: OrderDetailView): SafeHtml {
  const t = orderStrings(locale);
  const o = v.order;
  return html`<p><a href="/portal/orders">${t.back}</a></p>
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
<table><tbody><tr><th>${t.orderId}</th><td>${o.orderRef}</td></tr><tr><th>${t.environment}</th><td>${envText(locale, o.env)}</td></tr>
<tr><th>${t.payId}</th><td>${o.payId}</td></tr><tr><th>${t.amount}</th><td>${o.amount}</td></tr><tr><th>${t.status}</th><td>${statusText(locale, o.status)}</td></tr>
<tr><th>${t.card}</th><td>${o.card}</td></tr><tr><th>${t.created}</th><td>${o.createdAt}</td></tr></tbody></table>
<h2>${t.attempts}</h2>
${
  v.attempts.length === 0
    ? html`<p>${t.noAttempts}</p>`
    : html`<table><thead><tr><th>${t.attempt}</th><th>${t.created}</th><th>${t.outcome}</th><th>${t.status}</th><th>${t.ncError}</th><th>${t.card}</th></tr></thead>
<tbody>${v.attempts.map((a) => html`<tr><td>${a.attempt}</td><td>${a.at}</td><td>${outcomeText(locale, a.outcome)}</td><td>${statusText(locale, a.status)}</td><td>${a.ncError}</td><td>${a.card}</td></tr>`)}</tbody></table>`
}
<h2>${t.deliveries}</h2>
${v.deliveries.length === 0 ? html`<p>${t.noDeliveries}</p>` : v.deliveries.map((d) => deliveryBlock(locale, o.id, v.csrf, d))}`;
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const ORDER_TABLES = { pages: { en, it }, status: STATUS_TEXT, deliveries: DELIVERY_STATES, outcomes: OUTCOMES, operations: OPERATION_TABLES };

/** The orders search form's values (issue 14), kept in the page links. */
export interface OrderFilterValues {
  env: string;
  ref: string;
  status: string;
}

/**
 * The STATUS values an order can have, for the filter: the payment's (0, 1, 2, 5, 9, 46 during 3-D
 * Secure, 52 and 92 when the acquirer's answer was lost, 93, 99 while an attempt runs) and those a
 * capture, refund, cancellation, deletion or renewal leaves on it when done or uncertain (5–9, 52,
 * 62, 72, 82, 92), and 51, kept from before. The other statuses of an operation, pending (61, 71,
 * 81, 91) or refused (63, 73, 83), stay on the operation's row of the order page: the order keeps its
 * own, so filtering orders by them would find none.
 */
export const FILTER_STATUSES = [0, 1, 2, 5, 6, 7, 8, 9, 46, 51, 52, 62, 72, 82, 92, 93, 99] as const;

export function ordersSearchPage(
  locale: Locale,
  v: { rows: readonly OrderRowView[]; filter: OrderFilterValues; olderHref: string | null; newestHref: string | null; csvHref: string; problem?: string },
): SafeHtml {
  const t = orderStrings(locale);
  const selected = (a: string, b: string) => (a === b ? ' selected' : '');
  const form = html`<form method="get" action="/portal/orders" class="search">
<label for="o-ref">${t.refContains}</label><input id="o-ref" name="ref" maxlength="40" value="${v.filter.ref}">
<label for="o-env">${t.environment}</label><select id="o-env" name="env"><option value="">${t.anyEnv}</option><option value="test"${selected(v.filter.env, 'test')}>${t.test}</option><option value="prod"${selected(v.filter.env, 'prod')}>${t.prod}</option></select>
<label for="o-status">${t.status}</label><select id="o-status" name="status"><option value="">${t.anyStatus}</option>${FILTER_STATUSES.map((s) => html`<option value="${String(s)}"${selected(v.filter.status, String(s))}>${statusText(locale, s)}</option>`)}</select>
<button type="submit">${t.search}</button></form>`;
  const filtered = v.filter.env !== '' || v.filter.ref !== '' || v.filter.status !== '';
  return html`${form}
${v.problem ? refusal(v.problem) : ''}
${v.rows.length === 0 && filtered ? html`<p>${t.noMatch}</p>` : ordersListPage(locale, v.rows)}
<p>${v.newestHref ? html`<a href="${v.newestHref}" rel="first">${t.newest}</a> ` : ''}${v.olderHref ? html`<a href="${v.olderHref}" rel="next">${t.older}</a>` : ''}</p>
${v.rows.length > 0 ? html`<p><a href="${v.csvHref}" download>${t.csv}</a></p>` : ''}`;
}
