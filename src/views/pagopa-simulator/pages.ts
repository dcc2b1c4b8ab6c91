import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime, formatNumber } from '../format.ts';
import { fill, simulatorStrings, type SimulatorStrings } from './strings.ts';
import { refusal, REFUSAL_ATTRIBUTES } from '../shared/message.ts';

// The test EC scenarios pages: the simulated station's settings and its ordered scenarios (portal,
// with forms; back office, read-only when no CSRF token is given), and the scenario form.

const PRIMITIVE_KEYS = ['verify', 'getPayment', 'receipt'] as const;
const ANSWER_KEYS = ['payable', 'unknown', 'expired', 'cancelled', 'duplicate'] as const;

export interface ScenarioRowView {
  id: string;
  pattern: string;
  answer: string;
  /** Payable only, as the page's language writes money: `150,00 €`, `€150.00`. */
  amount?: string;
  transfers: number;
  delayMs: number;
  delayOn: readonly string[];
  malformedOn: readonly string[];
  refuseReceipts: number;
  refuseWith: string;
  /** Position (1-based) of an earlier scenario that hides this one. */
  shadowedBy?: number;
}

export interface SimulatorPageView {
  eligibility: 'eligible' | 'not_creditor_institution' | 'no_fiscal_code';
  ec?: { fiscalCode: string; name: string };
  enabled: boolean;
  primitiveVersion: 1 | 2;
  version: number;
  updatedAt?: Date;
  scenarios: ScenarioRowView[];
  /** As the page's language writes money. */
  defaultAmount: string;
  defaultIban: string;
  /** Where the forms post: `/portal/pagopa/simulator`. */
  base: string;
  /** Absent: read-only (back office). */
  csrf?: string;
  /** The institution is not registered as an EC in test: the node answers PPT_DOMINIO_SCONOSCIUTO until it is. */
  unregistered?: boolean;
  /** Registered in test but disabled: the node answers PPT_DOMINIO_DISABILITATO until it is enabled again. */
  ecDisabled?: boolean;
  notice?: string;
  error?: string;
  /** The settings form's refused fields (`primitiveVersion`), in the page's language. */
  problems?: ReadonlyArray<{ field: string; text: string }>;
}

const label = (t: SimulatorStrings, key: string): string => (t as Record<string, string>)[key] ?? key;
const hidden = (csrf: string, version: number): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${version}">`;

function alerts(view: { notice?: string | undefined; error?: string | undefined }): SafeHtml {
  return html`${view.error ? refusal(view.error) : ''}${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}`;
}

