import { html, raw, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { refusal } from '../shared/message.ts';

// The back office Mail page: what Varco sent or would send. Links in the text part are clickable;
// the HTML part is shown as escaped source, never rendered: its parameters come from outside.
// An invitation's or a password reset's link is not stored (it is made when the e-mail is sent): the
// page shows the e-mail without it and, while the invitation or request is open, a "Create link" button
// whose answer shows a fresh link once. Without SMTP that is how a first-time administrator onboards a
// referent, or lets one who forgot the password back in.

export interface MailRow {
  id: string;
  to: string;
  subject: string;
  /** The language the e-mail is written in (its recipient's), which may differ from the page's. */
  mailLocale: Locale;
  state: 'pending' | 'held' | 'delivered' | 'dead' | 'exhausted';
  attempts: number;
  createdAt: Date;
  lastError: string | null;
}

export interface MailAttempt {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  ok: boolean;
  error: string | null;
  worker: string | null;
}

/** The e-mails whose link is made at send time, and so may get a "Create link" section. */
export type LinkKind = 'invitation' | 'password_reset';
export type LinkState = 'valid' | 'used' | 'superseded' | 'expired' | 'unknown';

/** The "Create link" section of an invitation or password reset e-mail (none for other e-mails). */
export interface LinkSection {
  kind: LinkKind;
  /** Open invitations and requests get the button; the others say why there is none. */
  state: LinkState;
  action: string;
  csrf: string;
}

export interface MailDetail extends MailRow {
  template: string;
  text: string;
  html: string;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
  attemptLog: MailAttempt[];
  link?: LinkSection;
}

const T = {
  en: {
    to: 'To',
    subject: 'Subject',
    state: 'State',
    attempts: 'Attempts',
    created: 'Created',
    lastError: 'Last error',
    none: 'No e-mails yet.',
    search: 'Search',
    clearSearch: 'Clear',
    toContains: 'Recipient contains',
    anyState: 'any state',
    noMatch: 'No e-mail matches the search.',
    older: 'Older e-mails',
    newest: 'Newest e-mails',
    notSending:
      'No SMTP server is configured (VARCO_SMTP_URL), so e-mails are not sent: they wait here. Open one to read it; for an invitation or a password reset, press "Create link" there and pass the link on.',
    sending: 'E-mails are sent over SMTP; the latest are listed here.',
    back: 'All e-mails',
    language: 'Language',
    template: 'Template',
    delivered: 'Delivered',
    next: 'Next attempt',
    text: 'Text',
    htmlSource: 'HTML part (source)',
    attemptLog: 'Delivery attempts',
    attempt: 'Attempt',
    started: 'Started',
    duration: 'Duration',
    result: 'Result',
    worker: 'Worker',
    title: 'Mail',
    detailTitle: 'E-mail',
    locales: { en: 'English', it: 'Italian' },
    ok: 'sent',
    failed: 'failed',
    noAttempts: 'Not attempted yet.',
    unreadable: '(unreadable message)',
    states: { pending: 'waiting', held: 'held', delivered: 'sent', dead: 'given up', exhausted: 'retries exhausted' },
    linkPlaceholder: '[the link is made when the e-mail is sent, or with "Create link" on the back office Mail page]',
    createLink: 'Create link',
    links: {
      invitation: {
        heading: 'Invitation link',
        help: 'The link is not stored: it is made when the e-mail is sent. "Create link" makes one now and shows it once; pass it on to the invitee yourself. Each new link (this button, or the e-mail being sent) replaces the previous one.',
        created:
          'A new invitation link for {email}. It is shown only now: copy it and pass it on. It works once, until the invitation expires, and a newer link replaces it.',
        refused: {
          used: 'The invitation was accepted already: no link is needed.',
          superseded: 'A newer invitation replaced this one: use that e-mail.',
          expired: "The invitation has expired: send a new link from the organisation's page.",
          unknown: 'No such invitation.',
        },
      },
      password_reset: {
        heading: 'Password reset link',
        help: 'The link is not stored: it is made when the e-mail is sent. "Create link" makes one now and shows it once; pass it on only to the person who asked, once you are sure it is them. Each new link (this button, or the e-mail being sent) replaces the previous one.',
        created:
          'A new password reset link for {email}. It is shown only now: copy it and pass it on. It works once, until the request expires (30 minutes after it was made), and a newer link replaces it.',
        refused: {
          used: 'The password was reset with this request already: no link is needed.',
          superseded: 'A newer request replaced this one: use that e-mail.',
          expired: 'The request has expired, or a newer one replaced it: the person asks again with "Forgot your password?" on the sign-in page.',
          unknown: 'No such password reset request.',
        },
      },
    },
  },
  it: {
    to: 'A',
    subject: 'Oggetto',
    state: 'Stato',
    attempts: 'Tentativi',
    created: 'Creato',
    lastError: 'Ultimo errore',
    none: 'Nessuna e-mail.',
    search: 'Cerca',
    clearSearch: 'Azzera',
    toContains: 'Il destinatario contiene',
    anyState: 'qualsiasi stato',
    noMatch: 'Nessuna e-mail corrisponde alla ricerca.',
    older: 'E-mail precedenti',
    newest: 'E-mail più recenti',
    notSending:
      'Nessun server SMTP configurato (VARCO_SMTP_URL): le e-mail non vengono inviate e restano qui. Aprine una per leggerla; per un invito o un ripristino della password premi lì "Crea link" e inoltra il link.',
    sending: 'Le e-mail vengono inviate via SMTP; qui ci sono le più recenti.',
    back: 'Tutte le e-mail',
    language: 'Lingua',
    template: 'Modello',
    delivered: 'Inviata',
    next: 'Prossimo tentativo',
    text: 'Testo',
    htmlSource: 'Parte HTML (sorgente)',
    attemptLog: 'Tentativi di invio',
    attempt: 'Tentativo',
    started: 'Inizio',
    duration: 'Durata',
    result: 'Esito',
    worker: 'Worker',
    title: 'Posta',
    detailTitle: 'E-mail',
    locales: { en: 'inglese', it: 'italiano' },
    ok: 'inviata',
    failed: 'fallito',
    noAttempts: 'Nessun tentativo finora.',
    unreadable: '(messaggio illeggibile)',
    states: { pending: 'in attesa', held: 'trattenuta', delivered: 'inviata', dead: 'abbandonata', exhausted: 'tentativi esauriti' },
    linkPlaceholder: '[il link viene creato all\'invio dell\'e-mail, oppure con "Crea link" nella pagina Posta del back office]',
    createLink: 'Crea link',
    links: {
      invitation: {
        heading: "Link d'invito",
        help: "Il link non viene conservato: è creato quando l'e-mail parte. \"Crea link\" ne crea uno ora e lo mostra una sola volta; inoltralo tu all'invitato. Ogni nuovo link (questo pulsante, o l'invio dell'e-mail) sostituisce il precedente.",
        created:
          "Un nuovo link d'invito per {email}. È mostrato solo ora: copialo e inoltralo. Funziona una volta, fino alla scadenza dell'invito, e un link più recente lo sostituisce.",
        refused: {
          used: "L'invito è già stato accettato: non serve un link.",
          superseded: "Un invito più recente ha sostituito questo: usa quell'e-mail.",
          expired: "L'invito è scaduto: invia un nuovo link dalla pagina dell'organizzazione.",
          unknown: 'Invito inesistente.',
        },
      },
      password_reset: {
        heading: 'Link per reimpostare la password',
        help: "Il link non viene conservato: è creato quando l'e-mail parte. \"Crea link\" ne crea uno ora e lo mostra una sola volta; inoltralo solo alla persona che l'ha chiesto, dopo esserti accertato che sia lei. Ogni nuovo link (questo pulsante, o l'invio dell'e-mail) sostituisce il precedente.",
        created:
          'Un nuovo link per reimpostare la password di {email}. È mostrato solo ora: copialo e inoltralo. Funziona una volta, fino alla scadenza della richiesta (30 minuti dopo che è stata fatta), e un link più recente lo sostituisce.',
        refused: {
          used: 'La password è già stata reimpostata con questa richiesta: non serve un link.',
          superseded: "Una richiesta più recente ha sostituito questa: usa quell'e-mail.",
          expired: 'La richiesta è scaduta, o una più recente l\'ha sostituita: la persona la ripete con "Password dimenticata?" nella pagina di accesso.',
          unknown: 'Richiesta di reimpostazione della password inesistente.',
        },
      },
    },
  },
} as const;

/** Titles of the Mail pages (`link`: of the answer to "Create link"). */
export const mailTitles = (locale: Locale, kind: LinkKind = 'invitation'): { list: string; detail: string; link: string } => ({
  list: T[locale].title,
  detail: T[locale].detailTitle,
  link: T[locale].links[kind].heading,
});

// Trailing punctuation is prose, not part of the address.
const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/g;

/** Text with its http(s) addresses as anchors; everything else escaped. */
export function linkify(text: string): SafeHtml {
  const parts: Array<SafeHtml | string> = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(/[.,;:!?)\]]+$/, '');
    parts.push(text.slice(last, match.index), html`<a href="${url}" rel="noopener noreferrer">${url}</a>`);
    last = match.index + url.length;
  }
  parts.push(text.slice(last));
  return html`${parts}`;
}

