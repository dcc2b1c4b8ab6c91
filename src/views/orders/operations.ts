import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { refusal } from '../shared/message.ts';

// The order page's capture / refund / cancel section (issue 13) and what each action does, in words,
// for its confirmation page: the amounts are the order's, formatted in the page's language. Plain
// view models; English and Italian.

type Amounts = { amount: string; authorised: string; captured: string; rest: string; refundable: string };

const en = {
  heading: 'Capture, refund, cancel',
  // After the payment: a sale is captured when it is paid (the totals above say so), which is no operation of this list.
  none: 'No capture, refund or cancellation since the payment.',
  totals: (a: { authorised: string; captured: string; refunded: string }) => `Authorised ${a.authorised} · captured ${a.captured} · refunded ${a.refunded}.`,
  amountLabel: (max: string) => `Amount (at most ${max}; empty: all of it)`,
  finalCapture: 'Last capture: release the rest of the authorisation',
  finalRefund: 'Last refund: no further refund afterwards',
  capture: 'Capture…',
  refund: 'Refund…',
  cancel: 'Cancel the authorisation…',
  nothing: 'Nothing can be captured, refunded or cancelled on this order any more.',
  payIdSub: 'PAYIDSUB',
  operation: 'Operation',
  amount: 'Amount',
  status: 'Status',
  ncError: 'NCERROR',
  at: 'Date',
  back: 'Back to the order',
  done: (what: string, sub: number, status: string) => `${what} recorded as PAYIDSUB ${sub}: ${status}.`,
  captureTitle: (a: Amounts) => `Capture ${a.amount} of this payment?`,
  refundTitle: (a: Amounts) => `Refund ${a.amount} to the customer?`,
  cancelTitle: 'Cancel the rest of this authorisation?',
  captureSays: (a: Amounts) => `${a.amount} of the ${a.authorised} authorised is captured: the customer is charged this amount.`,
  captureRest: (a: Amounts) => `The remaining ${a.rest} stays authorised: you can capture it later or cancel it.`,
  captureFinal: (a: Amounts) =>
    a.rest === ''
      ? 'This is the last capture: nothing more can be captured afterwards.'
      : `This is the last capture: the remaining ${a.rest} is released and cannot be captured any more.`,
  refundSays: (a: Amounts) => `${a.amount} of the ${a.captured} captured is returned to the customer’s card.`,
  refundRest: (a: Amounts) => `${a.refundable} can still be refunded afterwards.`,
  refundFinal: 'This is the last refund: no further refund can be made on this payment.',
  cancelSays: (a: Amounts) => `The remaining ${a.amount} of the authorisation is released: the customer is not charged it, and nothing more can be captured.`,
  feedback: 'The shop receives a server-to-server notification of the operation (its PAYIDSUB and STATUS), signed with SHA-OUT.',
  confirmCapture: (a: Amounts) => `Capture ${a.amount}`,
  confirmRefund: (a: Amounts) => `Refund ${a.amount}`,
  confirmCancel: 'Cancel the authorisation',
  invalidAmount: 'The amount is not valid: write it in the order’s currency, for example 12.50.',
  tooMuchCapture: (max: string) => `At most ${max} can still be captured.`,
  tooMuchRefund: (max: string) => `At most ${max} can still be refunded.`,
  notAllowed: 'The order’s state does not allow this operation any more (cancelled, captured in full, refunds closed, or not authorised).',
  merchantInactive: 'The merchant account or its payment processor is not active.',
  refusedTitle: 'Operation not carried out',
  what: { capture: 'Capture', refund: 'Refund', cancel: 'Cancellation' },
  statuses: {
    5: 'Authorisation renewed',
    6: 'Authorisation cancelled',
    7: 'Payment deleted',
    8: 'Refunded',
    9: 'Captured',
    61: 'Cancellation pending',
    62: 'Cancellation uncertain',
    63: 'Cancellation refused',
    71: 'Deletion pending',
    72: 'Deletion uncertain',
    73: 'Deletion refused',
    81: 'Refund pending',
    82: 'Refund uncertain',
    83: 'Refund refused',
    91: 'Capture pending',
    92: 'Capture uncertain',
    93: 'Capture refused',
    other: 'other',
  } as Record<string, string>,
};
type Strings = typeof en;
const it: Strings = {
  heading: 'Incasso, rimborso, annullamento',
  none: 'Nessun incasso, rimborso o annullamento dopo il pagamento.',
  totals: (a) => `Autorizzato ${a.authorised} · incassato ${a.captured} · rimborsato ${a.refunded}.`,
  amountLabel: (max) => `Importo (al massimo ${max}; vuoto: tutto)`,
  finalCapture: 'Ultimo incasso: libera il resto dell’autorizzazione',
  finalRefund: 'Ultimo rimborso: nessun altro rimborso in seguito',
  capture: 'Incassa…',
  refund: 'Rimborsa…',
  cancel: 'Annulla l’autorizzazione…',
  nothing: 'Su questo ordine non si può più incassare, rimborsare né annullare nulla.',
  payIdSub: 'PAYIDSUB',
  operation: 'Operazione',
  amount: 'Importo',
  status: 'Stato',
  ncError: 'NCERROR',
  at: 'Data',
  back: 'Torna all’ordine',
  done: (what, sub, status) => `${what} registrato come PAYIDSUB ${sub}: ${status}.`,
  captureTitle: (a) => `Incassare ${a.amount} di questo pagamento?`,
  refundTitle: (a) => `Rimborsare ${a.amount} al cliente?`,
  cancelTitle: 'Annullare il resto di questa autorizzazione?',
  captureSays: (a) => `Vengono incassati ${a.amount} dei ${a.authorised} autorizzati: al cliente viene addebitato questo importo.`,
  captureRest: (a) => `I restanti ${a.rest} restano autorizzati: puoi incassarli più tardi o annullarli.`,
  captureFinal: (a) =>
    a.rest === ''
      ? 'È l’ultimo incasso: in seguito non si può incassare altro.'
      : `È l’ultimo incasso: i restanti ${a.rest} vengono liberati e non si possono più incassare.`,
  refundSays: (a) => `Vengono restituiti ${a.amount} dei ${a.captured} incassati sulla carta del cliente.`,
  refundRest: (a) => `In seguito si possono ancora rimborsare ${a.refundable}.`,
  refundFinal: 'È l’ultimo rimborso: su questo pagamento non si potranno fare altri rimborsi.',
  cancelSays: (a) => `I restanti ${a.amount} dell’autorizzazione vengono liberati: non sono addebitati al cliente e non si può più incassare nulla.`,
  feedback: 'Il negozio riceve una notifica server-to-server dell’operazione (il suo PAYIDSUB e lo STATUS), firmata con SHA-OUT.',
  confirmCapture: (a) => `Incassa ${a.amount}`,
  confirmRefund: (a) => `Rimborsa ${a.amount}`,
  confirmCancel: 'Annulla l’autorizzazione',
  invalidAmount: 'L’importo non è valido: scrivilo nella valuta dell’ordine, per esempio 12,50.',
  tooMuchCapture: (max) => `Si possono ancora incassare al massimo ${max}.`,
  tooMuchRefund: (max) => `Si possono ancora rimborsare al massimo ${max}.`,
  notAllowed: 'Lo stato dell’ordine non consente più questa operazione (annullato, incassato per intero, rimborsi chiusi o non autorizzato).',
  merchantInactive: 'Il conto del commerciante o il suo processore di pagamento non è attivo.',
  refusedTitle: 'Operazione non eseguita',
  what: { capture: 'Incasso', refund: 'Rimborso', cancel: 'Annullamento' },
  statuses: {
    5: 'Autorizzazione rinnovata',
    6: 'Autorizzazione annullata',
    7: 'Pagamento cancellato',
    8: 'Rimborsato',
    9: 'Incassato',
    61: 'Annullamento in corso',
    62: 'Annullamento incerto',
    63: 'Annullamento rifiutato',
    71: 'Cancellazione in corso',
    72: 'Cancellazione incerta',
    73: 'Cancellazione rifiutata',
    81: 'Rimborso in corso',
    82: 'Rimborso incerto',
    83: 'Rimborso rifiutato',
    91: 'Incasso in corso',
    92: 'Incasso incerto',
    93: 'Incasso rifiutato',
    other: 'altro',
  },
};

