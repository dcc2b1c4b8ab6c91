import { html, type SafeHtml } from '../html.ts';
import { copyButton } from '../shared/copy.ts';
import type { Locale } from '../i18n.ts';
import { productText, stateLabel, strings, when } from './strings.ts';
import { messageBox } from '../shared/message.ts';

// Developer portal pages: products the referent may subscribe to, their subscriptions, and keys.

export interface ProductCard {
  id: string;
  code: string;
  name: string;
  description: string;
  approvalTest: boolean;
  approvalProd: boolean;
}
export interface SubscriptionRowView {
  id: string;
  name: string;
  organisationName: string;
  productName: string;
  environment: 'test' | 'prod';
  state: string;
  stateComment: string | null;
  createdAt: Date;
  inboundVerifiedAt: Date | null;
}
export interface KeyRowView {
  slot: 'primary' | 'secondary';
  masked: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  validUntil: Date | null;
  current: boolean;
}
export interface Message {
  kind: 'notice' | 'error';
  text: string;
}

const box = (m?: Message): SafeHtml | string => messageBox(m);
const csrfField = (csrf: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export function productsPage(
  locale: Locale,
  view: { products: ProductCard[]; csrf: string; message?: Message; form?: { productId?: string; name?: string } },
): SafeHtml {
  const t = strings(locale);
  if (view.products.length === 0) return html`<p>${t.noProducts}</p>`;
  return html`${box(view.message)}
${view.products.map(
  (p) => html`<section>
<h2>${productText(locale, p.name)} <small><code>${p.code}</code></small></h2>
<p>${productText(locale, p.description)}</p>
<p>${t.test}: ${p.approvalTest ? t.approvalNeeded : t.approvalNotNeeded} · ${t.prod}: ${p.approvalProd ? t.approvalNeeded : t.approvalNotNeeded}</p>
<form method="post" action="/portal/subscriptions">${csrfField(view.csrf)}<input type="hidden" name="productId" value="${p.id}">
<label for="env-${p.id}">${t.environment}</label><select id="env-${p.id}" name="environment"><option value="test">${t.test}</option><option value="prod">${t.prod}</option></select>
<label for="name-${p.id}">${t.name}</label><input id="name-${p.id}" name="name" required maxlength="100" value="${view.form?.productId === p.id ? (view.form.name ?? '') : ''}">
<button type="submit">${t.subscribe}</button></form>
</section>`,
)}`;
}

export function subscriptionTable(locale: Locale, rows: SubscriptionRowView[], base: '/portal' | '/admin', withOrganisation = false): SafeHtml {
  const t = strings(locale);
  if (rows.length === 0) return html`<p>${t.noSubscriptions}</p>`;
  return html`<table><thead><tr><th>${t.subscription}</th>${withOrganisation ? html`<th>${t.organisation}</th>` : ''}<th>${t.product}</th><th>${t.environment}</th><th>${t.state}</th><th>${t.created}</th><th>${t.lastPing}</th></tr></thead><tbody>
${rows.map(
  (
    s,
  ) => html`<tr><td><a href="${base}/subscriptions/${s.id}">${s.name}</a></td>${withOrganisation ? html`<td>${s.organisationName}</td>` : ''}<td>${productText(locale, s.productName)}</td>
<td>${s.environment === 'test' ? t.test : t.prod}</td><td data-state="${s.state}">${stateLabel(locale, s.state)}</td><td>${when(locale, s.createdAt)}</td><td>${when(locale, s.inboundVerifiedAt, true)}</td></tr>`,
)}
</tbody></table>`;
}

export function subscriptionSummary(locale: Locale, s: SubscriptionRowView): SafeHtml {
  const t = strings(locale);
  return html`<p><code>${s.id}</code> · ${t.product}: <strong>${productText(locale, s.productName)}</strong> · ${t.environment}: ${s.environment === 'test' ? t.test : t.prod}
 · ${t.state}: <strong data-state="${s.state}">${stateLabel(locale, s.state)}</strong>${s.stateComment ? html` · ${s.state === 'suspended' ? t.suspendedBecause : s.state === 'rejected' ? t.rejectedBecause : t.stateComment}: ${s.stateComment}` : ''}</p>
<p>${t.organisation}: ${s.organisationName} · ${t.created}: ${when(locale, s.createdAt)} · ${t.lastPing}: <span id="last-ping">${when(locale, s.inboundVerifiedAt, true)}</span></p>`;
}

export function keysTable(locale: Locale, keys: KeyRowView[]): SafeHtml {
  const t = strings(locale);
  return html`<table><thead><tr><th></th><th>${t.key}</th><th>${t.created}</th><th>${t.lastUsed}</th><th>${t.validUntil}</th></tr></thead><tbody>
${keys.map(
  (
    k,
  ) => html`<tr><td>${k.slot === 'primary' ? t.primary : t.secondary}${k.current ? '' : ` (${t.old})`}</td><td>${k.masked ? html`<code>${k.masked}</code>` : t.notRevealed}</td>
<td>${k.masked ? when(locale, k.createdAt) : ''}</td><td>${k.masked ? (k.lastUsedAt ? when(locale, k.lastUsedAt, true) : t.lastUsedNever) : ''}</td><td>${k.validUntil ? when(locale, k.validUntil) : ''}</td></tr>`,
)}
</tbody></table>`;
}

export interface PortalSubscriptionView {
  subscription: SubscriptionRowView;
  keys: KeyRowView[];
  csrf: string;
  canReveal: boolean;
  canRegenerate: boolean;
  canCancel: boolean;
  message?: Message;
}

export function portalSubscriptionPage(locale: Locale, view: PortalSubscriptionView): SafeHtml {
  const t = strings(locale);
  const id = view.subscription.id;
  const current = (slot: 'primary' | 'secondary') => view.keys.find((k) => k.slot === slot && k.current);
  const slotForms = (slot: 'primary' | 'secondary') => html`<h3>${slot === 'primary' ? t.primary : t.secondary}</h3>
${view.canReveal && current(slot)?.masked === null ? html`<form method="post" action="/portal/subscriptions/${id}/keys/${slot}/reveal">${csrfField(view.csrf)}<button type="submit">${t.reveal}</button></form>` : ''}
${view.canRegenerate ? html`<p><a class="button" href="/portal/subscriptions/${id}/keys/${slot}/regenerate">${t.regenerate}…</a></p>` : ''}`;
  return html`${box(view.message)}
${subscriptionSummary(locale, view.subscription)}
<h2>${t.keys}</h2>
${keysTable(locale, view.keys)}
${view.canReveal || view.canRegenerate ? html`${slotForms('primary')}${slotForms('secondary')}` : html`<p>${t.revealAfterActivation}</p>`}
${
  view.canCancel
    ? html`<h2>${t.cancel}</h2><p>${t.cancelConfirm}</p>
<p><a class="button" href="/portal/subscriptions/${id}/cancel">${t.cancel}…</a></p>`
    : ''
}`;
}

/** The only page that ever shows a plain key: the answer to the POST that created it (never cached). */
export function keyShownPage(
  locale: Locale,
  view: {
    subscriptionId: string;
    slot: 'primary' | 'secondary';
    key: string;
    previousValidUntil: Date | null;
    apiUrl: string;
    /** The development CA for curl to trust (never -k); undefined when the server has an operator certificate. */
    caFile: string | undefined;
  },
): SafeHtml {
  const t = strings(locale);
  return html`<p class="notice" role="status">${t.shownOnce}</p>
<p>${view.slot === 'primary' ? t.primary : t.secondary}:</p>
<p><code class="key" data-key="${view.slot}">${view.key}</code>${copyButton(locale, view.slot === 'primary' ? t.primary : t.secondary)}</p>
${view.previousValidUntil ? html`<p>${t.validUntil}: ${when(locale, view.previousValidUntil)}</p>` : ''}
<p>${t.ping}: <code>curl ${view.caFile ? `--cacert ${view.caFile} ` : ''}-H "Ocp-Apim-Subscription-Key: …" ${view.apiUrl}/api/v1/ping</code></p>
<p>URL: <code data-api-url>${view.apiUrl}/api/v1</code>${copyButton(locale, 'URL')}</p>
<p><a href="/portal/subscriptions/${view.subscriptionId}">${t.backToSubscription}</a></p>`;
}
