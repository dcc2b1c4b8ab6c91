import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { exchangeStrings, fill, type ExchangeStrings } from './strings.ts';
import { refusal } from '../shared/message.ts';

// Pages of the pagoPA exchange log, shared by the portal and the back office (`base` is the surface's
// path): the list with its search form (GET, nothing changes, so no CSRF token) and cursor links, and
// one exchange with both messages pretty-printed. Messages are shown as escaped text in <pre>, never
// as markup. Plain view models; English and Italian.

export interface ExchangeFilterValues {
  env: string;
  notice: string;
  token: string;
  fault: string;
  operation: string;
}

export interface ExchangeRowView {
  id: string;
  at: string;
  env: string;
  direction: 'in' | 'out';
  operation: string;
  noticeNumber: string;
  token: string;
  outcome: string;
  faultCode: string;
  durationMs: number;
  /** Back office only: the organisations party to it. */
  parties?: string;
}

export interface ExchangeListView {
  base: string;
  intro: string;
  filter: ExchangeFilterValues;
  operations: readonly string[];
  rows: readonly ExchangeRowView[];
  olderHref: string | null;
  newestHref: string | null;
  /** The same search as CSV (up to 10,000 messages). */
  csvHref?: string | undefined;
  problem?: string | undefined;
}

export interface MessageView {
  pretty: string;
  bytes: number;
  truncated: boolean;
  keptBytes: number;
  downloadHref: string;
}

export interface ExchangeDetailView {
  base: string;
  row: ExchangeRowView;
  parties: ReadonlyArray<{ label: keyof ExchangeStrings; value: string }>;
  httpStatus: number | null;
  /** Outbound: which of the station's sites answered ('' when not recorded). */
  endpoint: string;
  error: string;
  /** Null only when withheld (cartView). */
  request: MessageView | null;
  response: MessageView | null;
  /** The station's non-SOAP answer is withheld from this viewer (it may name the server). */
  responseWithheld: boolean;
  /** A cart outcome read by one of its institutions: the others' tokens masked, or both messages withheld. */
  cartView: 'whole' | 'masked' | 'withheld';
}

const size = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`);

function filterForm(t: ExchangeStrings, v: ExchangeListView): SafeHtml {
  const f = v.filter;
  const option = (value: string, label: string, current: string): SafeHtml =>
    html`<option value="${value}"${current === value ? html` selected` : ''}>${label}</option>`;
  const text = (name: string, label: string, value: string): SafeHtml =>
    html`<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${value}" maxlength="64" autocomplete="off">`;
  return html`<form method="get" action="${v.base}" role="search">
<label for="env">${t.environment}</label><select id="env" name="env">${option('', t.any, f.env)}${option('test', t.test, f.env)}${option('prod', t.prod, f.env)}</select>
${text('notice', t.noticeNumber, f.notice)}${text('token', t.token, f.token)}${text('fault', t.faultCode, f.fault)}
<label for="operation">${t.operation}</label><select id="operation" name="operation">${option('', t.any, f.operation)}${v.operations.map((o) => option(o, o, f.operation))}</select>
<button type="submit">${t.search}</button> <a href="${v.base}">${t.reset}</a></form>`;
}

const outcomeText = (r: ExchangeRowView): string => [r.outcome, r.faultCode].filter(Boolean).join(' ');

export function exchangeListPage(locale: Locale, v: ExchangeListView): SafeHtml {
  const t = exchangeStrings(locale);
  const admin = v.rows.some((r) => r.parties !== undefined);
  const table =
    v.rows.length === 0
      ? html`<p>${t.none}</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="${t.title}"><table><thead><tr><th>${t.at}</th><th>${t.environment}</th><th>${t.direction}</th>
<th>${t.operation}</th><th>${t.noticeNumber}</th><th>${t.token}</th><th>${t.outcome}</th><th>${t.duration}</th>${admin ? html`<th>${t.parties}</th>` : ''}</tr></thead>
<tbody>${v.rows.map(
          (
            r,
          ) => html`<tr data-exchange="${r.id}"><td><a href="${v.base}/${r.id}">${r.at}</a></td><td>${r.env === 'prod' ? t.prod : t.test}</td><td>${r.direction === 'in' ? t.in : t.out}</td>
<td>${r.operation}</td><td>${r.noticeNumber}</td><td><code>${r.token}</code></td><td>${outcomeText(r)}</td><td>${r.durationMs} ms</td>${admin ? html`<td>${r.parties ?? ''}</td>` : ''}</tr>`,
        )}</tbody></table></div>`;
  return html`<p>${v.intro}</p>
${v.problem ? refusal(v.problem) : ''}
${filterForm(t, v)}
${table}
<p>${v.newestHref ? html`<a href="${v.newestHref}" rel="first">${t.newest}</a> ` : ''}${v.olderHref ? html`<a href="${v.olderHref}" rel="next">${t.older}</a>` : ''}</p>
${v.csvHref && v.rows.length > 0 ? html`<p><a href="${v.csvHref}" download>${t.csv}</a></p>` : ''}`;
}

function messageBlock(t: ExchangeStrings, title: string, m: MessageView | null, withheld = false): SafeHtml {
  if (!m) return html`<h2>${title}</h2><p>${withheld ? t.responseWithheld : t.noResponse}</p>`;
  return html`<h2>${title}</h2>
<p>${t.size}: ${size(m.bytes)} · <a href="${m.downloadHref}" download>${t.download}</a></p>
${m.truncated ? html`<p class="notice">${fill(t.truncated, { kept: size(m.keptBytes), size: size(m.bytes) })}</p>` : ''}
<pre class="xml" tabindex="0" aria-label="${title}"><code>${m.pretty}</code></pre>`;
}

export function exchangeDetailPage(locale: Locale, v: ExchangeDetailView): SafeHtml {
  const t = exchangeStrings(locale);
  const r = v.row;
  const line = (label: string, value: string | number | null): SafeHtml =>
    value === null || value === '' ? html`` : html`<tr><th>${label}</th><td>${value}</td></tr>`;
  return html`<p><a href="${v.base}">${t.back}</a></p>
<table><tbody>${line(t.id, r.id)}${line(t.at, r.at)}${line(t.environment, r.env === 'prod' ? t.prod : t.test)}${line(t.direction, r.direction === 'in' ? t.in : t.out)}
${line(t.operation, r.operation)}${line(t.outcome, outcomeText(r))}${line(t.duration, `${r.durationMs} ms`)}${line(t.httpStatus, v.httpStatus)}${line(t.endpoint, v.endpoint)}
${line(t.noticeNumber, r.noticeNumber)}${line(t.token, r.token)}${line(t.error, v.error)}</tbody></table>
<h2>${t.parties}</h2>
<table><tbody>${v.parties.map((p) => line(t[p.label], p.value))}</tbody></table>
${v.cartView === 'whole' ? '' : html`<p class="notice">${v.cartView === 'masked' ? t.cartMasked : t.cartWithheld}</p>`}
${v.request ? messageBlock(t, t.request, v.request) : ''}
${v.cartView === 'withheld' ? '' : messageBlock(t, t.response, v.response, v.responseWithheld)}`;
}