export const operationStrings = (locale: Locale): Strings => (locale === 'it' ? it : en);
export const OPERATION_TABLES = { en, it };

export const operationStatusText = (locale: Locale, status: number): string => {
  const s = operationStrings(locale).statuses;
  return `${status} · ${s[String(status)] ?? s.other ?? ''}`;
};

export type OperationAction = 'capture' | 'refund' | 'cancel';

/** One line of the section's table. */
export interface OperationRowView {
  payIdSub: number;
  operation: string;
  amount: string;
  status: number;
  ncError: string;
  at: string;
}

export interface OrderOperationsView {
  orderId: string;
  totals: { authorised: string; captured: string; refunded: string };
  /** What is left, formatted; null when the action is not possible. */
  capturable: string | null;
  refundable: string | null;
  cancellable: string | null;
  rows: readonly OperationRowView[];
}

function actionForm(orderId: string, action: OperationAction, label: string, amountLabel: string | null, finalLabel: string | null): SafeHtml {
  const id = `op-${action}`;
  return html`<form method="get" action="/portal/orders/${orderId}/${action}" class="operation">
${amountLabel ? html`<label for="${id}-amount">${amountLabel}</label><input id="${id}-amount" name="amount" inputmode="decimal" maxlength="20" autocomplete="off">` : ''}
${finalLabel ? html`<label><input type="checkbox" name="final" value="1"> ${finalLabel}</label>` : ''}
<button type="submit">${label}</button></form>`;
}

