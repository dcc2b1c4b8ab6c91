import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import type { ChecklistStep, ChecklistStepId } from '../../kernel/home.ts';

// The portal home's onboarding checklist (issue 14): each step done (✓), the next one highlighted with
// where to do it, the rest waiting.

const STEPS: Record<Locale, Record<ChecklistStepId, { label: string; href: string; merchantLabel?: string }>> = {
  en: {
    profile: { label: 'Organisation profile', href: '/portal' },
    subscription: { label: 'Request a subscription to a product', href: '/portal/products' },
    approval: { label: 'Subscription approved by Varco', href: '/portal/subscriptions' },
    keys: { label: 'Reveal and store your API keys', href: '/portal/subscriptions' },
    settings: { label: 'Technical information: SHA-IN passphrase and URLs', href: '/portal/merchant' },
    station: { label: 'Register your station (primary and DR site) and get it approved', href: '/portal/stations' },
    verification: { label: 'Two-way verification of the station passes', href: '/portal/stations' },
    inbound: { label: 'First call to Varco with your key', href: '/api/docs' },
    first: { label: 'First pagoPA message through Varco', href: '/portal/pagopa/exchanges', merchantLabel: 'First order from your shop' },
  },
  it: {
    profile: { label: "Profilo dell'organizzazione", href: '/portal' },
    subscription: { label: 'Richiedi la sottoscrizione a un prodotto', href: '/portal/products' },
    approval: { label: 'Sottoscrizione approvata da Varco', href: '/portal/subscriptions' },
    keys: { label: 'Mostra e conserva le chiavi API', href: '/portal/subscriptions' },
    settings: { label: 'Informazioni tecniche: passphrase SHA-IN e URL', href: '/portal/merchant' },
    station: { label: 'Registra la stazione (sito primario e DR) e falla approvare', href: '/portal/stations' },
    verification: { label: 'La verifica bidirezionale della stazione riesce', href: '/portal/stations' },
    inbound: { label: 'Prima chiamata a Varco con la tua chiave', href: '/api/docs' },
    first: { label: 'Primo messaggio pagoPA attraverso Varco', href: '/portal/pagopa/exchanges', merchantLabel: 'Primo ordine dal tuo negozio' },
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
  return html`<li data-step="${step.id}" data-state="${state}">${state === 'next' ? html`<a href="${text.href}"><strong>${label}</strong></a>` : label} <span class="tag">(${step.done ? `✓ ${w.done}` : state === 'next' ? w.next : w.todo})</span></li>`;
})}
</ol>
<p><a href="/api/docs">${w.apiDocs}</a></p></section>`;
}
