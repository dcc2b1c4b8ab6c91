import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { strings } from './strings.ts';
import { refusal } from '../shared/message.ts';

// Tools for merchants: the SHASIGN page (compute a digest, then post a signed test transaction);
// the *Error logs* page is in error-log.ts. Plain HTML: the CSP forbids
// inline script, and <details> needs none.

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
${view.problem ? refusal(view.problem) : ''}
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
