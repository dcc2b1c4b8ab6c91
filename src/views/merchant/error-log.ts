import { html, type SafeHtml } from '../html.ts';
import { hostedNcErrorText } from '../../protocols/ogone/index.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { envTabs, type MerchantHeaderView } from './settings.ts';
import { fill, strings } from './strings.ts';
import { copyButton } from '../shared/copy.ts';

// The *Error logs* page: a search form (environment, NCERROR code, part of the PSPID or ORDERID,
// dates), the rows newest first a page at a time, a signature debugger per row (<details>, no
// script: the CSP forbids inline script) and the search as CSV. The portal shows one merchant's
// log, the back office every row.

export interface DebugRowView {
  included: ReadonlyArray<{ name: string; value: string | null }>;
  strings: ReadonlyArray<{ order: string; masked: string }>;
  algorithm: string | null;
  hashingMethod: string | null;
  encoding: string | null;
  page: string | null;
  passphraseSet: boolean | null;
  shasign: 'missing' | 'given' | null;
  shasignDigits: number | null;
  duplicate: string | null;
  problem: string | null;
}

export interface ErrorRowView {
  id: string;
  at: Date;
  env: string;
  pspid: string | null;
  orderRef: string | null;
  code: string;
  message: string;
  clientIp: string | null;
  referrer: string | null;
  debug: DebugRowView | null;
}

const when = (locale: Locale, d: Date): string => formatDateTime(locale, d, { seconds: true });
const algorithmName = (alg: string): string => alg.toUpperCase().replace('SHA', 'SHA-');
/** The algorithm a SHASIGN of this many hex digits was made with. */
const DIGITS_ALGORITHM: Readonly<Record<number, string>> = { 40: 'sha1', 64: 'sha256', 128: 'sha512' };

/** "The SHASIGN has 40 hex digits (SHA-1); this account hashes with SHA-256.", when they differ. */
function otherAlgorithm(locale: Locale, d: DebugRowView): SafeHtml | '' {
  const received = d.shasignDigits === null ? undefined : DIGITS_ALGORITHM[d.shasignDigits];
  if (received === undefined || d.algorithm === null || received === d.algorithm) return '';
  const text = fill(strings(locale).shasignAlgorithm, { digits: d.shasignDigits ?? 0, received: algorithmName(received), account: algorithmName(d.algorithm) });
  return html`<p class="error">${text}</p>`;
}

function debugger_(locale: Locale, d: DebugRowView): SafeHtml {
  const t = strings(locale);
  const facts = [
    d.page ? `${t.page}: ${d.page === 'utf8' ? 'orderstandard_utf8.asp' : d.page === 'latin1' ? 'orderstandard.asp' : d.page}` : '',
    d.algorithm ? `${t.hashAlgorithm}: ${algorithmName(d.algorithm)}` : '',
    d.hashingMethod ? `${t.hashingMethod.split(' ')[0]}: ${d.hashingMethod === 'main-parameters' ? t.mainParameters : t.eachParameter}` : '',
    d.encoding ? `${t.encoding}: ${d.encoding === 'utf8' ? 'UTF-8' : 'ISO-8859-1'}` : '',
  ].filter((f) => f !== '');
  const withValues = d.included.some((i) => i.value !== null);
  return html`<details><summary>${t.debugger}</summary>
${facts.length ? html`<p>${facts.join(' · ')}</p>` : ''}
${d.passphraseSet === false ? html`<p>${t.noPassphrase}</p>` : ''}
${d.shasign === 'missing' ? html`<p>${t.shasignMissing}</p>` : d.shasign === 'given' ? html`<p>${t.shasignGiven}</p>${otherAlgorithm(locale, d)}` : ''}
${d.duplicate ? html`<p class="error">${t.duplicate}: <code>${d.duplicate}</code></p>` : ''}
${d.problem ? html`<p>${t.problem}: <code>${d.problem}</code></p>` : ''}
${
  d.included.length
    ? html`<p>${t.included}${withValues ? '' : html` (${t.valuesInString})`}:</p>
<ol data-included>${d.included.map((i) => html`<li><code>${i.name}</code>${i.value !== null ? html` = <code>${i.value}</code>` : ''}</li>`)}</ol>`
    : ''
}
${d.strings.map((s) => html`<p>${t.hashedString}${d.strings.length > 1 ? html` — ${t.order}: ${s.order}` : ''}:</p><pre data-masked><code>${s.masked}</code></pre>`)}
</details>`;
}

/** The platform's text of the NCERROR beside its code (`50001184 SHA Mismatch`), as its back office shows it. */
function codeText(code: string): SafeHtml | '' {
  const text = hostedNcErrorText(code);
  return text === undefined ? '' : html`<br><small>${text}</small>`;
}

