import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { keysTable, subscriptionSummary, subscriptionTable, type KeyRowView, type Message, type SubscriptionRowView } from './portal.ts';
import { productText, stateLabel, strings } from './strings.ts';
import { refusal } from '../shared/message.ts';
import { messageBox } from '../shared/message.ts';

// Back-office pages: pending requests and decisions, and the product catalogue.

const box = (m?: Message): SafeHtml | string => messageBox(m);
const csrfField = (csrf: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrf}">`;
const STATES = ['submitted', 'active', 'rejected', 'suspended', 'cancelled', 'expired'];

/** The list's search form as typed (empty when not set). */
export interface SubscriptionListFilter {
  state: string;
  env: string;
  q: string;
}

export function adminSubscriptionsPage(
  locale: Locale,
  view: {
    /** Why the search was refused (in the page's language): shown above the search form, focused; no rows. */
    problem?: string;
    pending: SubscriptionRowView[];
    rows: SubscriptionRowView[];
    filter: SubscriptionListFilter;
    olderHref: string | null;
    newestHref: string | null;
  },
): SafeHtml {
  const t = strings(locale);
  const f = view.filter;
  const filtered = f.state !== '' || f.env !== '' || f.q !== '';
  return html`<h2>${t.pending}</h2>
${view.pending.length ? subscriptionTable(locale, view.pending, '/admin', true) : html`<p>${t.noPending}</p>`}
<h2>${t.all}</h2>
${view.problem ? refusal(view.problem) : ''}<form method="get" action="/admin/subscriptions" class="search" aria-label="${t.search}">
<label for="s-q">${t.searchText}</label><input id="s-q" name="q" maxlength="100" value="${f.q}">
<label for="state">${t.filter}</label><select id="state" name="state"><option value="">${t.any}</option>
${STATES.map((s) => html`<option value="${s}"${f.state === s ? ' selected' : ''}>${stateLabel(locale, s)}</option>`)}</select>
<label for="s-env">${t.environment}</label><select id="s-env" name="env"><option value="">${t.anyEnvironment}</option>${(['test', 'prod'] as const).map(
    (e) => html`<option value="${e}"${f.env === e ? ' selected' : ''}>${e === 'test' ? t.test : t.prod}</option>`,
  )}</select>
<button type="submit">${t.search}</button> <a href="/admin/subscriptions">${t.clearSearch}</a></form>
${view.problem ? '' : view.rows.length ? subscriptionTable(locale, view.rows, '/admin', true) : html`<p>${filtered ? t.noMatch : t.noSubscriptions}</p>`}
<p>${view.newestHref ? html`<a href="${view.newestHref}" rel="first">${t.newest}</a> ` : ''}${view.olderHref ? html`<a href="${view.olderHref}" rel="next">${t.older}</a>` : ''}</p>`;
}

export function adminSubscriptionPage(
  locale: Locale,
  view: { subscription: SubscriptionRowView; keys: KeyRowView[]; actions: string[]; csrf: string; message?: Message },
): SafeHtml {
  const t = strings(locale);
  const id = view.subscription.id;
  const simple = (action: 'approve' | 'suspend' | 'reactivate') =>
    view.actions.includes(action)
      ? action === 'suspend'
        ? html`<p><a class="button" href="/admin/subscriptions/${id}/suspend">${t[action]}…</a></p>`
        : html`<form method="post" action="/admin/subscriptions/${id}/${action}">${csrfField(view.csrf)}<button type="submit">${t[action]}</button></form>`
      : '';
  return html`${box(view.message)}
${subscriptionSummary(locale, view.subscription)}
${simple('approve')}
${
  view.actions.includes('reject')
    ? html`<form method="post" action="/admin/subscriptions/${id}/reject">${csrfField(view.csrf)}
<label for="comment">${t.rejectComment}</label><textarea id="comment" name="comment" required maxlength="1000"></textarea><button type="submit">${t.reject}</button></form>`
    : ''
}
${simple('suspend')}${simple('reactivate')}
<h2>${t.keys}</h2>
${keysTable(locale, view.keys)}`;
}

