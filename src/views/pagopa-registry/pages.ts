import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { addEcForm, addLinkForm, ecSummary, linkTable } from './ecs.ts';
import {
  envLabel,
  problemsOf,
  scrollRegion,
  stateCell,
  switchForm,
  type Ctx,
  type EcView,
  type Env,
  type FormState,
  type LinkView,
  type PspView,
  type SwitchState,
} from './parts.ts';
import { addPspForm, pspTable } from './psps.ts';
import { registryStrings } from './strings.ts';

export type { ChannelView, DisabledBy, EcView, FormState, LinkView, PspView, SwitchState } from './parts.ts';

// The registry pages: the portal's (one organisation, both environments; the PSP part for PSPs and
// technology partners, the EC part for creditor institutions) and the back office's (every
// organisation, one environment at a time).

const notice = (text: string | undefined): SafeHtml | string => (text ? html`<p class="notice" role="status">${text}</p>` : '');

export interface PortalEnvironmentView {
  env: Env;
  nodeActive: boolean;
  psps: PspView[];
  ec: EcView | undefined;
  links: LinkView[];
  stations: string[];
}

export interface PortalRegistryView {
  csrf: string;
  notice?: string | undefined;
  form?: FormState | undefined;
  /** Which parts the organisation's type calls for. */
  psp: boolean;
  ec: boolean;
  environments: PortalEnvironmentView[];
}

function portalEnvironment(ctx: Ctx, view: PortalRegistryView, e: PortalEnvironmentView): SafeHtml {
  const t = registryStrings(ctx.locale);
  return html`<section id="env-${e.env}" data-env="${e.env}"><h2>${envLabel(ctx.locale, e.env)}</h2>
${e.nodeActive ? '' : html`<p class="error" data-needs-node>${t.needsNode}</p>`}
${view.psp ? html`<h3>${t.psps}</h3>${pspTable(ctx, e.psps)}${e.nodeActive ? addPspForm(ctx, e.env) : problemsOf(ctx, 'psp', e.env)}` : ''}
${view.ec ? html`<h3>${t.ecs}</h3>${ecSummary(ctx, e.env, e.ec)}${linkTable(ctx, e.links)}${e.nodeActive ? addLinkForm(ctx, e.env, { stations: e.stations }) : problemsOf(ctx, 'link', e.env)}` : ''}
</section>`;
}

export function portalRegistryPage(locale: Locale, view: PortalRegistryView): SafeHtml {
  const t = registryStrings(locale);
  const ctx: Ctx = { locale, base: '/portal/pagopa', csrf: view.csrf, admin: false, form: view.form };
  if (!view.psp && !view.ec) return html`<p>${t.notEligible}</p>`;
  return html`${notice(view.notice)}<p>${t.intro}</p>
${view.environments.map((e) => portalEnvironment(ctx, view, e))}`;
}

export interface AdminRegistryView {
  csrf: string;
  env: Env;
  notice?: string | undefined;
  form?: FormState | undefined;
  brokers: Array<SwitchState & { idBrokerPsp: string; organisationName: string }>;
  psps: PspView[];
  ecs: EcView[];
  links: LinkView[];
  pspOrganisations: ReadonlyArray<{ id: string; name: string }>;
  ecOrganisations: ReadonlyArray<{ id: string; name: string }>;
}

function brokerTable(ctx: Ctx, env: Env, brokers: AdminRegistryView['brokers']): SafeHtml {
  const t = registryStrings(ctx.locale);
  if (brokers.length === 0) return html`<p>${t.none}</p>`;
  const table = html`<table class="brokers"><thead><tr><th>${t.broker}</th><th>${t.organisation}</th><th>${t.state}</th><th></th></tr></thead><tbody>
${brokers.map(
  (b) => html`<tr data-broker="${b.idBrokerPsp}"><td><code>${b.idBrokerPsp}</code></td><td>${b.organisationName}</td><td>${stateCell(ctx, b)}</td>
<td>${switchForm(ctx, `${ctx.base}/brokers/enabled`, b, `broker:${b.idBrokerPsp}`, { environment: env, idBrokerPsp: b.idBrokerPsp })}</td></tr>`,
)}</tbody></table>`;
  return scrollRegion(ctx.locale, t.brokers, env, table);
}

function ecTable(ctx: Ctx, env: Env, ecs: EcView[]): SafeHtml {
  const t = registryStrings(ctx.locale);
  if (ecs.length === 0) return html`<p>${t.none}</p>`;
  const table = html`<table class="ecs"><thead><tr><th>${t.ec}</th><th>${t.fiscalCode}</th><th>${t.state}</th><th></th></tr></thead><tbody>
${ecs.map(
  (e) => html`<tr data-ec="${e.fiscalCode}"><td>${e.organisationName}</td><td><code>${e.fiscalCode}</code></td><td>${stateCell(ctx, e)}</td>
<td>${switchForm(ctx, `${ctx.base}/ec/enabled`, e, `ec:${e.organisationId}`, { environment: env, organisationId: e.organisationId })}</td></tr>`,
)}</tbody></table>`;
  return scrollRegion(ctx.locale, t.ecs, env, table);
}

export function adminRegistryPage(locale: Locale, view: AdminRegistryView): SafeHtml {
  const t = registryStrings(locale);
  const ctx: Ctx = { locale, base: '/admin/pagopa', csrf: view.csrf, admin: true, form: view.form };
  const tab = (env: Env) => html`<a href="/admin/pagopa?env=${env}"${env === view.env ? html` aria-current="page"` : ''}>${envLabel(locale, env)}</a>`;
  return html`${notice(view.notice)}<p>${tab('test')} · ${tab('prod')}</p>
<section id="env-${view.env}" data-env="${view.env}">
<h2>${t.brokers}</h2>${brokerTable(ctx, view.env, view.brokers)}
<h2>${t.psps}</h2>${pspTable(ctx, view.psps)}${addPspForm(ctx, view.env, view.pspOrganisations)}
<h2>${t.adminEcs}</h2>${ecTable(ctx, view.env, view.ecs)}${addEcForm(ctx, view.env, view.ecOrganisations)}
<h2>${t.links}</h2>${linkTable(ctx, view.links)}${addLinkForm(ctx, view.env, { organisations: view.ecOrganisations })}
</section>`;
}
