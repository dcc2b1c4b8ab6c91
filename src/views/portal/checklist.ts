import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import type { ChecklistStep, ChecklistStepId } from '../../kernel/home.ts';

// The portal home's onboarding checklist (issue 14): each step done (✓), the next one highlighted with
// where to do it, the rest waiting.

/** Where each step is done (the same page in both languages). */
const HREF: Record<ChecklistStepId, string> = {
  profile: '/portal',
  subscription: '/portal/products',
  approval: '/portal/subscriptions',
  keys: '/portal/subscriptions',
  settings: '/portal/merchant',
  station: '/portal/stations',
  verification: '/portal/stations',
  inbound: '/api/docs',
  first: '/portal/pagopa/exchanges',
};
/** A merchant's steps that are done elsewhere: its first order shows on the orders page. */
const MERCHANT_HREF: Partial<Record<ChecklistStepId, string>> = { first: '/portal/orders' };

const STEPS: Record<Locale, Record<ChecklistStepId, { label: string; merchantLabel?: string }>> = {
  en: {
    profile: { label: 'Organisation profile' },
    subscription: { label: 'Request a subscription to a product' },
    approval: { label: 'Subscription approved by Varco' },
    keys: { label: 'Reveal and store your API keys' },
    settings: { label: 'Technical information: SHA-IN passphrase and URLs' },
    station: { label: 'Register your station (primary and DR site) and get it approved' },
    verification: { label: 'Two-way verification of the station passes' },
    inbound: { label: 'First call to Varco with your key' },
    first: { label: 'First pagoPA message through Varco', merchantLabel: 'First order from your shop' },
  },
  it: {
    profile: { label: "Profilo dell'organizzazione" },
    subscription: { label: 'Richiedi la sottoscrizione a un prodotto' },
    approval: { label: 'Sottoscrizione approvata da Varco' },
    keys: { label: 'Mostra e conserva le chiavi API' },
    settings: { label: 'Informazioni tecniche: passphrase SHA-IN e URL' },
    station: { label: 'Registra la stazione (sito primario e DR) e falla approvare' },
    verification: { label: 'La verifica bidirezionale della stazione riesce' },
    inbound: { label: 'Prima chiamata a Varco con la tua chiave' },
    first: { label: 'Primo messaggio pagoPA attraverso Varco', merchantLabel: 'Primo ordine dal tuo negozio' },
  },
};

const WORDS = {
  en: { title: 'Getting connected', done: 'done', next: 'next', todo: 'to do', all: 'All set: your organisation is connected.', apiDocs: 'API documentation' },
  it: {
    title: 'Collegamento',
    done: 'fatto',
    next: 'prossimo',
    todo: 'da fare',
    all: 'Tutto pronto: la tua organizzazione è collegata.',
    apiDocs: 'Documentazione API',
  },
} as const;

export function checklistSection(locale: Locale, steps: readonly ChecklistStep[], merchant: boolean): SafeHtml {
  const w = WORDS[locale];
  const next = steps.find((s) => !s.done)?.id;
  return html`<section aria-labelledby="checklist"><h2 id="checklist">${w.title}</h2>
${next === undefined ? html`<p class="notice" id="checklist-done">${w.all}</p>` : ''}
<ol class="checklist">
${steps.map((step) => {
  const text = STEPS[locale][step.id];
  const label = merchant && text.merchantLabel ? text.merchantLabel : text.label;
  const state = step.done ? 'done' : step.id === next ? 'next' : 'todo';
  return html`<li data-step="${step.id}" data-state="${state}">${state === 'next' ? html`<a href="${(merchant ? MERCHANT_HREF[step.id] : undefined) ?? HREF[step.id]}"><strong>${label}</strong></a>` : label} <span class="tag">(${step.done ? `✓ ${w.done}` : state === 'next' ? w.next : w.todo})</span></li>`;
})}
</ol>
<p><a href="/api/docs">${w.apiDocs}</a></p></section>`;
}
