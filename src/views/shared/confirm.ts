import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';

// "Are you sure?" pages (issue 14, safe actions): a destructive button leads here first. The page
// says in words what will happen, then posts the same form the button used to post; the link beside
// it goes back. No script: it works the same with JavaScript off.

export interface ConfirmView {
  /** What the action does, one sentence per consequence. */
  consequences: readonly string[];
  /** The form the action posts to, and its hidden fields (the CSRF token among them). */
  action: string;
  fields: Readonly<Record<string, string>>;
  /** Inputs the person still chooses here (e.g. the overlap of a regenerated key). */
  inputs?: SafeHtml;
  confirmLabel: string;
  cancelHref: string;
  /** The link back, named after where it leads (`Back to the order`); default `Go back`. */
  cancelLabel?: string;
  /** A warning shown above the consequences (e.g. the station's last check failed). */
  warning?: string | undefined;
}

// Not "Cancel": beside "Cancel the subscription" or "Cancel the authorisation" it reads as the action itself.
const BACK = { en: 'Go back', it: 'Torna indietro' } as const;

export function confirmPage(locale: Locale, v: ConfirmView): SafeHtml {
  return html`${v.warning ? html`<p class="warning" role="alert">${v.warning}</p>` : ''}
<ul class="consequences">${v.consequences.map((c) => html`<li>${c}</li>`)}</ul>
<form method="post" action="${v.action}">${Object.entries(v.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
${v.inputs ?? ''}
<button type="submit" class="danger">${v.confirmLabel}</button> <a href="${v.cancelHref}">${v.cancelLabel ?? BACK[locale]}</a>
</form>`;
}
