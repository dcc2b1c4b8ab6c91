import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import type { QueueName } from '../../kernel/home.ts';
import { formatAge, formatDateTime } from '../format.ts';

// The back office home's work queues and the page of deliveries given up (issue 14). Each queue says
// how many items wait and how long the oldest has, and links to the filtered list that clears it.

export interface QueueView {
  name: QueueName;
  count: number;
  oldest: Date | null;
}

const STRINGS = {
  en: {
    queues: 'Work queues',
    queue: 'Queue',
    waiting: 'Waiting',
    oldest: 'Oldest',
    empty: 'Nothing waits: every queue is clear.',
    names: {
      subscriptions: 'Subscription requests to decide',
      stationsToReview: 'Stations to review',
      stationsFailing: 'Stations failing verification',
      certificatesExpiring: 'Trusted CAs expiring within 30 days',
      deliveriesExhausted: 'Deliveries given up',
    },
    since: (age: string) => `${age} ago`,
    expiresIn: (age: string) => `expires in ${age}`,
    expired: 'expired',
    deliveries: 'Deliveries given up',
    deliveriesIntro:
      'Messages whose retries ran out (merchants’ server-to-server feedback, pagoPA receipts, e-mail). Once the receiver works again, give them one more try.',
    channel: 'Channel',
    organisation: 'Organisation',
    subject: 'About',
    attempts: 'Tries',
    lastError: 'Last error',
    created: 'Created',
    noneGivenUp: 'No delivery is given up.',
    noneFailing: 'No station is failing verification.',
    csv: 'Download as CSV',
    shown: (shown: number, total: number) => `Showing the newest ${shown} of ${total}.`,
    resendAll: (n: number) => `Resend all ${n}…`,
    confirmTitle: 'Resend the deliveries given up?',
    confirmText: (n: number) =>
      `${n} message(s) will be tried once more, now, by the running workers. Receivers may get a message they already processed (each carries its event id to recognise it). A message that fails again is given up again and its owner is told. This is recorded in the audit log.`,
    confirm: 'Yes, resend them',
    cancel: 'Cancel',
    resent: (n: number) => `${n} message(s) are due again.`,
  },
  it: {
    queues: 'Code di lavoro',
    queue: 'Coda',
    waiting: 'In attesa',
    oldest: 'Il più vecchio',
    empty: 'Nulla in attesa: tutte le code sono vuote.',
    names: {
      subscriptions: 'Richieste di sottoscrizione da decidere',
      stationsToReview: 'Stazioni da esaminare',
      stationsFailing: 'Stazioni con verifica fallita',
      certificatesExpiring: 'CA fidate in scadenza entro 30 giorni',
      deliveriesExhausted: 'Consegne abbandonate',
    },
    since: (age: string) => `${age} fa`,
    expiresIn: (age: string) => `scade tra ${age}`,
    expired: 'scaduto',
    deliveries: 'Consegne abbandonate',
    deliveriesIntro:
      'Messaggi per cui i tentativi sono finiti (notifiche server-to-server ai merchant, ricevute pagoPA, e-mail). Quando il destinatario funziona di nuovo, riprova una volta.',
    channel: 'Canale',
    organisation: 'Organizzazione',
    subject: 'Riguarda',
    attempts: 'Tentativi',
    lastError: 'Ultimo errore',
    created: 'Creato',
    noneGivenUp: 'Nessuna consegna abbandonata.',
    noneFailing: 'Nessuna stazione ha la verifica fallita.',
    csv: 'Scarica in CSV',
    shown: (shown: number, total: number) => `Sono mostrati i ${shown} più recenti di ${total}.`,
    resendAll: (n: number) => `Reinvia tutti i ${n}…`,
    confirmTitle: 'Reinviare le consegne abbandonate?',
    confirmText: (n: number) =>
      `${n} messaggi verranno tentati ancora una volta, ora, dai worker in esecuzione. I destinatari potrebbero ricevere un messaggio già elaborato (ognuno porta il suo event id per riconoscerlo). Un messaggio che fallisce di nuovo viene abbandonato di nuovo e il titolare viene avvisato. L’operazione è registrata nel log di audit.`,
    confirm: 'Sì, reinviali',
    cancel: 'Annulla',
    resent: (n: number) => `${n} messaggi sono di nuovo da consegnare.`,
  },
} as const;

