import { html, type SafeHtml } from '../html.ts';
import { copyButton } from '../shared/copy.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { fill, strings, type MerchantStrings } from './strings.ts';
import { copyStrings } from './copy.ts';
import { refusal, REFUSAL_ATTRIBUTES } from '../shared/message.ts';

// The *Technical information* pages: opening a merchant account (PSPID), one page per environment
// with Ingenico's groups, and the answer to *Copy test to production* that shows a passphrase once.
// Passphrases are never put in a page: only whether each is set, and empty fields to replace it.

export interface MerchantHeaderView {
  id: string;
  /** The PSPID asked for when the account was opened. */
  pspid: string;
  /** The PSPID held in each environment. */
  pspids: Partial<Record<'test' | 'prod', string>>;
  name: string;
  activeEnvironments: ReadonlyArray<'test' | 'prod'>;
}

/** Every setting as text, so a rejected form shows back what was typed (never a passphrase). */
export interface SettingsValues {
  hashingMethod: string;
  hashAlgorithm: string;
  charset: string;
  referrers: string;
  acceptUrl: string;
  declineUrl: string;
  exceptionUrl: string;
  cancelUrl: string;
  feedbackOnRedirect: boolean;
  s2sTiming: string;
  s2sUrlAccepted: string;
  s2sUrlDeclined: string;
  s2sMethod: string;
  feedbackParams: readonly string[];
  defaultOperation: string;
  paymentRetries: string;
  enabledCurrencies: string;
}

export interface SettingsPageView {
  merchant: MerchantHeaderView;
  env: 'test' | 'prod';
  values: SettingsValues;
  shaInSet: boolean;
  shaOutSet: boolean;
  feedbackCatalogue: readonly string[];
  /** Problems already worded, with the field they belong to. */
  problems: ReadonlyArray<{ field: string; text: string }>;
  notices: readonly string[];
  /** What Varco may refuse later though the settings are valid (a feedback host that usually resolves to a private address). */
  warnings?: readonly string[];
  updatedAt: Date;
  csrf: string;
  /** The stored method is legacy, and when its risks were acknowledged (null: not yet, e.g. an upgraded install). */
  legacy: { on: boolean; acceptedAt: Date | null };
  /** A PSPID typed into the claim form, and why it was refused. */
  claim?: { pspid: string; problem: string };
}

