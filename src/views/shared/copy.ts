import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';

// Copy buttons for values people paste elsewhere (an API key shown once, a PSPID, a URL, a
// certificate fingerprint). The value stays ordinary selectable text; the button sits right after
// it and copies that element's text. It is rendered hidden and shown by /assets/varco.js only
// where the clipboard can be written, so without JavaScript there is no button that does nothing.
// Its "Copied" state is text in a status region (announced, and not only a colour).

const EN = { copy: 'Copy', copied: 'Copied', failed: 'Could not copy: select the text instead' };
const IT: typeof EN = { copy: 'Copia', copied: 'Copiato', failed: 'Copia non riuscita: seleziona il testo' };
/** For the test that compares the languages (test/support/string-tables.ts). */
export const COPY_TABLES = { copy: { en: EN, it: IT } };

/** A copy button for the element just before it; `what` names the value for screen readers ("Copy PSPID"). */
export function copyButton(locale: Locale, what: string): SafeHtml {
  const s = locale === 'it' ? IT : EN;
  return html`<button type="button" class="copy" data-copy data-copied="${s.copied}" data-failed="${s.failed}" aria-label="${s.copy} ${what}" hidden>${s.copy}</button><span class="copy-status" role="status"></span>`;
}

/**
 * The script of /assets/varco.js (script-src 'self': no inline script anywhere). Plain ES2017 for
 * every browser the back office meets; it only adds the buttons' behaviour.
 */
export const SCRIPT = `'use strict';
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  if (!navigator.clipboard || !window.isSecureContext) return;
  var status = button.nextElementSibling;
  var timer;
  button.hidden = false;
  button.addEventListener('click', function () {
    var value = (button.previousElementSibling.textContent || '').trim();
    var show = function (text, state) {
      status.textContent = text;
      button.setAttribute('data-state', state);
      clearTimeout(timer);
      timer = setTimeout(function () { status.textContent = ''; button.removeAttribute('data-state'); }, 5000);
    };
    navigator.clipboard.writeText(value).then(
      function () { show(button.getAttribute('data-copied'), 'copied'); },
      function () { show(button.getAttribute('data-failed'), 'failed'); }
    );
  });
});
`;
