import { html, type SafeHtml } from '../html.ts';
import { copyButton } from '../shared/copy.ts';
import type { Locale } from '../i18n.ts';
import { checkDetail, checkHistory, inboundSection, pendingCheckSection, when, type CheckView, type PingHint } from './checks.ts';
import { problemText, stationStrings } from './strings.ts';
import { refusal, REFUSAL_ATTRIBUTES } from '../shared/message.ts';

// Station pages shared by the developer portal and the back office: the list, the register and
// edit forms, and the detail page (versions, review notes, Verify, the latest check, history).

export interface EndpointView {
  url: string;
  ip: string;
  port: number;
}

export interface VersionView {
  id: string;
  version: number;
  state: string;
  primary: EndpointView;
  secondary: EndpointView | undefined;
  reviewNote: string | null;
  submittedAt: Date;
  reviewedAt: Date | null;
}

export interface StationRowView {
  id: string;
  code: string;
  environment: string;
  organisationName: string;
  /** State of the version under review, if any (to_check, to_fix). */
  pendingState: string | null;
  approved: boolean;
  connectionState: string;
  flaggedAt: Date | null;
  primaryUrl: string | null;
}

export interface StationView {
  id: string;
  code: string;
  environment: string;
  organisationName: string;
  connectionState: string;
  lastCheckAt: Date | null;
  flaggedAt: Date | null;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  approved: VersionView | undefined;
  pending: VersionView | undefined;
  versions: VersionView[];
  checks: CheckView[];
  /** The organisation's last successful ping in the environment, when no check shows it yet. */
  lastPingAt: string | null;
}

export interface FormProblem {
  field: string;
  problem: string;
}

/** A field's problems beside it (the summary at the top announces them and takes the focus). */
const errorList = (locale: Locale, problems: FormProblem[], field: string): SafeHtml | string => {
  const shown = problems.filter((p) => p.field === field);
  return shown.length === 0 ? '' : html`<ul class="error">${shown.map((p) => html`<li>${problemText(locale, p.problem)}</li>`)}</ul>`;
};

/** Every problem of a refused form once, at its top: announced and focused (one per page). */
const errorSummary = (locale: Locale, problems: FormProblem[]): SafeHtml | string =>
  problems.length === 0 ? '' : html`<ul class="error"${REFUSAL_ATTRIBUTES}>${problems.map((p) => html`<li>${problemText(locale, p.problem)}</li>`)}</ul>`;

export function envLabel(locale: Locale, env: string): string {
  const t = stationStrings(locale);
  return env === 'prod' ? t.prod : env === 'test' ? t.test : env;
}

export function reviewLabel(locale: Locale, row: { pendingState: string | null; approved: boolean }): string {
  const t = stationStrings(locale);
  if (row.pendingState === null) return row.approved ? t.approved : '';
  const pending = row.pendingState === 'to_fix' ? t.to_fix : t.to_check;
  return row.approved ? `${t.approved}; ${t.underReview} (${pending})` : pending;
}

export function connectionLabel(locale: Locale, state: string, flaggedAt: Date | null): string {
  const t = stationStrings(locale);
  const label = state === 'verified' ? t.verified : state === 'failing' ? t.failing : t.unverified;
  return flaggedAt ? `${label} · ${t.flagged.replace('{at}', when(locale, flaggedAt))}` : label;
}

