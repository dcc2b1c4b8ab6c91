import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { actionWords, WORDED_ACTIONS } from '../shared/timeline.ts';
import { refusal } from '../shared/message.ts';
import type { AuditCheck } from '../../kernel/audit-viewer.ts';

// The back office's audit log: who did what, to what, when and from where, newest first, a page at a
// time; searchable by organisation, action, who and subject, downloadable as CSV; and the chain's
// check (`varco audit verify`) a click away. Every value comes from the log and is escaped.

export const ACTOR_TYPES = ['admin', 'referent', 'cli', 'system', 'anonymous', 'subscription'] as const;

const EN = {
  title: 'Audit log',
  intro:
    'Every change Varco records — by administrators, referents, the CLI and Varco itself — in one append-only chain. Rows cannot be edited or deleted; the check below proves it with the master key.',
  organisation: 'Organisation',
  organisationHint: 'Part of its name or tax code, or its id (org_…).',
  organisationNamed: (name: string) => `The organisation ${name}.`,
  organisationUnknown: 'No organisation has this id.',
  action: 'Action (code or its start)',
  actionHint: 'For example subscription. for every subscription event, or sign_in.failed.',
  kind: 'Done by',
  anyKind: 'Anyone',
  email: 'E-mail contains',
  subject: 'Subject id',
  from: 'From (date)',
  to: 'To (date, included)',
  dateHint: 'Dates are UTC days.',
  search: 'Search',
  clearSearch: 'Clear',
  when: 'When',
  what: 'What',
  who: 'Who',
  about: 'About',
  details: 'Details',
  noMatch: 'No row matches the search.',
  empty: 'Nothing recorded yet.',
  older: 'Older rows',
  newest: 'Newest rows',
  csv: 'Download the search as CSV',
  verify: 'Check the chain',
  verifyIntro: 'Checks every row’s keyed hash and the signed checkpoint, as npx varco audit verify does. On a long log this takes a while.',
  verifyTitle: 'Audit log check',
  verifyAgain: 'Check again',
  busy: 'Another check of the chain is running (started by an administrator on this or another instance). Try again when it has finished.',
  verified: (n: number) => `The chain is intact: ${n} rows checked, up to the newest checkpoint.`,
  checkpoint: (at: string, signed: boolean) => `Newest checkpoint: ${at}${signed ? ', signed with the master key' : ', unsigned (written before keyed rows)'}.`,
  broken: {
    row: (seq: number) => `A row does not match the chain (seq ${seq}): it was edited, or written without the master key.`,
    missing: (seq: number) => `Rows are missing after seq ${seq}: the newest rows were deleted.`,
    checkpoint: () => 'The newest checkpoint does not match the log: it was forged, deleted or signed with another key.',
  },
  problem: 'Technical detail',
  checked: (n: number) => `${n} rows were intact before it.`,
  report: 'Treat this as a security incident: keep a copy of the database and follow docs/operations.',
  back: 'Back to the audit log',
  kinds: { admin: 'Administrator', referent: 'Referent', cli: 'Operator (CLI)', system: 'Varco', anonymous: 'Not signed in', subscription: 'API client (key)' },
};
const IT: typeof EN = {
  title: 'Registro di audit',
  intro:
    'Ogni modifica registrata da Varco — di amministratori, referenti, della CLI e di Varco stesso — in un’unica catena in sola aggiunta. Le righe non possono essere modificate né cancellate; la verifica qui sotto lo dimostra con la chiave master.',
  organisation: 'Organizzazione',
  organisationHint: 'Parte del nome o del codice fiscale, oppure il suo id (org_…).',
  organisationNamed: (name: string) => `L’organizzazione ${name}.`,
  organisationUnknown: 'Nessuna organizzazione ha questo id.',
  action: 'Azione (codice o il suo inizio)',
  actionHint: 'Per esempio subscription. per ogni evento delle sottoscrizioni, oppure sign_in.failed.',
  kind: 'Eseguita da',
  anyKind: 'Chiunque',
  email: 'L’e-mail contiene',
  subject: 'Id dell’oggetto',
  from: 'Dal (data)',
  to: 'Al (data, inclusa)',
  dateHint: 'Le date sono giorni UTC.',
  search: 'Cerca',
  clearSearch: 'Azzera',
  when: 'Quando',
  what: 'Cosa',
  who: 'Chi',
  about: 'Oggetto',
  details: 'Dettagli',
  noMatch: 'Nessuna riga corrisponde alla ricerca.',
  empty: 'Ancora nulla di registrato.',
  older: 'Righe precedenti',
  newest: 'Righe più recenti',
  csv: 'Scarica la ricerca in CSV',
  verify: 'Verifica la catena',
  verifyIntro: 'Controlla l’hash con chiave di ogni riga e il checkpoint firmato, come npx varco audit verify. Su un registro lungo richiede un po’ di tempo.',
  verifyTitle: 'Verifica del registro di audit',
  verifyAgain: 'Verifica di nuovo',
  busy: 'È già in corso un’altra verifica della catena (avviata da un amministratore su questa o un’altra istanza). Riprova quando è terminata.',
  verified: (n: number) => `La catena è integra: ${n} righe controllate, fino al checkpoint più recente.`,
  checkpoint: (at: string, signed: boolean) =>
    `Checkpoint più recente: ${at}${signed ? ', firmato con la chiave master' : ', non firmato (scritto prima delle righe con chiave)'}.`,
  broken: {
    row: (seq: number) => `Una riga non corrisponde alla catena (seq ${seq}): è stata modificata o scritta senza la chiave master.`,
    missing: (seq: number) => `Mancano righe dopo seq ${seq}: le righe più recenti sono state cancellate.`,
    checkpoint: () => 'Il checkpoint più recente non corrisponde al registro: è falsificato, cancellato o firmato con un’altra chiave.',
  },
  problem: 'Dettaglio tecnico',
  checked: (n: number) => `${n} righe precedenti sono integre.`,
  report: 'Trattalo come un incidente di sicurezza: conserva una copia del database e segui docs/operations.',
  back: 'Torna al registro di audit',
  kinds: {
    admin: 'Amministratore',
    referent: 'Referente',
    cli: 'Operatore (CLI)',
    system: 'Varco',
    anonymous: 'Non autenticato',
    subscription: 'Client API (chiave)',
  },
};
/** For the test that compares the languages (test/support/string-tables.ts). */
export const AUDIT_TABLES = { page: { en: EN, it: IT } };
const words = (locale: Locale): typeof EN => (locale === 'it' ? IT : EN);