const csrfField = (csrf: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export function envTabs(locale: Locale, merchantId: string, current: 'test' | 'prod' | 'errors' | 'api-users' | null): SafeHtml {
  const t = strings(locale);
  const link = (href: string, label: string, active: boolean) =>
    html`<a href="${href}"${active ? html` aria-current="page"` : ''}>${active ? html`<strong>${label}</strong>` : label}</a>`;
  return html`<nav aria-label="${t.technical}"><p>${link(`/portal/merchants/${merchantId}/settings/test`, `${t.technical} · ${t.test}`, current === 'test')} |
${link(`/portal/merchants/${merchantId}/settings/prod`, `${t.technical} · ${t.prod}`, current === 'prod')} |
${link(`/portal/merchants/${merchantId}/errors`, t.errorLogs, current === 'errors')} |
${link(`/portal/merchants/${merchantId}/api-users`, t.apiUsers, current === 'api-users')} | <a href="/portal/shasign">${t.shasign}</a></p></nav>`;
}

function pspidInput(id: string, value: string, invalid: boolean, describedBy?: string): SafeHtml {
  return html`<input id="${id}" name="pspid" required minlength="2" maxlength="30" pattern="[A-Za-z0-9_\\-]{2,30}" value="${value}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}${invalid ? html` aria-invalid="true"` : ''}>`;
}

export function createMerchantPage(locale: Locale, view: { eligible: boolean; csrf: string; pspid?: string; problem?: string }): SafeHtml {
  const t = strings(locale);
  if (!view.eligible)
    return html`<p class="notice" role="status">${t.notEligible}</p><p><a href="/portal/products">${locale === 'it' ? 'Prodotti' : 'Products'}</a></p>`;
  return html`${view.problem ? refusal(view.problem) : ''}
<p>${t.createIntro}</p>
<form method="post" action="/portal/merchant">${csrfField(view.csrf)}
<label for="pspid">${t.pspid}</label>${pspidInput('pspid', view.pspid ?? '', view.problem !== undefined, 'pspid-help')}
<p id="pspid-help"><small>${t.pspidHelp}</small></p>
<button type="submit">${t.create}</button></form>`;
}

type Problems = SettingsPageView['problems'];

function fieldError(problems: Problems, field: string): SafeHtml | string {
  const mine = problems.filter((p) => p.field === field);
  return mine.length ? html`<p class="error" id="err-${field}">${mine.map((p) => p.text).join(' · ')}</p>` : '';
}

/** Attributes of an input that may carry an error. */
const invalid = (problems: Problems, field: string): SafeHtml | string =>
  problems.some((p) => p.field === field) ? html` aria-invalid="true" aria-describedby="err-${field}"` : '';

function radios(name: string, legend: string, value: string, options: ReadonlyArray<readonly [string, string]>, problems: Problems): SafeHtml {
  return html`<fieldset id="f-${name}"><legend>${legend}</legend>
${options.map(([v, label]) => html`<label><input type="radio" name="${name}" value="${v}"${v === value ? html` checked` : ''}${invalid(problems, name)}> ${label}</label>`)}
${fieldError(problems, name)}</fieldset>`;
}

function textField(name: string, label: string, value: string, problems: Problems, attrs: { type?: string; help?: string } = {}): SafeHtml {
  return html`<label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${attrs.type ?? 'text'}" value="${value}"${invalid(problems, name)}>
${attrs.help ? html`<p><small>${attrs.help}</small></p>` : ''}${fieldError(problems, name)}`;
}

function passphraseFields(t: MerchantStrings, name: 'shaIn' | 'shaOut', isSet: boolean, problems: Problems): SafeHtml {
  const label = name === 'shaIn' ? t.shaIn : t.shaOut;
  return html`<fieldset id="f-${name}"><legend>${label}: <strong data-passphrase="${name}">${isSet ? t.set : t.notSet}</strong></legend>
<label for="f-${name}-new">${t.newPassphrase}</label><input id="f-${name}-new" name="${name}New" type="password" autocomplete="new-password" maxlength="128"${invalid(problems, name)}>
<label for="f-${name}-confirm">${t.confirmPassphrase}</label><input id="f-${name}-confirm" name="${name}Confirm" type="password" autocomplete="new-password" maxlength="128">
<p><small>${t.passphraseHelp}</small></p>
${isSet ? html`<label><input type="checkbox" name="${name}Clear" value="on"> ${t.removePassphrase}</label>` : ''}
${fieldError(problems, name)}</fieldset>`;
}

const stamp = (locale: Locale, d: Date): string => formatDateTime(locale, d);

/** Choosing legacy hashing needs the box ticked; once acknowledged, the page says when. */
function legacyAcknowledgement(locale: Locale, t: MerchantStrings, view: SettingsPageView): SafeHtml {
  const { legacy } = view;
  if (legacy.on && legacy.acceptedAt !== null) return html`<p><small>${fill(t.legacyAccepted, { date: stamp(locale, legacy.acceptedAt) })}</small></p>`;
  return html`<label><input type="checkbox" name="acceptLegacyHashing" value="on"${invalid(view.problems, 'hashingMethod')}> ${t.legacyAck}</label>`;
}

function securityGroups(locale: Locale, t: MerchantStrings, v: SettingsValues, view: SettingsPageView): SafeHtml {
  const p = view.problems;
  return html`<h2>${t.globalSecurity}</h2>
${view.legacy.on ? html`<p class="error" role="alert" data-legacy-warning>${t.legacyWarning}</p>` : ''}
${radios(
  'hashingMethod',
  t.hashingMethod,
  v.hashingMethod,
  [
    ['each-parameter', t.eachParameter],
    ['main-parameters', t.mainParameters],
  ],
  p,
)}
${legacyAcknowledgement(locale, t, view)}
${radios(
  'hashAlgorithm',
  t.hashAlgorithm,
  v.hashAlgorithm,
  [
    ['sha1', t.sha1],
    ['sha256', t.sha256],
    ['sha512', t.sha512],
  ],
  p,
)}
${radios(
  'charset',
  t.charset,
  v.charset,
  [
    ['page', t.charsetPage],
    ['latin1', t.latin1],
    ['utf8', t.utf8],
  ],
  p,
)}
<h2>${t.dataOrigin}</h2>
${textField('referrers', t.referrers, v.referrers, p, { help: t.referrersHelp })}
${passphraseFields(t, 'shaIn', view.shaInSet, p)}`;
}

function feedbackGroup(t: MerchantStrings, v: SettingsValues, view: SettingsPageView): SafeHtml {
  const p = view.problems;
  const timing = [
    ['none', t.timingNone],
    ['deferred', t.timingDeferred],
    ['online', t.timingOnline],
    ['online_deferred_fallback', t.timingFallback],
  ] as const;
  return html`<h2>${t.feedback}</h2>
${textField('acceptUrl', t.acceptUrl, v.acceptUrl, p, { type: 'url' })}
${textField('declineUrl', t.declineUrl, v.declineUrl, p, { type: 'url' })}
${textField('exceptionUrl', t.exceptionUrl, v.exceptionUrl, p, { type: 'url' })}
${textField('cancelUrl', t.cancelUrl, v.cancelUrl, p, { type: 'url' })}
<label><input type="checkbox" name="feedbackOnRedirect" value="on"${v.feedbackOnRedirect ? html` checked` : ''}> ${t.feedbackOnRedirect}</label>
${passphraseFields(t, 'shaOut', view.shaOutSet, p)}
<h3>${t.s2s}</h3>
<label for="f-s2sTiming">${t.s2sTiming}</label><select id="f-s2sTiming" name="s2sTiming"${invalid(p, 's2sTiming')}>
${timing.map(([value, label]) => html`<option value="${value}"${value === v.s2sTiming ? html` selected` : ''}>${label}</option>`)}</select>
${fieldError(p, 's2sTiming')}
${textField('s2sUrlAccepted', t.s2sUrlAccepted, v.s2sUrlAccepted, p, { type: 'url' })}
${textField('s2sUrlDeclined', t.s2sUrlDeclined, v.s2sUrlDeclined, p, { type: 'url' })}
${radios(
  's2sMethod',
  t.s2sMethod,
  v.s2sMethod,
  [
    ['POST', 'POST'],
    ['GET', 'GET'],
  ],
  p,
)}
<fieldset id="f-feedbackParams"><legend>${t.dynamicParams}</legend>
${view.feedbackCatalogue.map((name) => html`<label><input type="checkbox" name="feedbackParams" value="${name}"${v.feedbackParams.includes(name) ? html` checked` : ''}> <code>${name}</code></label>`)}
${fieldError(p, 'feedbackParams')}</fieldset>`;
}

function transactionGroup(t: MerchantStrings, v: SettingsValues, p: Problems): SafeHtml {
  return html`<h2>${t.globalTransaction}</h2>
${radios(
  'defaultOperation',
  t.defaultOperation,
  v.defaultOperation,
  [
    ['RES', t.res],
    ['SAL', t.sal],
  ],
  p,
)}
<label for="f-paymentRetries">${t.paymentRetries}</label><input id="f-paymentRetries" name="paymentRetries" type="number" min="1" max="99" step="1" value="${v.paymentRetries}"${invalid(p, 'paymentRetries')}>
${fieldError(p, 'paymentRetries')}
${textField('enabledCurrencies', t.currencies, v.enabledCurrencies, p, { help: t.currenciesHelp })}`;
}

/**
 * The PSPID of this environment: held, reserved later (not approved here yet), or taken by another
 * merchant here, with the form that reserves another one.
 */
function pspidLine(locale: Locale, t: MerchantStrings, view: SettingsPageView): SafeHtml {
  const m = view.merchant;
  const held = m.pspids[view.env];
  const head = html`${m.name} · ${t.updated}: ${stamp(locale, view.updatedAt)}`;
  if (held !== undefined) return html`<p>${t.pspid}: <strong data-pspid>${held}</strong>${copyButton(locale, t.pspid)} · ${head}</p>`;
  if (!m.activeEnvironments.includes(view.env))
    return html`<p>${t.pspid}: <strong data-pspid>${m.pspid}</strong> · ${head}</p><p class="notice">${t.pspidPending}</p>`;
  return html`<p>${head}</p>${view.claim ? refusal(view.claim.problem) : ''}
<form method="post" action="/portal/merchants/${m.id}/pspid/${view.env}" data-claim>${csrfField(view.csrf)}
<p>${fill(t.pspidTakenHere, { pspid: m.pspid })}</p>
<label for="claim-pspid">${t.pspid}</label>${pspidInput('claim-pspid', view.claim?.pspid ?? '', view.claim !== undefined)}
<button type="submit">${t.claim}</button></form>`;
}

export function settingsPage(locale: Locale, view: SettingsPageView): SafeHtml {
  const t = strings(locale);
  const m = view.merchant;
  const active = m.activeEnvironments.includes(view.env);
  return html`${envTabs(locale, m.id, view.env)}
${pspidLine(locale, t, view)}
${active ? '' : html`<p class="notice" role="status">${t.envInactive}</p>`}
${view.env === 'prod' && !view.shaInSet ? html`<p class="error" role="alert" data-prod-sha-in>${t.prodNeedsShaIn}</p>` : ''}
${view.notices.map((n) => html`<p class="notice" role="status">${n}</p>`)}
${(view.warnings ?? []).map((w) => html`<p class="warning" role="alert" data-warning>${w}</p>`)}
${view.problems.length ? html`<div class="error"${REFUSAL_ATTRIBUTES}><p>${t.problems}</p><ul>${view.problems.map((pr) => html`<li><a href="#f-${pr.field}">${pr.text}</a></li>`)}</ul></div>` : ''}
<form method="post" action="/portal/merchants/${m.id}/settings/${view.env}" accept-charset="UTF-8">${csrfField(view.csrf)}
${securityGroups(locale, t, view.values, view)}
${feedbackGroup(t, view.values, view)}
${transactionGroup(t, view.values, view.problems)}
<button type="submit">${t.save}</button></form>
${
  view.env === 'test'
    ? html`<h2>${t.copy}</h2><p>${t.copyHelp}</p>
<form method="post" action="/portal/merchants/${m.id}/copy-to-prod">${csrfField(view.csrf)}<button type="submit">${t.copy}</button></form>`
    : ''
}`;
}

/** The answer to *Copy test to production*: the only page that ever shows that passphrase. */
export function copiedPage(locale: Locale, view: { merchant: MerchantHeaderView; shaIn: string | null; prodShaOutSet: boolean }): SafeHtml {
  const t = strings(locale);
  return html`${envTabs(locale, view.merchant.id, null)}
<p class="notice" role="status">${t.copied}</p>
${
  view.shaIn === null
    ? html`<p id="sha-in-kept">${copyStrings(locale).kept}</p>`
    : html`<p>${t.shownOnce}</p>
<p>${t.shaIn} (${t.prod}): <code class="key" data-passphrase="prod-sha-in">${view.shaIn}</code></p>`
}
${view.prodShaOutSet ? '' : html`<p class="notice">${t.prodShaOutMissing}</p>`}
<p><a href="/portal/merchants/${view.merchant.id}/settings/prod">${t.backToProd}</a></p>`;
}