/** The section under the order's details: totals, every operation, and the forms of what is still possible. */
export function operationsSection(locale: Locale, v: OrderOperationsView): SafeHtml {
  const t = operationStrings(locale);
  const forms = [
    v.capturable ? actionForm(v.orderId, 'capture', t.capture, t.amountLabel(v.capturable), t.finalCapture) : '',
    v.refundable ? actionForm(v.orderId, 'refund', t.refund, t.amountLabel(v.refundable), t.finalRefund) : '',
    v.cancellable ? actionForm(v.orderId, 'cancel', t.cancel, null, null) : '',
  ];
  const possible = v.capturable !== null || v.refundable !== null || v.cancellable !== null;
  return html`<section aria-labelledby="operations"><h2 id="operations">${t.heading}</h2>
<p>${t.totals(v.totals)}</p>
${
  v.rows.length === 0
    ? html`<p>${t.none}</p>`
    : html`<table><thead><tr><th>${t.payIdSub}</th><th>${t.operation}</th><th>${t.amount}</th><th>${t.status}</th><th>${t.ncError}</th><th>${t.at}</th></tr></thead>
<tbody>${v.rows.map((r) => html`<tr><td>${r.payIdSub}</td><td>${r.operation}</td><td>${r.amount}</td><td>${operationStatusText(locale, r.status)}</td><td>${r.ncError}</td><td>${r.at}</td></tr>`)}</tbody></table>`
}
${possible ? forms : html`<p>${t.nothing}</p>`}</section>`;
}

/** The confirmation page's title, sentences and button for `action` of `amounts.amount`. */
export function operationConfirmText(
  locale: Locale,
  action: OperationAction,
  final: boolean,
  a: Amounts,
): { title: string; consequences: string[]; confirm: string } {
  const t = operationStrings(locale);
  if (action === 'capture')
    return {
      title: t.captureTitle(a),
      consequences: [t.captureSays(a), final ? t.captureFinal(a) : a.rest === '' ? t.captureFinal(a) : t.captureRest(a), t.feedback],
      confirm: t.confirmCapture(a),
    };
  if (action === 'refund')
    return {
      title: t.refundTitle(a),
      consequences: [t.refundSays(a), ...(final ? [t.refundFinal] : a.refundable === '' ? [] : [t.refundRest(a)]), t.feedback],
      confirm: t.confirmRefund(a),
    };
  return { title: t.cancelTitle, consequences: [t.cancelSays(a), t.feedback], confirm: t.confirmCancel };
}

/** A refusal, on its own page with the way back. */
export function operationRefusedPage(locale: Locale, orderId: string, reason: string): SafeHtml {
  return html`${refusal(reason)}
<p><a href="/portal/orders/${orderId}">${operationStrings(locale).back}</a></p>`;
}