export interface AuditFilterValues {
  org: string;
  action: string;
  kind: string;
  who: string;
  subject: string;
  from: string;
  to: string;
}

export interface AuditLineView {
  seq: number;
  at: Date;
  action: string;
  actorType: string;
  email: string | null;
  actorId: string | null;
  ip: string | null;
  organisationId: string | null;
  organisationName: string | null;
  subjectType: string | null;
  subjectId: string | null;
  details: Record<string, unknown>;
}

export interface AuditPageView {
  /** Why the search was refused (in the page's language): shown above the form, focused; no rows. */
  problem?: string;
  filter: AuditFilterValues;
  /** The organisation's name when the search names one by id (the link from its page); null: no organisation has that id. */
  organisationName?: string | null;
  rows: readonly AuditLineView[];
  olderHref: string | null;
  newestHref: string | null;
  csvHref: string;
}

/** The back office page of a subject, where there is one. */
function subjectHref(type: string, id: string): string | null {
  switch (type) {
    case 'subscription':
      return `/admin/subscriptions/${encodeURIComponent(id)}`;
    case 'station':
      return `/admin/stations/${encodeURIComponent(id)}`;
    case 'proposal':
      return `/admin/proposals/${encodeURIComponent(id)}`;
    case 'organisation':
      return `/admin/organisations/${encodeURIComponent(id)}`;
    default:
      return null;
  }
}

