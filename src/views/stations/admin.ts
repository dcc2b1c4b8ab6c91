import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { when } from './checks.ts';
import { envLabel, stationTable, type StationRowView } from './pages.ts';
import { problemText, stationStrings } from './strings.ts';
import { queueStrings } from '../admin/queues.ts';
import { refusal } from '../shared/message.ts';

// Back office parts of the station pages: the list with its "to check" filter, the review,
// settings and host-sharing forms of a station, and the trusted CAs per environment and organisation.

export type AdminStationFilter = 'all' | 'to_check' | 'failing';

export function adminStationsPage(locale: Locale, rows: StationRowView[], filter: AdminStationFilter): SafeHtml {
  const t = stationStrings(locale);
  const q = queueStrings(locale);
  const current = (f: AdminStationFilter) => (filter === f ? html` aria-current="page"` : '');
  const none = filter === 'to_check' ? t.noneToCheck : filter === 'failing' ? q.noneFailing : '';
  return html`<p><a href="/admin/stations?filter=to_check"${current('to_check')}>${t.toCheck}</a> · <a href="/admin/stations?filter=failing"${current('failing')}>${q.names.stationsFailing}</a> · <a href="/admin/stations"${current('all')}>${t.all}</a></p>
${filter !== 'all' && rows.length === 0 ? html`<p>${none}</p>` : stationTable(locale, rows, '/admin/stations', true)}`;
}

export interface AdminStationForms {
  csrf: string;
  stationId: string;
  /** The version waiting for a review, when one does: the review form names it, so only it is decided. */
  reviewVersionId: string | undefined;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** An administrator allowed other organisations' stations to share this station's hosts. */
  sharedHostAllowed: boolean;
  reviewProblem?: string | undefined;
}

export function adminStationForms(locale: Locale, f: AdminStationForms): SafeHtml {
  const t = stationStrings(locale);
  return html`${
    f.reviewVersionId !== undefined || f.reviewProblem
      ? html`<h2>${t.review}</h2>
${f.reviewProblem ? refusal(problemText(locale, f.reviewProblem)) : ''}
${
  f.reviewVersionId === undefined
    ? ''
    : html`<form method="post" action="/admin/stations/${f.stationId}/review" class="review-form">
<input type="hidden" name="_csrf" value="${f.csrf}"><input type="hidden" name="versionId" value="${f.reviewVersionId}">
<label for="note">${t.reviewNote}</label><textarea id="note" name="note" rows="3" maxlength="2000"></textarea>
<button type="submit" name="action" value="approve" id="approve">${t.approve}</button>
<button type="submit" name="action" value="request_changes" id="request-changes">${t.requestChanges}</button>
</form>`
}`
      : ''
  }
<h2>${t.settings}</h2>
<form method="post" action="/admin/stations/${f.stationId}/settings" class="settings-form">
<input type="hidden" name="_csrf" value="${f.csrf}">
<label for="connectTimeoutMs">${t.connectTimeout}</label><input id="connectTimeoutMs" name="connectTimeoutMs" inputmode="numeric" value="${String(f.connectTimeoutMs)}">
<label for="responseTimeoutMs">${t.responseTimeout}</label><input id="responseTimeoutMs" name="responseTimeoutMs" inputmode="numeric" value="${String(f.responseTimeoutMs)}">
<button type="submit">${t.save}</button>
</form>
<h2>${t.sharedHost}</h2>
<p data-shared-host="${f.sharedHostAllowed ? 'allowed' : 'refused'}">${f.sharedHostAllowed ? t.sharedHostOn : t.sharedHostOff}</p>
<form method="post" action="/admin/stations/${f.stationId}/shared-host" class="shared-host-form">
<input type="hidden" name="_csrf" value="${f.csrf}"><input type="hidden" name="sharedHostAllowed" value="${f.sharedHostAllowed ? '' : '1'}">
<button type="submit" id="shared-host">${f.sharedHostAllowed ? t.sharedHostRevoke : t.sharedHostAllow}</button>
</form>`;
}

export interface TrustedCaView {
  id: string;
  subject: string;
  fingerprint: string;
  notAfter: Date;
  addedAt: Date;
  /** null: trusted for every organisation. */
  organisation: { id: string; name: string } | null;
}

export interface TrustedCasInput {
  csrf: string;
  cas: Record<'test' | 'prod', TrustedCaView[]>;
  organisations: Array<{ id: string; name: string }>;
  problem?: string | undefined;
  form?: { environment: string; scope: string; pem: string };
  notice?: string | undefined;
}

/** Whom a CA is for: nothing is preselected, so trusting a CA for everyone is always a deliberate choice. */
function scopeSelect(locale: Locale, input: TrustedCasInput): SafeHtml {
  const t = stationStrings(locale);
  const chosen = input.form?.scope ?? '';
  const option = (value: string, label: string): SafeHtml => html`<option value="${value}"${chosen === value ? ' selected' : ''}>${label}</option>`;
  return html`<label for="scope">${t.trustedFor}</label><select id="scope" name="scope" required>
${option('', t.chooseScope)}${input.organisations.map((o) => option(o.id, o.name))}${option('*', t.allOrganisations)}</select>`;
}

export function trustedCasPage(locale: Locale, input: TrustedCasInput): SafeHtml {
  const t = stationStrings(locale);
  const section = (env: 'test' | 'prod'): SafeHtml => {
    const rows = input.cas[env];
    return html`<h2>${envLabel(locale, env)}</h2>
${
  rows.length === 0
    ? html`<p>${t.noCas}</p>`
    : html`<table data-env="${env}"><thead><tr><th>${t.subject}</th><th>${t.trustedFor}</th><th>${t.fingerprint}</th><th>${t.expires}</th><th>${t.added}</th><th></th></tr></thead><tbody>
${rows.map(
  (
    ca,
  ) => html`<tr data-ca="${ca.id}" data-organisation="${ca.organisation?.id ?? '*'}"><td>${ca.subject}</td><td>${ca.organisation?.name ?? t.allOrganisations}</td><td><code>${ca.fingerprint}</code></td><td>${when(locale, ca.notAfter)}</td><td>${when(locale, ca.addedAt)}</td>
<td><a class="button" href="/admin/trust/${ca.id}/remove">${t.remove}…</a></td></tr>`,
)}
</tbody></table>`
}`;
  };
  return html`${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}<p>${t.trustedIntro}</p>
${section('test')}${section('prod')}
<h2>${t.addCa}</h2>
${input.problem ? refusal(problemText(locale, input.problem)) : ''}
<form method="post" action="/admin/trust">
<input type="hidden" name="_csrf" value="${input.csrf}">
<label for="environment">${t.environment}</label><select id="environment" name="environment">
<option value="test"${input.form?.environment === 'prod' ? '' : ' selected'}>${t.test}</option><option value="prod"${input.form?.environment === 'prod' ? ' selected' : ''}>${t.prod}</option></select>
${scopeSelect(locale, input)}
<label for="pem">${t.pem}</label><textarea id="pem" name="pem" rows="10" required class="pem">${input.form?.pem ?? ''}</textarea>
<button type="submit">${t.add}</button>
</form>`;
}
