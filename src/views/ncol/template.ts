// The merchant's dynamic template (TP) around Varco's payment zone. The template is the merchant's
// HTML, fetched from his site: it is served under the payment page's CSP (script-src 'self', no
// inline script or event handler), which is what keeps its scripts from running. Removing them
// here as well is belt and braces: a script element, an event-handler attribute or a javascript:
// URL never reaches the browser, nor elements that could load other documents or change where
// relative URLs and forms point (iframe, object, embed, base, meta refresh). The template's own form
// tags go too: a browser ignores a <form> inside another, so a template form around the payment
// zone (every ASP.NET WebForms page is one) would take in Varco's card fields and post them to its action.

export const PAYMENT_ZONE_MARKER = '$$$PAYMENT ZONE$$$';

const ATTRIBUTE_VALUE = String.raw`(?:"[^"]*"|'[^']*'|[^\s>]+)`;

/** Passes before a template that keeps changing is given up (each pass removes what the one before joined). */
const MAX_PASSES = 8;

/** Elements removed with their content, and (opening or closing) tags removed alone. */
const WITH_CONTENT = String.raw`<(script|iframe|object|embed|frameset|applet|noscript|template)\b`;
const TAG_ALONE = String.raw`<\/?(script|iframe|object|embed|frame|frameset|applet|noscript|template|base|meta|form)\b`;

/**
 * Each step is linear in the template's length. The regular expressions they replace
 * (`<!--[\s\S]*?-->`, `<(script|…)\b[\s\S]*?<\/\1\s*>`, `<\/?(script|…)\b[^>]*>`) scanned to the end of
 * the template from every opening without an end: a 256 KiB template of `<script ` or `<!--` held the
 * event loop (every page of every merchant) for many seconds at each page view.
 */
function withoutComments(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = text.indexOf('<!--', at);
    // Without an end after it, no later comment has one either: the rest stays as it is.
    const end = start < 0 ? -1 : text.indexOf('-->', start + 4);
    if (end < 0) return out + text.slice(at);
    out += text.slice(at, start);
    at = end + 3;
  }
}

function withoutElements(text: string): string {
  // Per element name, the first closing tag at or after the last search's start (index -1: none): the
  // openings come in order, so each name's closing tags are searched once, front to back.
  const closings = new Map<string, { index: number; end: number }>();
  const closingAfter = (name: string, from: number): { index: number; end: number } | undefined => {
    let known = closings.get(name);
    if (known === undefined || (known.index >= 0 && known.index < from)) {
      const closing = new RegExp(String.raw`<\/${name}\s*>`, 'gi');
      closing.lastIndex = from;
      const found = closing.exec(text);
      known = { index: found?.index ?? -1, end: found ? closing.lastIndex : -1 };
      closings.set(name, known);
    }
    return known.index < 0 ? undefined : known;
  };
  const opening = new RegExp(WITH_CONTENT, 'gi');
  let out = '';
  let at = 0;
  for (let found = opening.exec(text); found !== null; found = opening.exec(text)) {
    // An element never closed keeps its tag here; the next step removes the tag alone.
    const closing = closingAfter((found[1] ?? '').toLowerCase(), opening.lastIndex);
    if (closing === undefined) continue;
    out += text.slice(at, found.index);
    at = closing.end;
    opening.lastIndex = closing.end;
  }
  return out + text.slice(at);
}

function withoutTags(text: string): string {
  const tag = new RegExp(TAG_ALONE, 'gi');
  let out = '';
  let at = 0;
  for (let found = tag.exec(text); found !== null; found = tag.exec(text)) {
    const end = text.indexOf('>', tag.lastIndex);
    // Without a '>' after it, no later tag ends either.
    if (end < 0) break;
    out += text.slice(at, found.index);
    at = end + 1;
    tag.lastIndex = end + 1;
  }
  return out + text.slice(at);
}

/**
 * One pass over the template. Removing an attribute (or an element) joins the text on either side,
 * so one pass can build what it removes (`<me onx="1"ta http-equiv=refresh …>` leaves a `<meta>`):
 * see neutraliseTemplate.
 */
function neutralisePass(template: string): string {
  return (
    withoutTags(withoutElements(withoutComments(template)))
      // After a space, a '/' or a quote: a browser starts a new attribute right after a quoted value
      // (`<img src="x"onerror=…>`), space or not. The quote stays: it ends the value before.
      .replace(new RegExp(String.raw`(?<=[\s/"'])(on[a-z]+|srcdoc|formaction)\s*=\s*${ATTRIBUTE_VALUE}`, 'gi'), ' ')
      .replace(URL_ATTRIBUTE, (whole, name: string, value: string) => (runsCode(value) ? `${name}="about:blank#"` : whole))
  );
}

