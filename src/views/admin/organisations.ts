import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { productText } from '../subscriptions/strings.ts';
import { refusal } from '../shared/message.ts';

// Back office pages for organisations, their referents and invitations. Plain view models in.

export interface OrganisationRow {
  id: string;
  name: string;
  taxCode: string;
  type: string;
  contactEmail: string;
  createdAt: Date;
}
export interface ReferentRow {
  id: string;
  email: string;
  /** When the account was disabled (it signs in nowhere); null while enabled. */
  disabledAt: Date | null;
  firstName: string | null;
  lastName: string | null;
  createdAt: Date;
}
export interface InvitationRow {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  state: string;
}
export interface ProductOption {
  id: string;
  code: string;
  name: string;
}

const T = {
  en: {
    name: 'Name',
    taxCode: 'Tax code / VAT number',
    kind: 'Kind of identifier',
    it: 'Italian (11 digits)',
    other: 'Other (free identifier)',
    type: 'Type',
    email: 'Contact e-mail',
    create: 'Create organisation',
    none: 'No organisations yet.',
    search: 'Search',
    clearSearch: 'Clear',
    searchText: 'Name, tax code or e-mail contains',
    showOnly: 'Show only',
    anyType: 'All organisations',
    noMatch: 'No organisation matches the search.',
    nextPage: 'Next organisations',
    firstPage: 'First organisations',
    referents: 'Referents',
    invitations: 'Invitations',
    invite: 'Invite a referent',
    firstName: 'First name',
    lastName: 'Last name',
    refEmail: 'E-mail',
    language: 'Language of e-mails',
    products: 'Products the referent may subscribe to',
    send: 'Send invitation',
    resend: 'Send a new link',
    state: 'State',
    created: 'Created',
    expires: 'Expires',
    noReferents: 'No referents yet.',
    disabledSince: 'disabled since {date}: cannot sign in',
    disable: 'Disable',
    enable: 'Enable again',
    auditLink: 'Everything recorded about this organisation (audit log)',
    disableHelp:
      'Disabling ends the referent\u2019s sessions at once; they can no longer sign in or reset their password, and get no e-mails for the organisation. Enable again to restore access.',
    disabledNotice: '{email} is disabled: their sessions have ended and they cannot sign in.',
    enabledNotice: '{email} is enabled again: they sign in with their password.',
    noInvitations: 'No invitations.',
    invited: 'Invitation sent.',
    invitedQueued:
      'Invitation queued. No mail server is configured (VARCO_SMTP_URL), so it is not sent: open it on the Mail page and press Create link to get its link.',
    types: { creditor_institution: 'Creditor institution', psp: 'PSP', merchant: 'Merchant', technology_partner: 'Technology partner' },
    invitationStates: {
      sent: 'sent',
      waiting: 'not sent (no mail server): create its link on the Mail page',
      accepted: 'accepted',
      superseded: 'replaced by a newer link',
      expired: 'expired',
    },
  },
  it: {
    name: 'Nome',
    taxCode: 'Codice fiscale / partita IVA',
    kind: 'Tipo di identificativo',
    it: 'Italiano (11 cifre)',
    other: 'Altro (identificativo libero)',
    type: 'Tipo',
    email: 'E-mail di contatto',
    create: 'Crea organizzazione',
    none: 'Nessuna organizzazione.',
    search: 'Cerca',
    clearSearch: 'Azzera',
    searchText: 'Nome, codice fiscale o e-mail contiene',
    showOnly: 'Mostra solo',
    anyType: 'Tutte le organizzazioni',
    noMatch: 'Nessuna organizzazione corrisponde alla ricerca.',
    nextPage: 'Organizzazioni successive',
    firstPage: 'Prime organizzazioni',
    referents: 'Referenti',
    invitations: 'Inviti',
    invite: 'Invita un referente',
    firstName: 'Nome',
    lastName: 'Cognome',
    refEmail: 'E-mail',
    language: 'Lingua delle e-mail',
    products: 'Prodotti sottoscrivibili dal referente',
    send: 'Invia invito',
    resend: 'Invia un nuovo link',
    state: 'Stato',
    created: 'Creato',
    expires: 'Scade',
    noReferents: 'Nessun referente.',
    disabledSince: 'disattivato dal {date}: non può accedere',
    disable: 'Disattiva',
    enable: 'Riattiva',
    auditLink: 'Tutto ciò che è registrato su questa organizzazione (registro di audit)',
    disableHelp:
      'La disattivazione chiude subito le sessioni del referente; non può più accedere né reimpostare la password, e non riceve e-mail per l\u2019organizzazione. Riattivalo per ridargli l\u2019accesso.',
    disabledNotice: '{email} è disattivato: le sue sessioni sono chiuse e non può accedere.',
    enabledNotice: '{email} è di nuovo attivo: accede con la sua password.',
    noInvitations: 'Nessun invito.',
    invited: 'Invito inviato.',
    invitedQueued:
      'Invito in coda. Nessun server di posta è configurato (VARCO_SMTP_URL), quindi non viene spedito: aprilo nella pagina Posta e premi Crea link per ottenerne il link.',
    types: { creditor_institution: 'Ente creditore', psp: 'PSP', merchant: 'Esercente', technology_partner: 'Partner tecnologico' },
    invitationStates: {
      sent: 'inviato',
      waiting: 'non inviato (nessun server di posta): crea il link nella pagina Posta',
      accepted: 'accettato',
      superseded: 'sostituito da un link più recente',
      expired: 'scaduto',
    },
  },
} as const;