const MAIL_STATES = ['pending', 'held', 'delivered', 'dead', 'exhausted'] as const;

/** The list's search form as typed (empty when not set). */
export interface MailFilterValues {
  to: string;
  state: string;
}

export interface MailListView {
  /** Why the search was refused (in the page's language): shown above the search form, focused; no rows. */
  problem?: string;
  rows: MailRow[];
  sending: boolean;
  filter: MailFilterValues;
  olderHref: string | null;
  newestHref: string | null;
}

export function mailListPage(locale: Locale, view: MailListView): SafeHtml {
  const t = T[locale];
  const date = (d: Date): string => formatDateTime(locale, d, { seconds: true });
  const { rows, filter: f } = view;
  const filtered = f.to !== '' || f.state !== '';
  return html`<p class="notice" role="status">${view.sending ? t.sending : t.notSending}</p>
${view.problem ? refusal(view.problem) : ''}<form method="get" action="/admin/mail" class="search" aria-label="${t.search}">
<label for="m-to">${t.toContains}</label><input id="m-to" name="to" maxlength="254" value="${f.to}">
<label for="m-state">${t.state}</label><select id="m-state" name="state"><option value="">${t.anyState}</option>${MAIL_STATES.map(
    (s) => html`<option value="${s}"${f.state === s ? ' selected' : ''}>${t.states[s]}</option>`,
  )}</select>
<button type="submit">${t.search}</button> <a href="/admin/mail">${t.clearSearch}</a></form>
${
  view.problem
    ? ''
    : rows.length === 0
      ? html`<p>${filtered ? t.noMatch : t.none}</p>`
      : html`<table><thead><tr><th>${t.to}</th><th>${t.subject}</th><th>${t.state}</th><th>${t.attempts}</th><th>${t.created}</th><th>${t.lastError}</th></tr></thead><tbody>
${rows.map((m) => html`<tr><td>${m.to}</td><td><a href="/admin/mail/${m.id}"${m.subject ? html` lang="${m.mailLocale}"` : ''}>${m.subject || t.unreadable}</a></td><td>${t.states[m.state]}</td><td>${m.attempts}</td><td>${date(m.createdAt)}</td><td>${m.lastError ?? ''}</td></tr>\n`)}
</tbody></table>`
}
<p>${view.newestHref ? html`<a href="${view.newestHref}" rel="first">${t.newest}</a> ` : ''}${view.olderHref ? html`<a href="${view.olderHref}" rel="next">${t.older}</a>` : ''}</p>`;
}