export function stationTable(locale: Locale, rows: StationRowView[], base: string, showOrganisation: boolean): SafeHtml {
  const t = stationStrings(locale);
  if (rows.length === 0) return html`<p>${t.none}</p>`;
  return html`<table class="stations"><thead><tr><th>${t.code}</th>${showOrganisation ? html`<th>${t.organisation}</th>` : ''}<th>${t.environment}</th><th>${t.review}</th><th>${t.connection}</th><th>URL</th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr data-station="${r.code}"><td><a href="${base}/${r.id}">${r.code}</a></td>${showOrganisation ? html`<td>${r.organisationName}</td>` : ''}
<td>${envLabel(locale, r.environment)}</td><td data-review>${reviewLabel(locale, r)}</td><td data-connection="${r.connectionState}">${connectionLabel(locale, r.connectionState, r.flaggedAt)}</td><td><code>${r.primaryUrl ?? ''}</code></td></tr>`,
)}
</tbody></table>`;
}

/** Stations grouped by environment (portal). */
export function stationsByEnvironment(locale: Locale, rows: StationRowView[], base: string): SafeHtml {
  return html`${(['test', 'prod'] as const).map(
    (env) =>
      html`<h2>${envLabel(locale, env)}</h2>${stationTable(
        locale,
        rows.filter((r) => r.environment === env),
        base,
        false,
      )}`,
  )}`;
}

export interface StationForm {
  code?: string;
  environment?: string;
  primaryUrl?: string;
  primaryIp?: string;
  primaryPort?: string;
  secondaryUrl?: string;
  secondaryIp?: string;
  secondaryPort?: string;
}

function endpointFields(locale: Locale, role: 'primary' | 'secondary', form: StationForm, problems: FormProblem[]): SafeHtml {
  const t = stationStrings(locale);
  const v =
    role === 'primary'
      ? { url: form.primaryUrl, ip: form.primaryIp, port: form.primaryPort }
      : { url: form.secondaryUrl, ip: form.secondaryIp, port: form.secondaryPort };
  const required = role === 'primary';
  return html`<fieldset><legend>${role === 'primary' ? t.primary : t.secondary}</legend>${errorList(locale, problems, role)}
<label for="${role}Url">${t.url}</label><input id="${role}Url" name="${role}Url" type="url" inputmode="url" ${required ? 'required' : ''} maxlength="500" value="${v.url ?? ''}" placeholder="https://pa.example.it/node">
<label for="${role}Ip">${t.ip}</label><input id="${role}Ip" name="${role}Ip" ${required ? 'required' : ''} maxlength="45" value="${v.ip ?? ''}" placeholder="203.0.113.10">
<label for="${role}Port">${t.port}</label><input id="${role}Port" name="${role}Port" inputmode="numeric" ${required ? 'required' : ''} maxlength="5" value="${v.port ?? ''}" placeholder="443">
</fieldset>`;
}

/** Register (no station yet: code and environment) or edit (endpoints only). */
export function stationFormPage(locale: Locale, input: { action: string; csrf: string; form: StationForm; problems: FormProblem[]; isNew: boolean }): SafeHtml {
  const t = stationStrings(locale);
  const { form, problems } = input;
  return html`${errorSummary(locale, problems)}
<form method="post" action="${input.action}" class="station-form">
<input type="hidden" name="_csrf" value="${input.csrf}">
${
  input.isNew
    ? html`${errorList(locale, problems, 'code')}
<label for="code">${t.code}</label><input id="code" name="code" required maxlength="40" value="${form.code ?? ''}" placeholder="15376371009_01">
<label for="environment">${t.environment}</label><select id="environment" name="environment">
<option value="test"${form.environment === 'prod' ? '' : ' selected'}>${t.test}</option><option value="prod"${form.environment === 'prod' ? ' selected' : ''}>${t.prod}</option></select>`
    : ''
}
${endpointFields(locale, 'primary', form, problems)}
${endpointFields(locale, 'secondary', form, problems)}
<button type="submit">${input.isNew ? t.registerSubmit : t.editSubmit}</button>
</form>`;
}

/** An endpoint's URL and address; with `copyIn`, a copy button for the URL in that language. */
const endpointText = (e: EndpointView | undefined, none: string, copyIn?: Locale): SafeHtml | string =>
  e ? html`<code>${e.url}</code>${copyIn ? copyButton(copyIn, 'URL') : ''} → <code>${e.ip}:${e.port}</code>` : none;

function versionsTable(locale: Locale, versions: VersionView[]): SafeHtml {
  const t = stationStrings(locale);
  const state = (s: string): string => (t as Record<string, string>)[s] ?? s;
  return html`<table class="versions"><thead><tr><th>${t.version}</th><th>${t.state}</th><th>${t.primary}</th><th>${t.secondary.replace(/,.*$/, '')}</th><th>${t.submitted}</th><th>${t.reviewed}</th><th>${t.note}</th></tr></thead><tbody>
