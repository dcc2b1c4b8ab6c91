import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { fill, receiptStrings, type ReceiptStrings } from './strings.ts';
import { refusal } from '../shared/message.ts';

// Pages of the pagoPA receipts, shared by the portal and the back office (`base` is the surface's
// path): the list with its search form (GET, no CSRF token) and cursor links, and one receipt with
// its delivery attempts, links to the exchange log's SOAP messages and, for whoever may, the Resend
// form (POST with the session's CSRF token). Plain view models; English and Italian.

export interface ReceiptFilterValues {
  env: string;
  state: string;
  notice: string;
  token: string;
}

export interface ReceiptRowView {
  id: string;
  created: string;
  env: string;
  noticeNumber: string;
  token: string;
  amount: string;
  recipientFiscalCode: string;
  position: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastAttempt: string;
  lastError: string;
  /** Back office only: the organisations party to it. */
  parties?: string;
}

export interface ReceiptListView {
  base: string;
  intro: string;
  filter: ReceiptFilterValues;
  rows: readonly ReceiptRowView[];
  olderHref: string | null;
  newestHref: string | null;
  problem?: string | undefined;
}

export interface AttemptRowView {
  outboxMessageId: string;
  attempt: number;
  when: string;
  durationMs: number;
  destination: string;
  version: string;
  result: 'delivered' | 'duplicate' | 'retry';
  http: string;
  answer: string;
  error: string;
  exchangeHref: string | null;
}

export interface ReceiptDetailView {
  base: string;
  row: ReceiptRowView;
  noticeEc: string;
  recipientEc: string;
  psp: string;
  station: string;
  version: string;
  firstDelivered: string;
  deliveredAt: string;
  /** A pending receipt's next try ('' otherwise). */
  nextAttempt: string;
  attempts: readonly AttemptRowView[];
  /** Set when the viewer may resend: the form's CSRF token. */
  csrf?: string;
  notice?: string;
  error?: string;
}

const stateText = (t: ReceiptStrings, s: ReceiptRowView['state']): string => t[s];
const resultText = (t: ReceiptStrings, r: AttemptRowView['result']): string =>
  r === 'delivered' ? t.resultDelivered : r === 'duplicate' ? t.resultDuplicate : t.resultRetry;

function filterForm(t: ReceiptStrings, v: ReceiptListView): SafeHtml {
  const f = v.filter;
  const option = (value: string, label: string, current: string): SafeHtml =>
    html`<option value="${value}"${current === value ? html` selected` : ''}>${label}</option>`;
  const text = (name: string, label: string, value: string): SafeHtml =>
    html`<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${value}" maxlength="64" autocomplete="off">`;
  return html`<form method="get" action="${v.base}" role="search">
<label for="env">${t.environment}</label><select id="env" name="env">${option('', t.any, f.env)}${option('test', t.test, f.env)}${option('prod', t.prod, f.env)}</select>
<label for="state">${t.state}</label><select id="state" name="state">${option('', t.any, f.state)}${(['pending', 'delivered', 'failed'] as const).map((s) => option(s, t[s], f.state))}</select>
${text('notice', t.noticeNumber, f.notice)}${text('token', t.receiptId, f.token)}
<button type="submit">${t.search}</button> <a href="${v.base}">${t.reset}</a></form>`;
}