/** The subscriptions section of an organisation's back-office page. */
export function organisationSubscriptionsSection(locale: Locale, rows: SubscriptionRowView[]): SafeHtml {
  return html`<h2>${strings(locale).subscriptions}</h2>${subscriptionTable(locale, rows, '/admin')}`;
}

export interface ProductRowView {
  id: string;
  code: string;
  name: string;
  description: string;
  routeGroups: string[];
  approvalTest: boolean;
  approvalProd: boolean;
  rateLimitPerMinute: number;
}

function productForm(locale: Locale, csrf: string, groups: readonly string[], p: Partial<ProductRowView> & { id?: string }, fourEyes: boolean): SafeHtml {
  const t = strings(locale);
  const key = p.id ?? 'new';
  const checked = (on: boolean | undefined) => (on ? ' checked' : '');
  return html`<form method="post" action="${p.id ? `/admin/products/${p.id}` : '/admin/products'}">${csrfField(csrf)}
<label for="code-${key}">${t.code}</label><input id="code-${key}" name="code" required maxlength="32" value="${p.code ?? ''}">
<label for="name-${key}">${t.product}</label><input id="name-${key}" name="name" required maxlength="100" value="${p.name ?? ''}">
<label for="description-${key}">${t.description}</label><textarea id="description-${key}" name="description" maxlength="500">${p.description ?? ''}</textarea>
<fieldset><legend>${t.routeGroups}</legend>${groups.map((g) => html`<label><input type="checkbox" name="routeGroups" value="${g}"${checked(p.routeGroups?.includes(g))}> <code>${g}</code></label>`)}</fieldset>
<label><input type="checkbox" name="approvalTest" value="1"${checked(p.approvalTest ?? true)}> ${t.approvalTest}</label>
<label><input type="checkbox" name="approvalProd" value="1"${checked(p.approvalProd ?? true)}> ${t.approvalProd}</label>
${fourEyes ? html`<p class="hint">${t.fourEyesProd}</p>` : ''}
<label for="rate-${key}">${t.rateLimit} (${t.perMinute})</label><input id="rate-${key}" name="rateLimitPerMinute" type="number" min="1" max="1000000" required value="${String(p.rateLimitPerMinute ?? 600)}">
<button type="submit">${p.id ? t.save : t.createProduct}</button></form>`;
}

export function productsCataloguePage(
  locale: Locale,
  view: { products: ProductRowView[]; groups: readonly string[]; csrf: string; message?: Message; form?: Partial<ProductRowView>; fourEyes: boolean },
): SafeHtml {
  const t = strings(locale);
  return html`${box(view.message)}
<table><thead><tr><th>${t.code}</th><th>${t.product}</th><th>${t.routeGroups}</th><th>${t.approvalTest}</th><th>${t.approvalProd}</th><th>${t.rateLimit}</th></tr></thead><tbody>
${view.products.map(
  (
    p,
  ) => html`<tr><td><code>${p.code}</code></td><td>${productText(locale, p.name)}</td><td>${p.routeGroups.map((g, i) => html`${i > 0 ? ', ' : ''}<code>${g}</code>`)}</td><td>${p.approvalTest ? t.yes : t.no}</td>
<td>${p.approvalProd ? t.yes : view.fourEyes ? t.yesFourEyes : t.no}</td><td>${String(p.rateLimitPerMinute)} ${t.perMinute}</td></tr>`,
)}
</tbody></table>
${view.products.map((p) => html`<details><summary>${productText(locale, p.name)} (<code>${p.code}</code>)</summary>${productForm(locale, view.csrf, view.groups, view.form?.id === p.id ? { ...p, ...view.form } : p, view.fourEyes)}</details>`)}
<h2>${t.newProduct}</h2>
${productForm(locale, view.csrf, view.groups, view.form?.id ? {} : (view.form ?? {}), view.fourEyes)}`;
}