function detailText(value: unknown): string {
  if (value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function detailsCell(details: Record<string, unknown>): SafeHtml | '' {
  const entries = Object.entries(details);
  if (entries.length === 0) return '';
  // Recorded data, not words of the page: as code (the language check and screen readers read it as such).
  return html`<dl class="details">${entries.map(([name, value]) => html`<dt><code>${name}</code></dt><dd><code>${detailText(value)}</code></dd>`)}</dl>`;
}

function who(locale: Locale, r: AuditLineView): SafeHtml {
  const t = words(locale);
  const kind = (t.kinds as Record<string, string>)[r.actorType] ?? r.actorType;
  const name = r.email ?? (r.actorId && r.actorType !== 'system' ? r.actorId : null);
  return html`${name ? html`${name}<br><small>${kind}</small>` : kind}${r.ip ? html`<br><small>${r.ip}</small>` : ''}`;
}

function about(r: AuditLineView): SafeHtml {
  const organisation = r.organisationId
    ? html`<a href="/admin/organisations/${encodeURIComponent(r.organisationId)}">${r.organisationName ?? r.organisationId}</a>`
    : '';
  const href = r.subjectType && r.subjectId ? subjectHref(r.subjectType, r.subjectId) : null;
  const subject = r.subjectId
    ? html`<small>${r.subjectType ?? ''}</small> ${href ? html`<a href="${href}"><code>${r.subjectId}</code></a>` : html`<code>${r.subjectId}</code>`}`
    : '';
  return html`${organisation}${organisation && subject ? html`<br>` : ''}${subject}`;
}

function searchForm(locale: Locale, view: AuditPageView): SafeHtml {
  const t = words(locale);
  const f = view.filter;
  const selected = (a: string, b: string) => (a === b ? ' selected' : '');
  return html`<form method="get" action="/admin/audit" class="search" aria-label="${t.search}">
<label for="a-org">${t.organisation}</label><input id="a-org" name="org" maxlength="100" value="${f.org}" aria-describedby="a-org-hint">
<p id="a-org-hint"><small>${view.organisationName === undefined ? t.organisationHint : view.organisationName === null ? t.organisationUnknown : t.organisationNamed(view.organisationName)}</small></p>
<label for="a-action">${t.action}</label><input id="a-action" name="action" maxlength="80" list="a-actions" value="${f.action}" aria-describedby="a-action-hint" autocomplete="off">
<datalist id="a-actions">${WORDED_ACTIONS.map((a) => html`<option value="${a}">${actionWords(locale, a)}</option>`)}</datalist>
<p id="a-action-hint"><small>${t.actionHint}</small></p>
<label for="a-kind">${t.kind}</label><select id="a-kind" name="kind"><option value="">${t.anyKind}</option>${ACTOR_TYPES.map(
    (k) => html`<option value="${k}"${selected(f.kind, k)}>${t.kinds[k]}</option>`,
  )}</select>
<label for="a-who">${t.email}</label><input id="a-who" name="who" maxlength="100" value="${f.who}">
<label for="a-subject">${t.subject}</label><input id="a-subject" name="subject" maxlength="64" value="${f.subject}">
<label for="a-from">${t.from}</label><input id="a-from" name="from" type="date" value="${f.from}" aria-describedby="a-dates">
<label for="a-to">${t.to}</label><input id="a-to" name="to" type="date" value="${f.to}" aria-describedby="a-dates">
<p id="a-dates"><small>${t.dateHint}</small></p>
<button type="submit">${t.search}</button> <a href="/admin/audit">${t.clearSearch}</a></form>`;
}

function table(locale: Locale, rows: readonly AuditLineView[]): SafeHtml {
  const t = words(locale);
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${t.title}"><table><thead><tr><th>${t.when}</th><th>${t.what}</th><th>${t.who}</th><th>${t.about}</th><th>${t.details}</th></tr></thead><tbody>
${rows.map(
  (r) =>
    html`<tr data-audit="${r.seq}"><td><time datetime="${r.at.toISOString()}">${formatDateTime(locale, r.at, { seconds: true })}</time></td><td>${actionWords(locale, r.action) !== r.action ? html`${actionWords(locale, r.action)}<br>` : ''}<code>${r.action}</code></td><td>${who(locale, r)}</td><td>${about(r)}</td><td>${detailsCell(r.details)}</td></tr>`,
)}
</tbody></table></div>`;
}

export function auditPageTitle(locale: Locale): string {
  return words(locale).title;
}

export function auditPage(locale: Locale, view: AuditPageView): SafeHtml {
  const t = words(locale);
  const filtered = Object.values(view.filter).some((v) => v !== '');
  return html`<p>${t.intro}</p>
<p><a href="/admin/audit/verify">${t.verify}</a></p>
${view.problem ? refusal(view.problem) : ''}${searchForm(locale, view)}
${view.problem ? '' : view.rows.length === 0 ? html`<p>${filtered ? t.noMatch : t.empty}</p>` : table(locale, view.rows)}
<p>${view.newestHref ? html`<a href="${view.newestHref}" rel="first">${t.newest}</a> ` : ''}${view.olderHref ? html`<a href="${view.olderHref}" rel="next">${t.older}</a>` : ''}</p>
${view.rows.length > 0 ? html`<p><a href="${view.csvHref}" download>${t.csv}</a></p>` : ''}`;
}

export function auditCheckTitle(locale: Locale): string {
  return words(locale).verifyTitle;
}

/** The check's page: its button, and once run its verdict ('busy': another check is running). */
export function auditCheckPage(locale: Locale, view: { csrf: string; check?: AuditCheck | 'busy' }): SafeHtml {
  const t = words(locale);
  const { check } = view;
  const verdict =
    check === undefined
      ? ''
      : check === 'busy'
        ? html`<p class="warning" role="status" data-audit-check="busy">${t.busy}</p>`
        : check.ok
          ? html`<p class="notice" role="status" data-audit-check="ok">✔ ${t.verified(check.checked)}</p>
<p>${t.checkpoint(formatDateTime(locale, check.checkpointAt, { seconds: true }), check.signed)}</p>`
          : html`<div class="error" role="alert" data-audit-check="${check.kind}"><p>✘ ${t.broken[check.kind](check.seq)}</p><p>${t.checked(check.checked)}</p>
<p>${t.problem}: <code>${check.problem}</code></p><p>${t.report}</p></div>`;
  return html`${verdict}<p>${t.verifyIntro}</p>
<form method="post" action="/admin/audit/verify"><input type="hidden" name="_csrf" value="${view.csrf}"><button type="submit">${check === undefined ? t.verify : t.verifyAgain}</button></form>
<p><a href="/admin/audit">${t.back}</a></p>`;
}