const TYPES = ['creditor_institution', 'psp', 'merchant', 'technology_partner'] as const;
const typeLabel = (locale: Locale, type: string): string => T[locale].types[type as (typeof TYPES)[number]] ?? type;
const stateLabel = (locale: Locale, state: string): string => T[locale].invitationStates[state as keyof (typeof T)['en']['invitationStates']] ?? state;

/** After an invitation: sent, or (no SMTP) waiting on the Mail page for its link to be made. */
/** What the organisation's page says after a referent's account was disabled or enabled again. */
export const accessNotice = (locale: Locale, action: 'disable' | 'enable', email: string): string =>
  (action === 'disable' ? T[locale].disabledNotice : T[locale].enabledNotice).replace('{email}', email);

export const invitedNotice = (locale: Locale, sending: boolean): string => (sending ? T[locale].invited : T[locale].invitedQueued);

const errorBox = (error?: string): SafeHtml | string => (error ? refusal(error, 'form-error') : '');

/** The field a refusal is about (its problem code, from the organisations module), marked invalid and pointed at the message. */
const PROBLEM_FIELDS: Readonly<Record<string, string>> = {
  name_required: 'name',
  invalid_type: 'type',
  invalid_email: 'contactEmail',
  italian_format: 'taxCode',
  italian_check_digit: 'taxCode',
  other_format: 'taxCode',
  tax_code_taken: 'taxCode',
};
const INVITE_FIELDS: Readonly<Record<string, string>> = {
  name_required: 'names',
  invalid_email: 'email',
  already_referent: 'email',
  no_products: 'products',
  unknown_product: 'products',
};
const invalidIf = (wrong: boolean): SafeHtml | '' => (wrong ? html` aria-invalid="true" aria-describedby="form-error"` : '');

export interface OrganisationsListView {
  rows: OrganisationRow[];
  csrf: string;
  /** The search form's values as typed. */
  filter: { q: string; type: string };
  /** The next page (by name), when there is one; the first page, when this is not it. */
  nextHref: string | null;
  firstHref: string | null;
  /** A refused creation: what was typed, the message and its problem code (the field at fault). */
  form?: Record<string, string>;
  error?: string;
  problem?: string;
  /** Why the search was refused (in the page's language): shown above the search form, focused; no rows. */
  searchProblem?: string;
}

export function organisationsPage(locale: Locale, view: OrganisationsListView): SafeHtml {
  const t = T[locale];
  const { rows, csrf, form = {}, error, problem, filter } = view;
  const bad = (field: string) => invalidIf(problem !== undefined && PROBLEM_FIELDS[problem] === field);
  const filtered = filter.q !== '' || filter.type !== '';
  return html`${view.searchProblem ? refusal(view.searchProblem) : ''}
<form method="get" action="/admin/organisations" class="search" aria-label="${t.search}">
<label for="o-q">${t.searchText}</label><input id="o-q" name="q" maxlength="100" value="${filter.q}">
<label for="o-type">${t.showOnly}</label><select id="o-type" name="type"><option value="">${t.anyType}</option>${TYPES.map(
    (value) => html`<option value="${value}"${filter.type === value ? ' selected' : ''}>${typeLabel(locale, value)}</option>`,
  )}</select>
<button type="submit">${t.search}</button> <a href="/admin/organisations">${t.clearSearch}</a></form>
${
  view.searchProblem
    ? ''
    : rows.length === 0
      ? html`<p>${filtered ? t.noMatch : t.none}</p>`
      : html`<table><thead><tr><th>${t.name}</th><th>${t.taxCode}</th><th>${t.type}</th><th>${t.email}</th></tr></thead><tbody>
${rows.map((o) => html`<tr data-organisation="${o.id}"><td><a href="/admin/organisations/${o.id}">${o.name}</a></td><td>${o.taxCode}</td><td>${typeLabel(locale, o.type)}</td><td>${o.contactEmail}</td></tr>`)}
</tbody></table>`
}
<p>${view.firstHref ? html`<a href="${view.firstHref}" rel="first">${t.firstPage}</a> ` : ''}${view.nextHref ? html`<a href="${view.nextHref}" rel="next">${t.nextPage}</a>` : ''}</p>
<h2>${t.create}</h2>
${errorBox(error)}
<form method="post" action="/admin/organisations">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="name">${t.name}</label><input id="name" name="name" required maxlength="200" value="${form.name ?? ''}"${bad('name')}>
<label for="taxCodeKind">${t.kind}</label><select id="taxCodeKind" name="taxCodeKind">
<option value="it"${form.taxCodeKind === 'other' ? '' : ' selected'}>${t.it}</option><option value="other"${form.taxCodeKind === 'other' ? ' selected' : ''}>${t.other}</option></select>
<label for="taxCode">${t.taxCode}</label><input id="taxCode" name="taxCode" required maxlength="40" value="${form.taxCode ?? ''}"${bad('taxCode')}>
<label for="type">${t.type}</label><select id="type" name="type"${bad('type')}>${TYPES.map((value) => html`<option value="${value}"${form.type === value ? ' selected' : ''}>${typeLabel(locale, value)}</option>`)}</select>
<label for="contactEmail">${t.email}</label><input id="contactEmail" name="contactEmail" type="email" required value="${form.contactEmail ?? ''}"${bad('contactEmail')}>
<button type="submit">${t.create}</button>
</form>`;
}