export const queueStrings = (locale: Locale) => STRINGS[locale];

const LINKS: Record<QueueView['name'], string> = {
  subscriptions: '/admin/subscriptions?state=submitted',
  stationsToReview: '/admin/stations?filter=to_check',
  stationsFailing: '/admin/stations?filter=failing',
  certificatesExpiring: '/admin/trust',
  deliveriesExhausted: '/admin/deliveries',
};

function oldestText(locale: Locale, q: QueueView, now: Date): string {
  if (!q.oldest) return '—';
  const s = STRINGS[locale];
  const ms = now.getTime() - q.oldest.getTime();
  // For expiring certificates "oldest" is the soonest expiry, in the future.
  if (q.name === 'certificatesExpiring') return ms >= 0 ? s.expired : s.expiresIn(formatAge(locale, -ms));
  return s.since(formatAge(locale, ms));
}

export function queuesSection(locale: Locale, queues: readonly QueueView[], now: Date): SafeHtml {
  const s = STRINGS[locale];
  const waiting = queues.filter((q) => q.count > 0);
  return html`<section aria-labelledby="queues"><h2 id="queues">${s.queues}</h2>
${
  waiting.length === 0
    ? html`<p class="notice" id="queues-clear">${s.empty}</p>`
    : html`<table class="stack"><thead><tr><th scope="col">${s.queue}</th><th scope="col">${s.waiting}</th><th scope="col">${s.oldest}</th></tr></thead><tbody>
${waiting.map(
  (q) =>
    html`<tr data-queue="${q.name}"><td data-label="${s.queue}"><a href="${LINKS[q.name]}">${s.names[q.name]}</a></td><td data-label="${s.waiting}">${String(q.count)}</td><td data-label="${s.oldest}">${oldestText(locale, q, now)}</td></tr>`,
)}
</tbody></table>`
}</section>`;
}

export interface GivenUpRow {
  id: string;
  channel: string;
  organisation_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

export function deliveriesPage(locale: Locale, rows: readonly GivenUpRow[], total: number, csrf: string, notice?: string): SafeHtml {
  const s = STRINGS[locale];
  return html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}<p>${s.deliveriesIntro}</p>
${
  total === 0
    ? html`<p>${s.noneGivenUp}</p>`
    : html`<form method="post" action="/admin/deliveries/resend"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">${s.resendAll(total)}</button></form>
<p><a href="/admin/deliveries.csv" download>${s.csv}</a></p>
${rows.length < total ? html`<p>${s.shown(rows.length, total)}</p>` : ''}
<table class="stack"><thead><tr><th scope="col">${s.created}</th><th scope="col">${s.channel}</th><th scope="col">${s.organisation}</th><th scope="col">${s.subject}</th><th scope="col">${s.attempts}</th><th scope="col">${s.lastError}</th></tr></thead><tbody>
${rows.map(
  (r) =>
    html`<tr><td data-label="${s.created}">${formatDateTime(locale, r.created_at)}</td><td data-label="${s.channel}">${r.channel}</td><td data-label="${s.organisation}">${r.organisation_id ? html`<a href="/admin/organisations/${r.organisation_id}">${r.organisation_id}</a>` : '—'}</td><td data-label="${s.subject}">${r.subject_type ?? ''} ${r.subject_id ?? ''}</td><td data-label="${s.attempts}">${String(r.attempts)}</td><td data-label="${s.lastError}">${r.last_error ?? ''}</td></tr>`,
)}
</tbody></table>`
}`;
}

export function resendConfirmPage(locale: Locale, count: number, csrf: string): SafeHtml {
  const s = STRINGS[locale];
  return html`<p>${s.confirmText(count)}</p>
<form method="post" action="/admin/deliveries/resend"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="confirm" value="${String(count)}">
<button type="submit">${s.confirm}</button> <a href="/admin/deliveries">${s.cancel}</a></form>`;
}