function summary(locale: Locale, t: SimulatorStrings, s: ScenarioRowView): string {
  const on = (list: readonly string[]) => list.map((p) => label(t, `prim_${p}`)).join(', ');
  return [
    s.delayMs > 0 ? fill(t.slowSummary, { ms: formatNumber(locale, s.delayMs), on: on(s.delayOn) }) : '',
    s.malformedOn.length > 0 ? fill(t.malformedSummary, { on: on(s.malformedOn) }) : '',
    s.refuseReceipts > 0 ? fill(t.refuseSummary, { n: s.refuseReceipts, how: label(t, `refuse_${s.refuseWith}`) }) : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function rowActions(t: SimulatorStrings, view: SimulatorPageView, s: ScenarioRowView, index: number): SafeHtml {
  if (view.csrf === undefined) return html``;
  const csrf = view.csrf;
  const action = (path: string, text: string, fields: SafeHtml = html``) =>
    html`<form method="post" action="${view.base}/scenarios/${s.id}/${path}" class="inline">${hidden(csrf, view.version)}${fields}<button type="submit" class="small">${text}</button></form>`;
  return html`<td><a href="${view.base}/scenarios/${s.id}">${t.edit}</a>
${index > 0 ? action('move', `\u2191 ${t.up}`, html`<input type="hidden" name="direction" value="up">`) : ''}
${index < view.scenarios.length - 1 ? action('move', `\u2193 ${t.down}`, html`<input type="hidden" name="direction" value="down">`) : ''}
${action('delete', t.remove)}</td>`;
}

function scenarioTable(locale: Locale, t: SimulatorStrings, view: SimulatorPageView): SafeHtml {
  if (view.scenarios.length === 0) return html`<p>${t.none}</p>`;
  return html`<p>${t.order}</p><table><thead><tr><th>${t.position}</th><th>${t.pattern}</th><th>${t.answer}</th><th>${t.amountColumn}</th><th>${t.behaviour}</th>${view.csrf === undefined ? '' : html`<th>${t.actions}</th>`}</tr></thead><tbody>
${view.scenarios.map(
  (
    s,
    i,
  ) => html`<tr data-scenario="${s.id}"><td>${i + 1}</td><td><code data-pattern>${s.pattern}</code>${s.shadowedBy ? html` <small class="verdict-warning">(${fill(t.shadowed, { n: s.shadowedBy })})</small>` : ''}</td>
<td>${label(t, `answers_${s.answer}`)}</td><td>${s.amount ?? ''}${s.amount && s.transfers > 1 ? ` (${s.transfers})` : ''}</td><td>${summary(locale, t, s)}</td>${rowActions(t, view, s, i)}</tr>`,
)}
</tbody></table>`;
}

function settingsBlock(t: SimulatorStrings, view: SimulatorPageView): SafeHtml {
  const state = html`<p>${t.status}: <strong data-enabled="${view.enabled ? 'on' : 'off'}">${view.enabled ? t.on : t.off}</strong> · ${t.version}: <strong data-version="${view.primitiveVersion}">${view.primitiveVersion}</strong></p>`;
  if (view.csrf === undefined) return state;
  const problems = view.problems ?? [];
  const radio = (v: 1 | 2, text: string) =>
    html`<label><input type="radio" name="primitiveVersion" value="${v}"${view.primitiveVersion === v ? html` checked` : ''}${invalid(problems, 'primitiveVersion')}> ${text}</label>`;
  return html`${state}<form method="post" action="${view.base}/settings">${hidden(view.csrf, view.version)}
<label><input type="checkbox" name="enabled" value="on"${view.enabled ? html` checked` : ''}> ${t.switchOn}</label>
<fieldset id="f-primitiveVersion"><legend>${t.version}</legend>${radio(1, t.version1)}${radio(2, t.version2)}${fieldError(problems, 'primitiveVersion')}<p><small>${t.versionHelp}</small></p></fieldset>
<button type="submit">${t.save}</button></form>`;
}

export function simulatorPage(locale: Locale, view: SimulatorPageView): SafeHtml {
  const t = simulatorStrings(locale);
  if (view.eligibility !== 'eligible' || !view.ec) {
    // The portal speaks to the organisation's referent; the back office (read-only) to an administrator.
    const [noFiscalCode, notEc] = view.csrf === undefined ? [t.adminNoFiscalCode, t.adminNotEc] : [t.noFiscalCode, t.notEc];
    return html`<p class="notice" role="status">${view.eligibility === 'no_fiscal_code' ? noFiscalCode : notEc}</p>`;
  }
  return html`${alerts(view)}${view.unregistered ? html`<p class="error" role="alert" data-unregistered>${t.unregistered} <a href="/portal/pagopa#env-test">${t.unregisteredLink}</a></p>` : ''}${view.ecDisabled ? html`<p class="error" role="alert" data-ec-disabled>${t.ecDisabled} <a href="/portal/pagopa#env-test">${t.ecDisabledLink}</a></p>` : ''}${view.csrf === undefined ? html`<p>${t.readOnly}</p>` : html`<p>${t.intro}</p>`}
<p><small>${t.testOnly}</small></p>
<p>${t.institution}: <strong>${view.ec.name}</strong> · ${t.fiscalCode}: <code>${view.ec.fiscalCode}</code>${view.updatedAt ? html` · ${t.updated}: ${formatDateTime(locale, view.updatedAt, { seconds: true })}` : ''}</p>
<h2>${t.settings}</h2>${settingsBlock(t, view)}
<h2>${t.scenarios}</h2>${scenarioTable(locale, t, view)}
${view.csrf === undefined ? '' : html`<p><a href="${view.base}/scenarios/new">${t.add}</a></p>`}
<h3>${t.defaultTitle}</h3><p data-default>${fill(t.defaultText, { amount: view.defaultAmount, iban: view.defaultIban })}</p>
<p><small>${t.patternHelp}</small></p>`;
}

export interface ScenarioFormValues {
  pattern: string;
  answer: string;
  amount: string;
  description: string;
  companyName: string;
  dueDate: string;
  transfers: ReadonlyArray<{ amount: string; fiscalCode: string; iban: string; remittance: string; category: string }>;
  delayMs: string;
  delayOn: readonly string[];
  malformedOn: readonly string[];
  refuseReceipts: string;
  refuseWith: string;
}

export interface ScenarioFormView {
  action: string;
  back: string;
  values: ScenarioFormValues;
  problems: ReadonlyArray<{ field: string; text: string }>;
  csrf: string;
  version: number;
  error?: string;
}

type Problems = ScenarioFormView['problems'];
const fieldError = (problems: Problems, field: string): SafeHtml | string => {
  const mine = problems.filter((p) => p.field === field);
  return mine.length ? html`<p class="error" id="err-${field}">${mine.map((p) => p.text).join(' · ')}</p>` : '';
};
const invalid = (problems: Problems, field: string): SafeHtml | string =>
  problems.some((p) => p.field === field) ? html` aria-invalid="true" aria-describedby="err-${field}"` : '';

function input(name: string, text: string, value: string, problems: Problems, extra: SafeHtml = html``): SafeHtml {
  return html`<label for="f-${name}">${text}</label><input id="f-${name}" name="${name}" value="${value}"${invalid(problems, name)}${extra}>${fieldError(problems, name)}`;
}

function checks(t: SimulatorStrings, name: string, legend: string, chosen: readonly string[], problems: Problems): SafeHtml {
  return html`<fieldset id="f-${name}"><legend>${legend}</legend>${PRIMITIVE_KEYS.map((p) => html`<label><input type="checkbox" name="${name}" value="${p}"${chosen.includes(p) ? html` checked` : ''}> ${label(t, `prim_${p}`)}</label>`)}${fieldError(problems, name)}</fieldset>`;
}

function transferRows(t: SimulatorStrings, view: ScenarioFormView): SafeHtml {
  const p = view.problems;
  return html`<fieldset id="f-transfers"><legend>${t.transfers}</legend>${fieldError(p, 'transfers')}
${view.values.transfers.map((row, i) => {
  const n = i + 1;
  return html`<fieldset><legend>${fill(t.transfer, { n })}</legend>
${input(`t${n}Amount`, t.tAmount, row.amount, p, html` inputmode="decimal"`)}${input(`t${n}FiscalCode`, t.tFiscalCode, row.fiscalCode, p, html` inputmode="numeric" maxlength="11"`)}
${input(`t${n}Iban`, t.tIban, row.iban, p, html` maxlength="42"`)}${input(`t${n}Remittance`, t.tRemittance, row.remittance, p, html` maxlength="140"`)}
${input(`t${n}Category`, t.tCategory, row.category, p, html` maxlength="140"`)}</fieldset>`;
})}</fieldset>`;
}

export function scenarioFormPage(locale: Locale, view: ScenarioFormView): SafeHtml {
  const t = simulatorStrings(locale);
  const v = view.values;
  const p = view.problems;
  const option = (value: string, text: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${text}</option>`;
  return html`${view.error ? refusal(view.error) : ''}${p.length ? html`<div class="error"${REFUSAL_ATTRIBUTES}><p>${t.problems}</p><ul>${p.map((x) => html`<li><a href="#f-${x.field}">${x.text}</a></li>`)}</ul></div>` : ''}
<form method="post" action="${view.action}">${hidden(view.csrf, view.version)}
${input('pattern', t.pattern, v.pattern, p, html` required maxlength="40" aria-describedby="pattern-help"`)}<p id="pattern-help"><small>${t.patternHelp}</small></p>
<label for="f-answer">${t.answer}</label><select id="f-answer" name="answer"${invalid(p, 'answer')}>${ANSWER_KEYS.map((a) => option(a, label(t, `answers_${a}`), v.answer))}</select>${fieldError(p, 'answer')}
<h2>${t.payment}</h2>
${input('amount', t.amount, v.amount, p, html` inputmode="decimal"`)}${input('description', t.description, v.description, p, html` maxlength="140"`)}
${input('companyName', t.companyName, v.companyName, p, html` maxlength="140"`)}${input('dueDate', t.dueDate, v.dueDate, p, html` placeholder="2026-12-31"`)}
${transferRows(t, view)}
<h2>${t.slow}</h2>${input('delayMs', t.delayMs, v.delayMs, p, html` inputmode="numeric"`)}${checks(t, 'delayOn', t.delayOn, v.delayOn, p)}
${checks(t, 'malformedOn', t.malformed, v.malformedOn, p)}
<h2>${t.receipts}</h2>${input('refuseReceipts', t.refuseReceipts, v.refuseReceipts, p, html` inputmode="numeric"`)}
<label for="f-refuseWith">${t.refuseWith}</label><select id="f-refuseWith" name="refuseWith"${invalid(p, 'refuseWith')}>${option('ko', t.refuse_ko, v.refuseWith)}${option('http503', t.refuse_http503, v.refuseWith)}</select>${fieldError(p, 'refuseWith')}
<button type="submit">${t.save}</button></form>
<p><a href="${view.back}">${t.back}</a></p>`;
}

export interface SimulatorListRow {
  organisationId: string;
  name: string;
  fiscalCode: string;
  enabled: boolean;
  primitiveVersion: number;
  scenarioCount: number;
  updatedAt: Date;
}

/** Back office: every institution that has configured a simulated station. */
export function simulatorListPage(locale: Locale, rows: readonly SimulatorListRow[], base: string): SafeHtml {
  const t = simulatorStrings(locale);
  if (rows.length === 0) return html`<p>${t.none}</p>`;
  return html`<table><thead><tr><th>${t.organisation}</th><th>${t.fiscalCode}</th><th>${t.status}</th><th>${t.version}</th><th>${t.count}</th><th>${t.updated}</th></tr></thead><tbody>
${rows.map((r) => html`<tr data-organisation="${r.organisationId}"><td><a href="${base}/${r.organisationId}">${r.name}</a></td><td>${r.fiscalCode}</td><td>${r.enabled ? t.on : t.off}</td><td>${r.primitiveVersion}</td><td>${r.scenarioCount}</td><td>${formatDateTime(locale, r.updatedAt, { seconds: true })}</td></tr>`)}
</tbody></table>`;
}