export interface OrganisationDetail {
  organisation: OrganisationRow;
  referents: ReferentRow[];
  invitations: InvitationRow[];
  products: ProductOption[];
  /** Extra sections other modules contribute (subscriptions, stations). */
  sections?: SafeHtml[];
}

export function organisationPage(
  locale: Locale,
  view: OrganisationDetail,
  csrf: string,
  form: Record<string, string> = {},
  error?: string,
  notice?: string,
  problem?: string,
): SafeHtml {
  const t = T[locale];
  const bad = (field: string) => invalidIf(problem !== undefined && INVITE_FIELDS[problem] === field);
  const o = view.organisation;
  const date = (d: Date): string => formatDateTime(locale, d);
  const referentItem = (r: ReferentRow): SafeHtml => {
    const action = r.disabledAt === null ? 'disable' : 'enable';
    return html`<li data-referent="${r.email}">${r.firstName} ${r.lastName} &lt;${r.email}&gt; · ${date(r.createdAt)}${
      r.disabledAt === null ? '' : html` · <strong>${t.disabledSince.replace('{date}', date(r.disabledAt))}</strong>`
    }
<form method="post" action="/admin/users/${r.id}/${action}" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">${t[action]}</button></form></li>`;
  };
  return html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${errorBox(error)}
<p>${t.taxCode}: <strong>${o.taxCode}</strong> · ${t.type}: ${typeLabel(locale, o.type)} · ${t.email}: ${o.contactEmail} · <code>${o.id}</code></p>
<p><a href="/admin/audit?org=${o.id}">${t.auditLink}</a></p>
<h2>${t.referents}</h2>
${view.referents.length === 0 ? html`<p>${t.noReferents}</p>` : html`<p>${t.disableHelp}</p><ul>${view.referents.map((r) => referentItem(r))}</ul>`}
<h2>${t.invitations}</h2>
${
  view.invitations.length === 0
    ? html`<p>${t.noInvitations}</p>`
    : html`<table><thead><tr><th>${t.refEmail}</th><th>${t.state}</th><th>${t.created}</th><th>${t.expires}</th><th></th></tr></thead><tbody>
${view.invitations.map(
  (
    i,
  ) => html`<tr><td>${i.name} &lt;${i.email}&gt;</td><td data-state="${i.state}">${stateLabel(locale, i.state)}</td><td>${date(i.createdAt)}</td><td>${date(i.expiresAt)}</td><td>
${i.state === 'sent' || i.state === 'waiting' || i.state === 'expired' ? html`<form method="post" action="/admin/invitations/${i.id}/resend"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">${t.resend}</button></form>` : ''}</td></tr>`,
)}
</tbody></table>`
}
<h2>${t.invite}</h2>
<form method="post" action="/admin/organisations/${o.id}/invitations">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="firstName">${t.firstName}</label><input id="firstName" name="firstName" required maxlength="100" value="${form.firstName ?? ''}"${bad('names')}>
<label for="lastName">${t.lastName}</label><input id="lastName" name="lastName" required maxlength="100" value="${form.lastName ?? ''}"${bad('names')}>
<label for="email">${t.refEmail}</label><input id="email" name="email" type="email" required value="${form.email ?? ''}"${bad('email')}>
<label for="locale">${t.language}</label><select id="locale" name="locale"><option value="en" lang="en">English</option><option value="it" lang="it"${form.locale === 'it' ? ' selected' : ''}>Italiano</option></select>
<fieldset><legend>${t.products}</legend>
${view.products.map((p) => html`<label class="check"><input type="checkbox" name="products" value="${p.id}"${bad('products')}> ${productText(locale, p.name)} (<code>${p.code}</code>)</label>`)}
</fieldset>
<button type="submit">${t.send}</button>
</form>
${view.sections ?? []}`;
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const ORGANISATION_TABLES = { pages: T };