const EN = {
  textContains: 'PSPID or ORDERID contains',
  code: 'Error code',
  from: 'From (date)',
  to: 'To (date, included)',
  anyEnv: 'Any environment',
  search: 'Search',
  older: 'Older errors',
  newest: 'Newest errors',
  csv: 'Download the search as CSV',
  noMatch: 'No error matches the search.',
  dateHint: 'Dates are UTC days.',
};
const IT: typeof EN = {
  textContains: 'PSPID o ORDERID contiene',
  code: 'Codice di errore',
  from: 'Dal (data)',
  to: 'Al (data, inclusa)',
  anyEnv: 'Qualsiasi ambiente',
  search: 'Cerca',
  older: 'Errori precedenti',
  newest: 'Errori più recenti',
  csv: 'Scarica la ricerca in CSV',
  noMatch: 'Nessun errore corrisponde alla ricerca.',
  dateHint: 'Le date sono giorni UTC.',
};
/** The search's own strings, for the test that compares the languages (test/support/string-tables.ts). */
export const ERROR_LOG_TABLES = { search: { en: EN, it: IT } };

/** The search form's values as typed (empty when not set). */
export interface ErrorFilterValues {
  env: string;
  code: string;
  q: string;
  from: string;
  to: string;
}

export interface ErrorLogPageView {
  /** The portal's merchant (its tabs and PSPID line); absent in the back office. */
  merchant?: MerchantHeaderView;
  /** The page's own path: the form's action. */
  base: string;
  filter: ErrorFilterValues;
  rows: readonly ErrorRowView[];
  olderHref: string | null;
  newestHref: string | null;
  csvHref: string;
}

function searchForm(locale: Locale, base: string, f: ErrorFilterValues): SafeHtml {
  const t = strings(locale);
  const s = locale === 'it' ? IT : EN;
  const selected = (v: string) => (f.env === v ? ' selected' : '');
  return html`<form method="get" action="${base}" class="search" aria-label="${s.search}">
<label for="e-q">${s.textContains}</label><input id="e-q" name="q" maxlength="60" value="${f.q}">
<label for="e-code">${s.code}</label><input id="e-code" name="code" maxlength="16" inputmode="numeric" value="${f.code}">
<label for="e-env">${t.environment}</label><select id="e-env" name="env"><option value="">${s.anyEnv}</option><option value="test"${selected('test')}>${t.test}</option><option value="prod"${selected('prod')}>${t.prod}</option></select>
<label for="e-from">${s.from}</label><input id="e-from" name="from" type="date" value="${f.from}" aria-describedby="e-dates">
<label for="e-to">${s.to}</label><input id="e-to" name="to" type="date" value="${f.to}" aria-describedby="e-dates">
<p id="e-dates"><small>${s.dateHint}</small></p>
<button type="submit">${s.search}</button></form>`;
}

function rowsTable(locale: Locale, rows: readonly ErrorRowView[]): SafeHtml {
  const t = strings(locale);
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${t.errorLogs}"><table><thead><tr><th>${t.time}</th><th>${t.environment}</th><th>${t.pspid}</th><th>${t.orderId}</th><th>${t.code}</th><th>${t.message}</th><th>${t.clientIp}</th></tr></thead><tbody>
${rows.map(
  (
    r,
  ) => html`<tr data-error="${r.id}"><td>${when(locale, r.at)}</td><td>${r.env === 'prod' ? t.prod : r.env === 'test' ? t.test : r.env}</td><td>${r.pspid ?? ''}</td>
<td><code>${r.orderRef ?? ''}</code></td><td><code>${r.code}</code>${codeText(r.code)}</td><td>${r.message}</td><td>${r.clientIp ?? ''}</td></tr>
${r.debug || r.referrer ? html`<tr><td colspan="7">${r.referrer ? html`<p><small>${t.referrer}: <code>${r.referrer}</code></small></p>` : ''}${r.debug ? debugger_(locale, r.debug) : ''}</td></tr>` : ''}`,
)}
</tbody></table></div>`;
}

export function errorLogPage(locale: Locale, view: ErrorLogPageView): SafeHtml {
  const t = strings(locale);
  const s = locale === 'it' ? IT : EN;
  const f = view.filter;
  const filtered = Object.values(f).some((v) => v !== '');
  return html`${
    view.merchant
      ? html`${envTabs(locale, view.merchant.id, 'errors')}
<p>${t.pspid}: <strong>${view.merchant.pspid}</strong>${copyButton(locale, t.pspid)}</p>`
      : ''
  }
${searchForm(locale, view.base, f)}
${view.rows.length === 0 ? html`<p>${filtered ? s.noMatch : t.noErrors}</p>` : rowsTable(locale, view.rows)}
<p>${view.newestHref ? html`<a href="${view.newestHref}" rel="first">${s.newest}</a> ` : ''}${view.olderHref ? html`<a href="${view.olderHref}" rel="next">${s.older}</a>` : ''}</p>
${view.rows.length > 0 ? html`<p><a href="${view.csvHref}" download>${s.csv}</a></p>` : ''}`;
}