${versions.map(
  (v) => html`<tr data-version="${v.version}" data-state="${v.state}"><td>${v.version}</td><td>${state(v.state)}</td><td>${endpointText(v.primary, '')}</td>
<td>${endpointText(v.secondary, t.secondaryNone)}</td><td>${when(locale, v.submittedAt)}</td><td>${when(locale, v.reviewedAt)}</td><td class="review-note">${v.reviewNote ?? ''}</td></tr>`,
)}
</tbody></table>`;
}

export interface DetailOptions {
  csrf: string;
  /** `/portal/stations/<id>` or `/admin/stations/<id>`. */
  base: string;
  ping: PingHint;
  notice?: string | undefined;
  error?: string | undefined;
  /** Back office only: review and settings forms. */
  extra?: SafeHtml | undefined;
  /** Portal only: link to the edit form. */
  editable?: boolean;
  /** Back office only: check the version under review (referents verify reviewed addresses only). */
  verifyPending?: boolean;
}

export function stationDetailPage(locale: Locale, s: StationView, options: DetailOptions): SafeHtml {
  const t = stationStrings(locale);
  // The header's state is the approved version's: a check of the version under review is shown in
  // its own section, never as "the last check" under a header that says verified.
  const ofPending = (c: CheckView): boolean => s.pending !== undefined && c.versionId === s.pending.id;
  const latest = s.checks.find((c) => !ofPending(c));
  const pendingCheck = s.checks.find(ofPending);
  return html`${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}${options.error ? refusal(options.error) : ''}
<p>${t.organisation}: <strong>${s.organisationName}</strong> · ${t.environment}: ${envLabel(locale, s.environment)} · ${t.review}: <span data-review>${reviewLabel(locale, { pendingState: s.pending?.state ?? null, approved: s.approved !== undefined })}</span>
 · ${t.connection}: <strong data-connection="${s.connectionState}">${connectionLabel(locale, s.connectionState, s.flaggedAt)}</strong></p>
<h2>${t.approvedServing}</h2>
${s.approved ? html`<p>${t.primary}: ${endpointText(s.approved.primary, '', locale)}<br>${t.secondary.replace(/,.*$/, '')}: ${endpointText(s.approved.secondary, t.secondaryNone)}</p>` : html`<p>${t.noApproved}</p>`}
${
  s.pending
    ? html`<h2>${t.pendingVersion}</h2><p>${t.primary}: ${endpointText(s.pending.primary, '')}<br>${t.secondary.replace(/,.*$/, '')}: ${endpointText(s.pending.secondary, t.secondaryNone)}</p>
${s.pending.reviewNote ? html`<p class="error review-note">${t.note}: ${s.pending.reviewNote}</p>` : ''}
${pendingCheck ? pendingCheckSection(locale, pendingCheck) : ''}
${options.verifyPending ? html`<form method="post" action="${options.base}/verify?version=pending"><input type="hidden" name="_csrf" value="${options.csrf}"><p>${t.verifyPendingHint}</p><button type="submit" id="verify-pending">${t.verifyPending}</button></form>` : ''}`
    : ''
}
${options.editable ? html`<p><a href="${options.base}/edit">${t.edit}</a></p>` : ''}
<h2>${t.verify}</h2>
${s.approved ? html`<form method="post" action="${options.base}/verify"><input type="hidden" name="_csrf" value="${options.csrf}"><p>${t.verifyHint}</p><button type="submit" id="verify">${t.verify}</button></form>` : html`<p>${t.notApproved}</p>`}
${latest ? checkDetail(locale, latest, options.ping) : inboundSection(locale, { ok: s.lastPingAt !== null, lastPingAt: s.lastPingAt }, options.ping)}
${options.extra ?? ''}
<h2>${t.versions}</h2>
${versionsTable(locale, s.versions)}
<h2>${t.checks}</h2>
${checkHistory(locale, s.checks)}`;
}
