// The merchant's dynamic template (TP) around Varco's payment zone. The template is the merchant's
// HTML, fetched from his site: it is served under the payment page's CSP (script-src 'self', no
// inline script or event handler), which is what keeps its scripts from running. Removing them
// here as well is belt and braces: a script element, an event-handler attribute or a javascript:
// URL never reaches the browser, nor elements that could load other documents or change where
// relative URLs and forms point (iframe, object, embed, base, meta refresh).

export const PAYMENT_ZONE_MARKER = '$$$PAYMENT ZONE$$$';

const ATTRIBUTE_VALUE = String.raw`(?:"[^"]*"|'[^']*'|[^\s>]+)`;

/** Passes before a template that keeps changing is given up (each pass removes what the one before joined). */
const MAX_PASSES = 8;

/**
 * One pass over the template. Removing an attribute (or an element) joins the text on either side,
 * so one pass can build what it removes (`<me onx="1"ta http-equiv=refresh …>` leaves a `<meta>`):
 * see neutraliseTemplate.
 */
function neutralisePass(template: string): string {
  return template
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|iframe|object|embed|frameset|applet|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<\/?(script|iframe|object|embed|frame|frameset|applet|noscript|template|base|meta)\b[^>]*>/gi, '')
    .replace(new RegExp(String.raw`[\s/](on[a-z]+|srcdoc|formaction)\s*=\s*${ATTRIBUTE_VALUE}`, 'gi'), ' ')
    .replace(/\b(href|src|action|xlink:href)\s*=\s*(["']?)\s*(javascript|vbscript|data):/gi, '$1=$2about:blank#');
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
 * meta) before the template's `</head>`, its `<main>` at the first `$$$PAYMENT ZONE$$$`. Undefined
 * when the neutralised template has no marker left.
 */
export function inTemplate(template: string, page: string): string | undefined {
  const safe = neutraliseTemplate(template);
  const at = safe.indexOf(PAYMENT_ZONE_MARKER);
  if (at < 0) return undefined;
  const head = (/<head>([\s\S]*?)<\/head>/.exec(page)?.[1] ?? '').replace(/<title>[\s\S]*?<\/title>/, '');
  const main = /<main>[\s\S]*<\/main>/.exec(page)?.[0] ?? '';
  const rest = safe
    .slice(at + PAYMENT_ZONE_MARKER.length)
    .split(PAYMENT_ZONE_MARKER)
    .join('');
  const joined = `${safe.slice(0, at)}${main}${rest}`;
  const headEnd = /<\/head\s*>/i.exec(joined);
  if (headEnd === null) return `<!doctype html>\n<head>${head}</head>\n${joined}`;
  return `${joined.slice(0, headEnd.index)}${head}${joined.slice(headEnd.index)}`;
}
