import { html, type SafeHtml } from '../html.ts';
import {
  csrfField,
  organisationSelect,
  problemsOf,
  scrollRegion,
  stateCell,
  switchForm,
  typed,
  when,
  type ChannelView,
  type Ctx,
  type Env,
  type PspView,
} from './parts.ts';
import { registryStrings } from './strings.ts';

// The PSP part of the registry pages: PSPs with their broker and channels, enable switches, the
// channel password form (set, never shown), and the form registering a PSP or adding a channel.

function channelRows(ctx: Ctx, psp: PspView, channels: ChannelView[]): SafeHtml {
  const t = registryStrings(ctx.locale);
  return html`${channels.map(
    (c) => html`<tr data-channel="${c.idChannel}"><td></td><td><code>${c.idChannel}</code></td><td>${stateCell(ctx, c)}</td>
<td>${switchForm(ctx, `${ctx.base}/channels/${c.id}/enabled`, c, c.id, { environment: psp.environment })}</td>
<td>${t.passwordSetAt}: ${when(ctx.locale, c.passwordSetAt)}
${problemsOf(ctx, 'password', psp.environment, c.id)}
<form method="post" action="${ctx.base}/channels/${c.id}/password" class="password-form">${csrfField(ctx.csrf)}<input type="hidden" name="environment" value="${psp.environment}">
<label for="pw-${c.id}">${t.password}</label><input id="pw-${c.id}" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="15" required>
<label for="pwc-${c.id}">${t.passwordConfirm}</label><input id="pwc-${c.id}" name="passwordConfirm" type="password" autocomplete="new-password" minlength="8" maxlength="15" required>
<button type="submit">${t.replacePassword}</button></form></td></tr>`,
  )}`;
}

export function pspTable(ctx: Ctx, psps: PspView[]): SafeHtml {
  const t = registryStrings(ctx.locale);
  if (psps.length === 0) return html`<p>${t.none}</p>`;
  const table = html`<table class="psps"><thead><tr><th>${t.idPsp}</th><th>${t.idChannel}</th><th>${t.state}</th><th></th><th></th></tr></thead><tbody>
${psps.map(
  (p) => html`<tr data-psp="${p.idPsp}"><td><strong><code>${p.idPsp}</code></strong>${ctx.admin ? html`<br>${p.organisationName}` : ''}</td>
<td>${t.broker}: <code>${p.idBrokerPsp}</code> ${stateCell(ctx, p.broker)} ${switchForm(ctx, `${ctx.base}/brokers/enabled`, p.broker, `broker:${p.idBrokerPsp}`, { environment: p.environment, idBrokerPsp: p.idBrokerPsp })}</td>
<td>${stateCell(ctx, p)}</td><td>${switchForm(ctx, `${ctx.base}/psps/${p.id}/enabled`, p, p.id, { environment: p.environment })}</td><td></td></tr>
${channelRows(ctx, p, p.channels)}`,
)}
</tbody></table>`;
  return scrollRegion(ctx.locale, t.psps, psps[0]?.environment ?? 'test', table);
}

export function addPspForm(ctx: Ctx, env: Env, organisations?: ReadonlyArray<{ id: string; name: string }>): SafeHtml {
  const t = registryStrings(ctx.locale);
  const v = (name: string): string => typed(ctx, 'psp', env, name);
  return html`<h3>${t.addPsp}</h3><p>${t.addPspHint} ${t.passwordHint}</p>
${problemsOf(ctx, 'psp', env)}
<form method="post" action="${ctx.base}/psps" class="psp-form" id="add-psp-${env}">${csrfField(ctx.csrf)}<input type="hidden" name="environment" value="${env}">
${organisations ? organisationSelect(ctx, `psp-org-${env}`, organisations, v('organisationId')) : ''}
<label for="idPsp-${env}">${t.idPsp}</label><input id="idPsp-${env}" name="idPsp" required maxlength="35" value="${v('idPsp')}" placeholder="AGID_01">
<label for="idBrokerPsp-${env}">${t.idBrokerPsp}</label><input id="idBrokerPsp-${env}" name="idBrokerPsp" required maxlength="35" value="${v('idBrokerPsp')}" placeholder="97735020584">
<label for="idChannel-${env}">${t.idChannel}</label><input id="idChannel-${env}" name="idChannel" required maxlength="35" value="${v('idChannel')}" placeholder="97735020584_03">
<label for="password-${env}">${t.password}</label><input id="password-${env}" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="15" required>
<label for="passwordConfirm-${env}">${t.passwordConfirm}</label><input id="passwordConfirm-${env}" name="passwordConfirm" type="password" autocomplete="new-password" minlength="8" maxlength="15" required>
<button type="submit">${t.addPspSubmit}</button></form>`;
}
