import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { registryProblemText, registryStrings } from './strings.ts';
import { REFUSAL_ATTRIBUTES } from '../shared/message.ts';

// Small pieces the registry pages share: the view models, the CSRF field, enable/disable buttons,
// problem lists, and the dates shown.

export type Env = 'test' | 'prod';

/** Who switched a record off (null while it is on): its organisation (a referent), or the platform's administrator. */
export type DisabledBy = 'organisation' | 'administrator';

/** A record's switch: on or off, and by whom. */
export interface SwitchState {
  enabled: boolean;
  disabledBy: DisabledBy | null;
}

export interface ChannelView extends SwitchState {
  id: string;
  idChannel: string;
  passwordSetAt: Date;
}
export interface PspView extends SwitchState {
  id: string;
  environment: Env;
  idPsp: string;
  idBrokerPsp: string;
  broker: SwitchState;
  organisationName: string;
  channels: ChannelView[];
}
export interface EcView extends SwitchState {
  organisationId: string;
  organisationName: string;
  fiscalCode: string;
  environment: Env;
}
export interface LinkView extends SwitchState {
  id: string;
  environment: Env;
  ecOrganisationId: string;
  ecName: string;
  stationCode: string;
  stationOwnerName: string;
  /** The station is another organisation's (an administrator linked the EC's broker). */
  otherOwner: boolean;
  auxDigit: number;
  segregationCode: string | null;
  applicationCode: string | null;
  primitiveVersion: number;
}

/**
 * A refused form: which form (and which record, for per-record forms), its problems, and what was typed
 * (never passwords). A refused switch or removal is `switch`, its target the record's id (a PSP's,
 * channel's or link's), `broker:<idBrokerPSP>` or `ec:<organisation id>`.
 */
export interface FormState {
  form: 'psp' | 'password' | 'link' | 'ec' | 'switch';
  environment: string;
  target?: string | undefined;
  problems: string[];
  values: Record<string, string>;
}

export interface Ctx {
  locale: Locale;
  base: string;
  csrf: string;
  admin: boolean;
  form?: FormState | undefined;
}

export const csrfField = (csrf: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrf}">`;

/**
 * A registry table in a region that scrolls sideways when the table is wider than the page (div.scroll
 * in the stylesheet), focusable so the keyboard can scroll it; named after the table and its environment
 * (the portal shows both). Its codes (idPSP, station, fiscal code: at most 35 characters) stay whole
 * above phone width (whole-codes) instead of breaking mid-code when the columns are squeezed.
 */
export function scrollRegion(locale: Locale, label: string, env: string, table: SafeHtml): SafeHtml {
  return html`<div class="scroll whole-codes" tabindex="0" role="region" aria-label="${label} · ${envLabel(locale, env)}">${table}</div>`;
}

export function envLabel(locale: Locale, env: string): string {
  const t = registryStrings(locale);
  return env === 'prod' ? t.prod : t.test;
}

/** On, or off and by whom: the back office names the organisation too; the portal names only the administrator. */
export function stateCell(ctx: Ctx, state: SwitchState): SafeHtml {
  const t = registryStrings(ctx.locale);
  const off =
    state.disabledBy === 'administrator' ? t.disabledByAdministrator : ctx.admin && state.disabledBy === 'organisation' ? t.disabledByOrganisation : t.disabled;
  return html`<span data-enabled="${state.enabled ? 'true' : 'false'}"${state.disabledBy ? html` data-disabled-by="${state.disabledBy}"` : ''}>${state.enabled ? t.enabled : off}</span>`;
}

/** Whether the page's user may not switch the record back on or remove it: a referent, and an administrator switched it off. */
export const lockedByAdministrator = (ctx: Ctx, state: SwitchState): boolean => !ctx.admin && !state.enabled && state.disabledBy === 'administrator';

/**
 * A one-button form flipping an enable flag, after a refusal of it (or of the record's removal) if there
 * was one; `fields` say which record (besides the action URL), `target` names it in a refusal
 * (FormState). A referent is offered no switch for what an administrator switched off, only why.
 */
export function switchForm(ctx: Ctx, action: string, state: SwitchState, target: string, fields: Record<string, string>): SafeHtml {
  const t = registryStrings(ctx.locale);
  const problems = problemsOf(ctx, 'switch', fields['environment'] ?? '', target);
  if (lockedByAdministrator(ctx, state)) return html`${problems}<small data-locked>${t.lockedByAdministrator}</small>`;
  return html`${problems}<form method="post" action="${action}" class="inline">${csrfField(ctx.csrf)}${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="enabled" value="${state.enabled ? '0' : '1'}"><button type="submit">${state.enabled ? t.disable : t.enable}</button></form>`;
}

/** The problems of the refused form `form` (for `target`, if given), or nothing. */
export function problemsOf(ctx: Ctx, form: FormState['form'], environment: string, target?: string): SafeHtml | string {
  const f = ctx.form;
  if (!f || f.form !== form || f.environment !== environment || (target !== undefined && f.target !== target)) return '';
  return html`<ul class="error"${REFUSAL_ATTRIBUTES}>${f.problems.map((p) => html`<li data-problem="${p}">${registryProblemText(ctx.locale, p)}</li>`)}</ul>`;
}

/** What was typed into the refused form, to show it again. */
export function typed(ctx: Ctx, form: FormState['form'], environment: string, name: string): string {
  const f = ctx.form;
  return f && f.form === form && f.environment === environment ? (f.values[name] ?? '') : '';
}

export const when = (locale: Locale, d: Date): string => formatDateTime(locale, d);

export function organisationSelect(ctx: Ctx, id: string, organisations: ReadonlyArray<{ id: string; name: string }>, selected: string): SafeHtml {
  const t = registryStrings(ctx.locale);
  return html`<label for="${id}">${t.organisation}</label><select id="${id}" name="organisationId" required><option value="">${t.chooseOrganisation}</option>
${organisations.map((o) => html`<option value="${o.id}"${o.id === selected ? ' selected' : ''}>${o.name}</option>`)}</select>`;
}