/** An attribute a browser follows as a URL, with its value. */
const URL_ATTRIBUTE = new RegExp(String.raw`\b(href|src|action|xlink:href)\s*=\s*(${ATTRIBUTE_VALUE})`, 'gi');
const NAMED_IN_URL: Record<string, string> = { colon: ':', tab: '\t', newline: '\n' };

/**
 * Whether a URL attribute's value (as written, quotes included) is a javascript:, vbscript: or data:
 * URL as the browser reads it: character references decoded (`&#106;avascript:`, `javascript&colon;`),
 * then tabs, newlines, spaces and controls dropped (`java&#9;script:`), as a browser does. No other
 * named reference gives a letter or a colon, so none can make the scheme.
 */
function runsCode(written: string): boolean {
  const raw = /^["']/.test(written) ? written.slice(1, -1) : written;
  const decoded = raw
    .replace(/&#x([0-9a-f]+);?|&#([0-9]+);?/gi, (_ref, hex: string | undefined, dec: string | undefined) => {
      const code = hex === undefined ? Number(dec) : parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
    })
    .replace(/&(colon|tab|newline);/gi, (_ref, name: string) => NAMED_IN_URL[name.toLowerCase()] ?? '')
    // eslint-disable-next-line no-control-regex -- the characters a browser strips from a URL are the point
    .replace(/[\u0000-\u0020]/g, '')
    .toLowerCase();
  return /^(javascript|vbscript|data):/.test(decoded);
}

/**
 * The template without anything that could run or load code, or redirect the page: passes until
 * one changes nothing. A template still changing after MAX_PASSES is no template (''): it has no
 * marker, so the standard page is served.
 */
export function neutraliseTemplate(template: string): string {
  let current = template;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = neutralisePass(current);
    if (next === current) return current;
    current = next;
  }
  return '';
}

/**
 * Varco's page (a whole document from pages.ts) inside the template: its head (stylesheets, script,
 * meta) before the template's `</head>`, but its `<meta charset>` first in the template's head (the
 * page is served in UTF-8, whatever the template was fetched in), its `<main>` at the first
 * `$$$PAYMENT ZONE$$$`. Undefined when the neutralised template has no marker left.
 */
export function inTemplate(template: string, page: string): string | undefined {
  // An XML declaration names the encoding the template was fetched in, not the page's (the template
  // fetcher decoded it); the neutraliser has already removed the template's <meta> declarations.
  const safe = neutraliseTemplate(template).replace(/^\s*<\?xml\b[^>]*>/i, '');
  const at = safe.indexOf(PAYMENT_ZONE_MARKER);
  if (at < 0) return undefined;
  const pageHead = /<head>([\s\S]*?)<\/head>/.exec(page)?.[1] ?? '';
  const charset = CHARSET_META.exec(pageHead)?.[0] ?? '';
  const head = pageHead.replace(/<title>[\s\S]*?<\/title>/, '').replace(CHARSET_META, '');
  const main = /<main>[\s\S]*<\/main>/.exec(page)?.[0] ?? '';
  const rest = safe
    .slice(at + PAYMENT_ZONE_MARKER.length)
    .split(PAYMENT_ZONE_MARKER)
    .join('');
  const joined = `${safe.slice(0, at)}${main}${rest}`;
  const headEnd = /<\/head\s*>/i.exec(joined);
  if (headEnd === null) return `<!doctype html>\n<head>${charset}${head}</head>\n${joined}`;
  const withHead = `${joined.slice(0, headEnd.index)}${head}${joined.slice(headEnd.index)}`;
  const declared = declarationAt(withHead);
  return `${withHead.slice(0, declared)}${charset}${withHead.slice(declared)}`;
}

/** Varco's page's declaration of the charset it is served in (UTF-8, as its Content-Type says). */
const CHARSET_META = /<meta charset="[^"]*">/;

/**
 * Where the page's charset declaration goes: first in the template's head, where a browser looks for
 * it (the first 1024 bytes), however long the template's head is; without a `<head>` tag, after the
 * doctype; else first. Each search is one linear scan.
 */
function declarationAt(page: string): number {
  const head = /<head(?=[\s/>])/i.exec(page);
  const headEnd = head === null ? -1 : page.indexOf('>', head.index);
  if (headEnd >= 0) return headEnd + 1;
  return /^\s*<!doctype\b[^>]*>/i.exec(page)?.[0].length ?? 0;
}
