import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { envTabs, type MerchantHeaderView } from './settings.ts';
import { REFUSAL_ATTRIBUTES } from '../shared/message.ts';

// The merchant's *API users* page: the USERIDs DirectLink accepts, per environment, the form that
// creates one (or gives an existing one a new password) and the button that removes one. Passwords
// are typed, sent once and never shown back, not even after a rejected form.

const en = {
  title: 'API users',
  intro:
    'DirectLink calls (orderdirect.asp, querydirect.asp, maintenancedirect.asp) are signed with your SHA-IN passphrase and carry PSPID, USERID and PSWD: the USERID and password of one of these API users, in the environment called.',
  none: 'No API users yet.',
  env: 'Environment',
  userid: 'USERID',
  created: 'Created',
  passwordChanged: 'Password changed',
  remove: 'Remove',
  removed: 'The API user was removed: its calls are refused from now on.',
  add: 'Add an API user or change a password',
  addHelp: 'An existing USERID of that environment gets the new password; the old one stops working at once.',
  useridHelp: '2 to 50 letters, digits, ".", "_", "@" or "-".',
  password: 'Password (PSWD)',
  passwordHelp: 'At least 12 characters, not a common password. It is never shown again.',
  confirm: 'Type the password again',
  save: 'Save',
  saved: 'API user {userid} created.',
  changed: 'The password of {userid} was changed.',
  noPspid: 'No environment holds a PSPID yet: API users can be added once your E-commerce subscription is approved.',
  test: 'Test',
  prod: 'Production',
  problems: {
    invalid_userid: 'USERID: 2 to 50 letters, digits, ".", "_", "@" or "-"',
    not_eligible: 'Environment: your merchant account holds no PSPID there',
    too_short: 'Password: at least 12 characters',
    common: 'Password: too common, choose another one',
    mismatch: 'Password: the two passwords differ',
  } as Record<string, string>,
};

type ApiUserStrings = typeof en;

const it: ApiUserStrings = {
  title: 'Utenti API',
  intro:
    'Le chiamate DirectLink (orderdirect.asp, querydirect.asp, maintenancedirect.asp) sono firmate con la tua passphrase SHA-IN e contengono PSPID, USERID e PSWD: USERID e password di uno di questi utenti API, nell’ambiente chiamato.',
  none: 'Ancora nessun utente API.',
  env: 'Ambiente',
  userid: 'USERID',
  created: 'Creato',
  passwordChanged: 'Password cambiata',
  remove: 'Rimuovi',
  removed: 'L’utente API è stato rimosso: le sue chiamate sono rifiutate da ora.',
  add: 'Aggiungi un utente API o cambia una password',
  addHelp: 'Uno USERID già presente in quell’ambiente riceve la nuova password; la precedente smette subito di funzionare.',
  useridHelp: 'Da 2 a 50 lettere, cifre, ".", "_", "@" o "-".',
  password: 'Password (PSWD)',
  passwordHelp: 'Almeno 12 caratteri, non una password comune. Non viene più mostrata.',
  confirm: 'Ripeti la password',
  save: 'Salva',
  saved: 'Utente API {userid} creato.',
  changed: 'La password di {userid} è stata cambiata.',
  noPspid: 'Nessun ambiente ha ancora un PSPID: gli utenti API si possono aggiungere quando la sottoscrizione E-commerce è approvata.',
  test: 'Collaudo',
  prod: 'Produzione',
  problems: {
    invalid_userid: 'USERID: da 2 a 50 lettere, cifre, ".", "_", "@" o "-"',
    not_eligible: 'Ambiente: il tuo account esercente non ha un PSPID lì',
    too_short: 'Password: almeno 12 caratteri',
    common: 'Password: troppo comune, scegline un’altra',
    mismatch: 'Password: le due password sono diverse',
  },
};

export const apiUserStrings = (locale: Locale): ApiUserStrings => (locale === 'it' ? it : en);

export interface ApiUsersPageView {
  merchant: MerchantHeaderView;
  users: ReadonlyArray<{ id: string; env: 'test' | 'prod'; userid: string; createdAt: Date; passwordChangedAt: Date }>;
  csrf: string;
  notice?: string;
  /** A rejected form: the problem code, and what was typed (never the password). */
  problem?: string;
  values?: { env: string; userid: string };
}

// The portal's one date format (views/format.ts), as on every other page.
const stamp = (locale: Locale, d: Date): string => formatDateTime(locale, d);

function usersTable(locale: Locale, t: ApiUserStrings, view: ApiUsersPageView): SafeHtml {
  if (view.users.length === 0) return html`<p>${t.none}</p>`;
  return html`<table><thead><tr><th>${t.env}</th><th>${t.userid}</th><th>${t.created}</th><th>${t.passwordChanged}</th><th></th></tr></thead><tbody>
${view.users.map(
  (
    u,
  ) => html`<tr data-api-user="${u.userid}"><td>${u.env === 'test' ? t.test : t.prod}</td><td><code>${u.userid}</code></td><td>${stamp(locale, u.createdAt)}</td><td>${stamp(locale, u.passwordChangedAt)}</td>
<td><form method="post" action="/portal/merchants/${view.merchant.id}/api-users/${u.id}/remove"><input type="hidden" name="_csrf" value="${view.csrf}"><button type="submit" class="secondary">${t.remove}</button></form></td></tr>`,
)}</tbody></table>`;
}

function addForm(t: ApiUserStrings, view: ApiUsersPageView, envs: ReadonlyArray<'test' | 'prod'>): SafeHtml {
  if (envs.length === 0) return html`<p class="notice">${t.noPspid}</p>`;
  const invalid = view.problem === undefined ? '' : html` aria-invalid="true" aria-describedby="api-user-problem"`;
  return html`<h2>${t.add}</h2><p>${t.addHelp}</p>
${view.problem ? html`<p class="error"${REFUSAL_ATTRIBUTES} id="api-user-problem">${t.problems[view.problem] ?? view.problem}</p>` : ''}
<form method="post" action="/portal/merchants/${view.merchant.id}/api-users" accept-charset="UTF-8"><input type="hidden" name="_csrf" value="${view.csrf}">
<label for="f-env">${t.env}</label><select id="f-env" name="env">${envs.map((e) => html`<option value="${e}"${view.values?.env === e ? html` selected` : ''}>${e === 'test' ? t.test : t.prod}</option>`)}</select>
<label for="f-userid">${t.userid}</label><input id="f-userid" name="userid" required minlength="2" maxlength="50" autocomplete="off" value="${view.values?.userid ?? ''}"${invalid}>
<p><small>${t.useridHelp}</small></p>
<label for="f-password">${t.password}</label><input id="f-password" name="password" type="password" required minlength="12" maxlength="200" autocomplete="new-password"${invalid}>
<label for="f-confirm">${t.confirm}</label><input id="f-confirm" name="confirm" type="password" required minlength="12" maxlength="200" autocomplete="new-password">
<p><small>${t.passwordHelp}</small></p>
<button type="submit">${t.save}</button></form>`;
}

export function apiUsersPage(locale: Locale, view: ApiUsersPageView): SafeHtml {
  const t = apiUserStrings(locale);
  const envs = (['test', 'prod'] as const).filter((e) => view.merchant.pspids[e] !== undefined);
  return html`${envTabs(locale, view.merchant.id, 'api-users')}
<p>${t.intro}</p>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${usersTable(locale, t, view)}
${addForm(t, view, envs)}`;
}
