import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { fieldLabel } from './strings.ts';

// "Copy test to production", asked first (issue 14): what changes in production, setting by setting,
// and the production SHA-IN passphrase kept unless the referent ticks its replacement.

const STRINGS = {
  en: {
    title: 'Copy test to production?',
    intro: 'These production settings change to the test values. Nothing changes until you confirm.',
    none: 'Production already has the test settings: nothing would change.',
    setting: 'Setting',
    testValue: 'Test (copied)',
    prodValue: 'Production now',
    shaInKept: 'The production SHA-IN passphrase stays as it is: your production shop keeps working.',
    shaInReplace:
      'Also replace the production SHA-IN passphrase with a new random one (shown once). Your production shop must use it at once, or its payments are refused.',
    shaInNew: 'Production has no SHA-IN passphrase yet: a new random one is made and shown once.',
    confirm: 'Copy to production',
    cancel: 'Cancel',
    kept: 'The production SHA-IN passphrase was kept.',
    yes: 'yes',
    no: 'no',
  },
  it: {
    title: 'Copiare il collaudo in produzione?',
    intro: 'Queste impostazioni di produzione prendono i valori di collaudo. Nulla cambia finché non confermi.',
    none: 'La produzione ha già le impostazioni di collaudo: non cambierebbe nulla.',
    setting: 'Impostazione',
    testValue: 'Collaudo (copiato)',
    prodValue: 'Produzione ora',
    shaInKept: 'La passphrase SHA-IN di produzione resta com’è: il negozio di produzione continua a funzionare.',
    shaInReplace:
      'Sostituisci anche la passphrase SHA-IN di produzione con una nuova casuale (mostrata una volta). Il negozio di produzione deve usarla subito, altrimenti i suoi pagamenti vengono rifiutati.',
    shaInNew: 'La produzione non ha ancora una passphrase SHA-IN: ne viene creata una casuale, mostrata una volta.',
    confirm: 'Copia in produzione',
    cancel: 'Annulla',
    kept: 'La passphrase SHA-IN di produzione è stata mantenuta.',
    yes: 'sì',
    no: 'no',
  },
} as const;

export const copyStrings = (locale: Locale) => STRINGS[locale];

function shown(locale: Locale, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? STRINGS[locale].yes : STRINGS[locale].no;
  return String(value);
}

export interface CopyPreviewView {
  merchantId: string;
  csrf: string;
  changes: ReadonlyArray<{ field: string; test: unknown; prod: unknown }>;
  prodShaInSet: boolean;
}

export function copyPreviewPage(locale: Locale, view: CopyPreviewView): SafeHtml {
  const s = STRINGS[locale];
  return html`<p>${view.changes.length === 0 ? s.none : s.intro}</p>
${
  view.changes.length === 0
    ? ''
    : html`<table class="stack"><thead><tr><th scope="col">${s.setting}</th><th scope="col">${s.testValue}</th><th scope="col">${s.prodValue}</th></tr></thead><tbody>
${view.changes.map(
  (c) =>
    html`<tr data-field="${c.field}"><td data-label="${s.setting}">${fieldLabel(locale, c.field)}</td><td data-label="${s.testValue}">${shown(locale, c.test)}</td><td data-label="${s.prodValue}">${shown(locale, c.prod)}</td></tr>`,
)}
</tbody></table>`
}
<form method="post" action="/portal/merchants/${view.merchantId}/copy-to-prod"><input type="hidden" name="_csrf" value="${view.csrf}"><input type="hidden" name="confirm" value="1">
${
  view.prodShaInSet
    ? html`<p>${s.shaInKept}</p><p><input type="checkbox" id="replaceShaIn" name="replaceShaIn" value="1"> <label for="replaceShaIn">${s.shaInReplace}</label></p>`
    : html`<p>${s.shaInNew}</p>`
}
<button type="submit">${s.confirm}</button> <a href="/portal/merchants/${view.merchantId}/settings/test">${s.cancel}</a></form>`;
}
