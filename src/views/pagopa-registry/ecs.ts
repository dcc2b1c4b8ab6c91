import { html, type SafeHtml } from '../html.ts';
import {
  csrfField,
  lockedByAdministrator,
  organisationSelect,
  problemsOf,
  scrollRegion,
  stateCell,
  switchForm,
  typed,
  type Ctx,
  type EcView,
  type Env,
  type LinkView,
} from './parts.ts';
import { registryStrings } from './strings.ts';

// The EC part of the registry pages: the EC record with its switch, its links (aux digit, code,
// station, primitive version) with switches and removal, and the form linking a station.

function codeText(ctx: Ctx, l: LinkView): string {
  const t = registryStrings(ctx.locale);
  if (l.segregationCode !== null) return `${t.segregation} ${l.segregationCode}`;
  return l.applicationCode !== null ? `${t.application} ${l.applicationCode}` : '—';
}

export function ecSummary(ctx: Ctx, env: Env, ec: EcView | undefined): SafeHtml {
  const t = registryStrings(ctx.locale);
  if (!ec) {
    if (ctx.admin) return html`<p data-ec="missing">${t.ecMissing}</p>`;
    // A referent registers their organisation here: the simulated station (test) needs no link.
    return html`${problemsOf(ctx, 'ec', env)}<form method="post" action="${ctx.base}/ecs" class="inline" data-ec="missing">${csrfField(ctx.csrf)}<input type="hidden" name="environment" value="${env}">
<p>${t.ecMissingPortal} <button type="submit">${t.registerEc}</button></p></form>`;
  }
  return html`<p data-ec="${ec.fiscalCode}">${t.ec} <strong>${ec.organisationName}</strong> · ${t.fiscalCode} <code>${ec.fiscalCode}</code> · ${stateCell(ctx, ec)}
${switchForm(ctx, `${ctx.base}/ec/enabled`, ec, `ec:${ec.organisationId}`, { environment: env, ...(ctx.admin ? { organisationId: ec.organisationId } : {}) })}</p>`;
}

export function linkTable(ctx: Ctx, links: LinkView[]): SafeHtml {
  const t = registryStrings(ctx.locale);
  if (links.length === 0) return html`<p>${t.none}</p>`;
  const table = html`<table class="links"><thead><tr>${ctx.admin ? html`<th>${t.ec}</th>` : ''}<th>${t.auxDigit}</th><th>${t.code}</th><th>${t.station}</th><th>${t.version}</th><th>${t.state}</th><th></th></tr></thead><tbody>
${links.map(
  (l) => html`<tr data-link="${l.id}">${ctx.admin ? html`<td>${l.ecName}</td>` : ''}<td>${l.auxDigit}</td><td>${codeText(ctx, l)}</td>
<td><code>${l.stationCode}</code>${l.otherOwner ? html` <small data-other-owner>(${t.stationOwner} ${l.stationOwnerName})</small>` : ''}</td><td>${l.primitiveVersion}</td>
<td>${stateCell(ctx, l)}</td><td>${switchForm(ctx, `${ctx.base}/links/${l.id}/enabled`, l, l.id, { environment: l.environment })}
${lockedByAdministrator(ctx, l) ? '' : html`<form method="post" action="${ctx.base}/links/${l.id}/remove" class="inline">${csrfField(ctx.csrf)}<input type="hidden" name="environment" value="${l.environment}"><button type="submit">${t.remove}</button></form>`}</td></tr>`,
)}
</tbody></table>`;
  return scrollRegion(ctx.locale, t.links, links[0]?.environment ?? 'test', table);
}

/** Referents pick one of their approved stations; administrators type any station code. */
export function addLinkForm(
  ctx: Ctx,
  env: Env,
  choices: { stations?: readonly string[]; organisations?: ReadonlyArray<{ id: string; name: string }> },
): SafeHtml {
  const t = registryStrings(ctx.locale);
  const v = (name: string): string => typed(ctx, 'link', env, name);
  if (choices.stations && choices.stations.length === 0) return html`<h3>${t.addLink}</h3><p>${t.noStations}</p>`;
  const station = choices.stations
    ? html`<label for="station-${env}">${t.station}</label><select id="station-${env}" name="stationCode" required>${choices.stations.map((s) => html`<option value="${s}"${s === v('stationCode') ? ' selected' : ''}>${s}</option>`)}</select>`
    : html`<label for="station-${env}">${t.stationCode}</label><input id="station-${env}" name="stationCode" required maxlength="40" value="${v('stationCode')}" placeholder="12345678903_01">`;
  const aux = v('auxDigit') || '3';
  return html`<h3>${t.addLink}</h3><p>${t.linkHint}</p>
${problemsOf(ctx, 'link', env)}
<form method="post" action="${ctx.base}/links" class="link-form" id="add-link-${env}">${csrfField(ctx.csrf)}<input type="hidden" name="environment" value="${env}">
${choices.organisations ? organisationSelect(ctx, `link-org-${env}`, choices.organisations, v('organisationId')) : ''}
${station}
<label for="aux-${env}">${t.auxDigit}</label><select id="aux-${env}" name="auxDigit">${['0', '1', '2', '3'].map((d) => html`<option value="${d}"${d === aux ? ' selected' : ''}>${d}</option>`)}</select>
<label for="seg-${env}">${t.segregationCode}</label><input id="seg-${env}" name="segregationCode" inputmode="numeric" maxlength="2" pattern="[0-9]{2}" value="${v('segregationCode')}">
<label for="app-${env}">${t.applicationCode}</label><input id="app-${env}" name="applicationCode" inputmode="numeric" maxlength="2" pattern="[0-9]{2}" value="${v('applicationCode')}">
<label for="version-${env}">${t.version}</label><select id="version-${env}" name="version"><option value="1">1</option><option value="2"${v('version') === '2' ? ' selected' : ''}>2</option></select>
${ctx.admin ? html`<label><input type="checkbox" name="otherOrganisationStation" value="1"> ${t.otherStation}</label>` : ''}
<button type="submit">${t.addLinkSubmit}</button></form>`;
}

/** Back office: register an organisation as an EC without a link. */
export function addEcForm(ctx: Ctx, env: Env, organisations: ReadonlyArray<{ id: string; name: string }>): SafeHtml {
  const t = registryStrings(ctx.locale);
  return html`<h3>${t.addEc}</h3>${problemsOf(ctx, 'ec', env)}
<form method="post" action="${ctx.base}/ecs" class="ec-form">${csrfField(ctx.csrf)}<input type="hidden" name="environment" value="${env}">
${organisationSelect(ctx, `ec-org-${env}`, organisations, typed(ctx, 'ec', env, 'organisationId'))}<button type="submit">${t.add}</button></form>`;
}