export function mailDetailPage(locale: Locale, m: MailDetail): SafeHtml {
  const t = T[locale];
  const date = (d: Date): string => formatDateTime(locale, d, { seconds: true });
  return html`<p><a href="/admin/mail">${t.back}</a></p>
<table>
<tr><th>${t.to}</th><td>${m.to}</td></tr>
<tr><th>${t.subject}</th><td lang="${m.mailLocale}">${m.subject}</td></tr>
<tr><th>${t.state}</th><td>${t.states[m.state]}</td></tr>
<tr><th>${t.template}</th><td><code>${m.template}</code> · ${t.language}: ${t.locales[m.mailLocale]}</td></tr>
<tr><th>${t.created}</th><td>${date(m.createdAt)}</td></tr>
${m.deliveredAt ? html`<tr><th>${t.delivered}</th><td>${date(m.deliveredAt)}</td></tr>` : ''}
${m.state === 'pending' ? html`<tr><th>${t.next}</th><td>${date(m.nextAttemptAt)}</td></tr>` : ''}
<tr><th>${t.attempts}</th><td>${m.attempts}</td></tr>
${m.lastError ? html`<tr><th>${t.lastError}</th><td>${m.lastError}</td></tr>` : ''}
</table>
${m.link ? linkSection(locale, m.link) : ''}
<h2>${t.text}</h2>
<pre class="wrap" lang="${m.mailLocale}">${linkify(m.text)}</pre>
<details><summary>${t.htmlSource}</summary><pre class="wrap" lang="${m.mailLocale}">${m.html}</pre></details>
<h2>${t.attemptLog}</h2>
${
  m.attemptLog.length === 0
    ? html`<p>${t.noAttempts}</p>`
    : html`<table><thead><tr><th>${t.attempt}</th><th>${t.started}</th><th>${t.duration}</th><th>${t.result}</th><th>${t.worker}</th></tr></thead><tbody>
${m.attemptLog.map((a) => html`<tr><td>${a.attempt}</td><td>${date(a.startedAt)}</td><td>${a.durationMs} ms</td><td>${a.ok ? t.ok : html`${t.failed}: ${a.error ?? ''}`}</td><td>${a.worker ?? ''}</td></tr>\n`)}
</tbody></table>`
}`;
}