export function receiptListPage(locale: Locale, v: ReceiptListView): SafeHtml {
  const t = receiptStrings(locale);
  const admin = v.rows.some((r) => r.parties !== undefined);
  const table =
    v.rows.length === 0
      ? html`<p>${t.none}</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="${t.title}"><table><thead><tr><th>${t.created}</th><th>${t.environment}</th><th>${t.noticeNumber}</th>
<th>${t.receiptId}</th><th>${t.amount}</th><th>${t.recipient}</th><th>${t.state}</th><th>${t.attempts}</th><th>${t.lastError}</th>${admin ? html`<th>${t.psp}</th>` : ''}</tr></thead>
<tbody>${v.rows.map(
          (
            r,
          ) => html`<tr data-receipt="${r.id}" data-state="${r.state}"><td><a href="${v.base}/${r.id}">${r.created}</a></td><td>${r.env === 'prod' ? t.prod : t.test}</td><td>${r.noticeNumber}</td>
<td><code>${r.token}</code></td><td>${r.amount}</td><td>${r.recipientFiscalCode} (${fill(t.copy, { n: r.position + 1 })})</td><td>${stateText(t, r.state)}</td><td>${r.attempts}</td>
<td>${r.lastError}</td>${admin ? html`<td>${r.parties ?? ''}</td>` : ''}</tr>`,
        )}</tbody></table></div>`;
  return html`<p>${v.intro}</p>
${v.problem ? refusal(v.problem) : ''}
${filterForm(t, v)}
${table}
<p>${v.newestHref ? html`<a href="${v.newestHref}" rel="first">${t.newest}</a> ` : ''}${v.olderHref ? html`<a href="${v.olderHref}" rel="next">${t.older}</a>` : ''}</p>`;
}

function attemptTable(t: ReceiptStrings, attempts: readonly AttemptRowView[]): SafeHtml {
  if (attempts.length === 0) return html`<p>${t.noAttempts}</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${t.attemptLog}"><table><thead><tr><th>${t.when}</th><th>${t.message}</th><th>${t.destination}</th><th>${t.version}</th><th>${t.result}</th><th>${t.http}</th>
<th>${t.answer}</th><th>${t.duration}</th><th>${t.error}</th><th>${t.viewMessage}</th></tr></thead>
<tbody>${attempts.map(
    (
      a,
    ) => html`<tr data-attempt="${a.result}"><td>${a.when}</td><td>${fill(t.outboxMessage, { id: a.outboxMessageId, n: a.attempt })}</td><td>${a.destination}</td>
<td>${a.version}</td><td>${resultText(t, a.result)}</td><td>${a.http}</td><td>${a.answer}</td><td>${a.durationMs} ms</td><td>${a.error}</td>
<td>${a.exchangeHref ? html`<a href="${a.exchangeHref}">${t.viewMessage}</a>` : ''}</td></tr>`,
  )}</tbody></table></div>`;
}

function resendForm(t: ReceiptStrings, v: ReceiptDetailView): SafeHtml {
  if (v.csrf === undefined) return html``;
  return html`<p>${t.resendHelp}</p><p><a class="button" href="${v.base}/${v.row.id}/resend">${t.resend}…</a></p>`;
}

export function receiptDetailPage(locale: Locale, v: ReceiptDetailView): SafeHtml {
  const t = receiptStrings(locale);
  const r = v.row;
  const line = (label: string, value: string | number): SafeHtml => (value === '' ? html`` : html`<tr><th>${label}</th><td>${value}</td></tr>`);
  return html`<p><a href="${v.base}">${t.back}</a></p>
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}${v.error ? refusal(v.error) : ''}
<table><tbody>${line(t.state, stateText(t, r.state))}${line(t.receiptId, r.token)}${line(t.noticeNumber, r.noticeNumber)}${line(t.environment, r.env === 'prod' ? t.prod : t.test)}
${line(t.amount, r.amount)}${line(t.noticeEc, v.noticeEc)}${line(t.recipientEc, `${v.recipientEc} (${fill(t.copy, { n: r.position + 1 })})`)}${line(t.psp, v.psp)}
${line(t.station, v.station)}${line(t.version, v.version)}${line(t.created, r.created)}${line(t.firstDelivered, v.firstDelivered)}${line(t.deliveredAt, v.deliveredAt)}${line(t.nextAttempt, v.nextAttempt)}
${line(t.attempts, r.attempts)}${line(t.lastError, r.lastError)}${line(t.id, r.id)}</tbody></table>
${resendForm(t, v)}
<h2>${t.attemptLog}</h2>
${attemptTable(t, v.attempts)}`;
}
