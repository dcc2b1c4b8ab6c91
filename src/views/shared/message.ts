import { html, type SafeHtml } from '../html.ts';

// What a page says after an action: a notice (role=status, read politely) or a refusal. A refusal is
// announced (role=alert) and takes the focus when the page loads (autofocus on an element made
// focusable by tabindex=-1, no script): someone on a keyboard or a screen reader lands on what went
// wrong instead of at the top of a page that looks unchanged, and tabs on into the form from there.

export interface PageMessage {
  kind: 'error' | 'notice';
  text: string;
}

/** The attributes of a refusal's container: announced and focused on load. */
export const REFUSAL_ATTRIBUTES: SafeHtml = html` role="alert" tabindex="-1" autofocus`;

/** A refused form's message as a paragraph; `id` lets fields point at it (aria-describedby). */
export function refusal(text: string | SafeHtml, id?: string): SafeHtml {
  return html`<p class="error"${id ? html` id="${id}"` : ''}${REFUSAL_ATTRIBUTES}>${text}</p>`;
}

/** A notice or a refusal; nothing without a message. */
export function messageBox(message: PageMessage | undefined): SafeHtml | '' {
  if (!message) return '';
  return message.kind === 'error' ? refusal(message.text) : html`<p class="notice" role="status">${message.text}</p>`;
}