/** What the Mail page shows in place of a parameter made at send time, in the e-mail's language. */
export function sendTimePlaceholder(mailLocale: Locale): string {
  return T[mailLocale].linkPlaceholder;
}

// What tests and scripts find the shown link by (markup, not wording).
const LINK_MARKER: Record<LinkKind, SafeHtml> = { invitation: raw('data-invitation-link'), password_reset: raw('data-reset-link') };

function linkSection(locale: Locale, s: LinkSection): SafeHtml {
  const t = T[locale];
  const words = t.links[s.kind];
  return html`<h2>${words.heading}</h2>
${
  s.state === 'valid'
    ? html`<p>${words.help}</p>
<form method="post" action="${s.action}"><input type="hidden" name="_csrf" value="${s.csrf}"><button type="submit">${t.createLink}</button></form>`
    : html`<p>${words.refused[s.state]}</p>`
}`;
}

/** The answer to "Create link": the link, shown this once. */
export function linkCreatedPage(locale: Locale, view: { kind: LinkKind; mailId: string; email: string; link: string }): SafeHtml {
  const t = T[locale];
  return html`<p class="notice" role="status">${t.links[view.kind].created.replace('{email}', view.email)}</p>
<p><a href="${view.link}" rel="noopener noreferrer" ${LINK_MARKER[view.kind]}>${view.link}</a></p>
<p><a href="/admin/mail/${view.mailId}">${t.back}</a></p>`;
}

export function linkRefusedPage(locale: Locale, view: { kind: LinkKind; mailId: string; state: Exclude<LinkState, 'valid'> }): SafeHtml {
  const t = T[locale];
  return html`${refusal(t.links[view.kind].refused[view.state])}
<p><a href="/admin/mail/${view.mailId}">${t.back}</a></p>`;
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const MAIL_PAGE_TABLES = { pages: T };
