import { html, type SafeHtml } from '../html.ts';
import { hostedNcErrorText } from '../../protocols/ogone/index.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { envTabs, type MerchantHeaderView } from './settings.ts';
import { strings } from './strings.ts';

// Tools for merchants: the *Error logs* page with a signature debugger per row, and the SHASIGN
// page (compute a digest, then post a signed test transaction). Plain HTML: the CSP forbids
// inline script, and <details> needs none.

export interface DebugRowView {
  included: ReadonlyArray<{ name: string; value: string | null }>;
  strings: ReadonlyArray<{ order: string; masked: string }>;
  algorithm: string | null;
  hashingMethod: string | null;
  encoding: string | null;
  page: string | null;
  passphraseSet: boolean | null;
  shasign: 'missing' | 'given' | null;
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

function debugger_(locale: Locale, d: DebugRowView): SafeHtml {
  const t = strings(locale);
  const facts = [
    d.page ? `${t.page}: ${d.page === 'utf8' ? 'orderstandard_utf8.asp' : d.page === 'latin1' ? 'orderstandard.asp' : d.page}` : '',
    d.algorithm ? `${t.hashAlgorithm}: ${d.algorithm.toUpperCase().replace('SHA', 'SHA-')}` : '',
    d.hashingMethod ? `${t.hashingMethod.split(' ')[0]}: ${d.hashingMethod === 'main-parameters' ? t.mainParameters : t.eachParameter}` : '',
    d.encoding ? `${t.encoding}: ${d.encoding === 'utf8' ? 'UTF-8' : 'ISO-8859-1'}` : '',
  ].filter((f) => f !== '');
  const withValues = d.included.some((i) => i.value !== null);
  return html`<details><summary>${t.debugger}</summary>
${facts.length ? html`<p>${facts.join(' · ')}</p>` : ''}
${d.passphraseSet === false ? html`<p>${t.noPassphrase}</p>` : ''}
${d.shasign === 'missing' ? html`<p>${t.shasignMissing}</p>` : d.shasign === 'given' ? html`<p>${t.shasignGiven}</p>` : ''}
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

export function errorLogPage(locale: Locale, view: { merchant: MerchantHeaderView; env: 'test' | 'prod' | null; rows: readonly ErrorRowView[] }): SafeHtml {
  const t = strings(locale);
  const base = `/portal/merchants/${view.merchant.id}/errors`;
  const filter = (env: 'test' | 'prod' | null, label: string) =>
    view.env === env ? html`<strong aria-current="page">${label}</strong>` : html`<a href="${env ? `${base}?env=${env}` : base}">${label}</a>`;
  return html`${envTabs(locale, view.merchant.id, 'errors')}
<p>${t.pspid}: <strong>${view.merchant.pspid}</strong> · ${t.environment}: ${filter(null, t.all)} | ${filter('test', t.test)} | ${filter('prod', t.prod)}</p>
${
  view.rows.length === 0
    ? html`<p>${t.noErrors}</p>`
    : html`<div class="scroll" tabindex="0" role="region" aria-label="${t.errorLogs}"><table><thead><tr><th>${t.time}</th><th>${t.environment}</th><th>${t.pspid}</th><th>${t.orderId}</th><th>${t.code}</th><th>${t.message}</th><th>${t.clientIp}</th></tr></thead><tbody>
${view.rows.map(
  (
    r,
  ) => html`<tr data-error="${r.id}"><td>${when(locale, r.at)}</td><td>${r.env === 'prod' ? t.prod : r.env === 'test' ? t.test : r.env}</td><td>${r.pspid ?? ''}</td>
<td><code>${r.orderRef ?? ''}</code></td><td><code>${r.code}</code>${codeText(r.code)}</td><td>${r.message}</td><td>${r.clientIp ?? ''}</td></tr>
${r.debug || r.referrer ? html`<tr><td colspan="7">${r.referrer ? html`<p><small>${t.referrer}: <code>${r.referrer}</code></small></p>` : ''}${r.debug ? debugger_(locale, r.debug) : ''}</td></tr>` : ''}`,
)}
</tbody></table></div>`
}`;
}

export interface ShasignFormValues {
  params: string;
  list: 'in' | 'out';
  alg: string;
  method: string;
  encoding: 'utf8' | 'latin1';
}

export interface ShasignResultView {
  included: ReadonlyArray<readonly [string, string]>;
  masked: string;
  digest: string;
  /** The parameters as typed, for the test transaction form (SHA-IN only). */
  post: ReadonlyArray<readonly [string, string]> | null;
}

function select(name: string, label: string, value: string, options: ReadonlyArray<readonly [string, string]>): SafeHtml {
  return html`<label for="s-${name}">${label}</label><select id="s-${name}" name="${name}">
${options.map(([v, l]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${l}</option>`)}</select>`;
}

export function shasignPage(locale: Locale, view: { values: ShasignFormValues; csrf: string; problem?: string; result?: ShasignResultView }): SafeHtml {
  const t = strings(locale);
  const v = view.values;
  const r = view.result;
  // The test page of the same encoding, so the bytes posted are the bytes that were hashed.
  const action = v.encoding === 'latin1' ? '/ncol/test/orderstandard.asp' : '/ncol/test/orderstandard_utf8.asp';
  return html`<p>${t.shaIntro}</p>
${view.problem ? html`<p class="error" role="alert">${view.problem}</p>` : ''}
<form method="post" action="/portal/shasign" accept-charset="UTF-8">${html`<input type="hidden" name="_csrf" value="${view.csrf}">`}
<label for="s-params">${t.params}</label><textarea id="s-params" name="params" rows="10" spellcheck="false" autocomplete="off">${v.params}</textarea>
${select('list', t.signature, v.list, [
  ['in', t.shaInList],
  ['out', t.shaOutList],
])}
${select('alg', t.hashAlgorithm, v.alg, [
  ['sha512', t.sha512],
  ['sha256', t.sha256],
  ['sha1', t.sha1],
])}
${select('method', t.hashingMethod, v.method, [
  ['each-parameter', t.eachParameter],
  ['main-parameters', t.mainParameters],
])}
${select('encoding', t.encoding, v.encoding, [
  ['utf8', t.utf8],
  ['latin1', t.latin1],
])}
<label for="s-passphrase">${t.passphrase}</label><input id="s-passphrase" name="passphrase" type="password" autocomplete="off" maxlength="256">
<button type="submit">${t.compute}</button></form>
${
  r
    ? html`<h2>${t.included}</h2>
<ol data-included>${r.included.map(([name, value]) => html`<li><code>${name}</code> = <code>${value}</code></li>`)}</ol>
<h2>${t.hashedString}</h2><pre data-masked><code>${r.masked}</code></pre>
<h2>${t.digest}</h2><p><code class="key" data-digest>${r.digest}</code></p>
${
  r.post
    ? html`<h2>${t.testTransaction}</h2><p>${t.testTransactionHelp}</p>
<form method="post" action="${action}" accept-charset="${v.encoding === 'latin1' ? 'ISO-8859-1' : 'UTF-8'}">
${r.post.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<input type="hidden" name="SHASIGN" value="${r.digest}">
<button type="submit">${t.testTransaction}</button></form>`
    : ''
}`
    : ''
}`;
}
