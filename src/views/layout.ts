import { html, raw, type SafeHtml } from './html.ts';
import { translate, type Locale } from './i18n.ts';
import { stackTables } from './stack.ts';

/**
 * The it/en switch in every page's header: a form posting to the surface's /language (which saves the
 * choice), or, on pages outside a surface (an error page), links to the same page in each language.
 */
export type LanguageSwitch = { action: string; csrfToken: string; back: string } | { hrefs: Readonly<Record<Locale, string>> };

const LANGUAGES: ReadonlyArray<readonly [Locale, string]> = [
  ['it', 'Italiano'],
  ['en', 'English'],
];

function languageSwitch(locale: Locale, choice: LanguageSwitch | undefined): SafeHtml | string {
  if (!choice) return '';
  const label = translate(locale, 'lang.label');
  if ('hrefs' in choice) {
    return html`<nav class="lang" aria-label="${label}">${LANGUAGES.map(([code, name]) =>
      code === locale
        ? html`<span lang="${code}" aria-current="true">${name}</span>`
        : html`<a lang="${code}" hreflang="${code}" href="${choice.hrefs[code]}">${name}</a>`,
    )}</nav>`;
  }
  return html`<form class="lang" method="post" action="${choice.action}" aria-label="${label}"><input type="hidden" name="_csrf" value="${choice.csrfToken}"><input type="hidden" name="back" value="${choice.back}">${LANGUAGES.map(
    ([code, name]) =>
      html`<button type="submit" name="locale" value="${code}" lang="${code}" aria-pressed="${code === locale ? 'true' : 'false'}">${name}</button>`,
  )}</form>`;
}

export interface PageOptions {
  locale: Locale;
  title: string;
  body: SafeHtml;
  /** Shown top right when someone is signed in: a sign-out form with its CSRF token. */
  signOut?: { action: string; csrfToken: string } | undefined;
  /** Links of the surface's menu, shown when signed in. */
  nav?: ReadonlyArray<{ href: string; label: string }> | undefined;
  language?: LanguageSwitch | undefined;
  /** The page's path (no query): the menu marks the item it belongs to with aria-current. */
  path?: string | undefined;
}

/**
 * The menu item a path belongs to: the longest href equal to it or a parent of it (`/admin/pagopa/exchanges/…`
 * is "pagoPA messages", not "pagoPA registry"); the surface's home only for itself.
 */
export function currentMenuItem(nav: ReadonlyArray<{ href: string }>, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let best: string | undefined;
  for (const { href } of nav) {
    const home = href.split('/').length === 2;
    const inside = path === href || (!home && path.startsWith(`${href}/`));
    if (inside && (best === undefined || href.length > best.length)) best = href;
  }
  return best;
}

function menu(nav: ReadonlyArray<{ href: string; label: string }>, path: string | undefined): SafeHtml {
  const current = currentMenuItem(nav, path);
  return html`<nav aria-label="Menu">${nav.map((item) => html`<a href="${item.href}"${item.href === current ? html` aria-current="page"` : ''}>${item.label}</a> `)}</nav>`;
}

/**
 * The icon browsers ask every origin for (/favicon.ico, also from JSON and the hosted page): a V in the
 * header's blue, as SVG (served as image/svg+xml, which the pages' `img-src 'self'` allows).
 */
export const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#12355b"/><path d="M9 9l7 14 7-14" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>';

export const STYLESHEET = `body{font-family:system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#12355b;color:#fff;padding:.75rem 1.5rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;justify-content:space-between;align-items:center}
header nav{display:flex;flex-wrap:wrap;gap:.25rem 0}
header a{color:#fff;margin-right:1rem}header nav a[aria-current=page]{font-weight:bold;text-decoration-thickness:3px}main{max-width:60rem;margin:2rem auto;background:#fff;padding:2rem;border-radius:8px}
label{display:block;margin:.75rem 0 .25rem}input,select,textarea{display:block;font:inherit;padding:.4rem;width:100%;max-width:28rem;box-sizing:border-box}
button{font:inherit;padding:.5rem 1rem;margin-top:1rem;background:#12355b;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#a4161a;background:#fde8e8;padding:.5rem 1rem;border-radius:4px}input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border:2px solid #a4161a}.notice{background:#e8f4fd;padding:.5rem 1rem;border-radius:4px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
input[type=checkbox],input[type=radio]{display:inline-block;width:auto}code.key{font-size:1.1rem;word-break:break-all}
.verdict{font-weight:bold}.verdict-passed{color:#1b7a3a}.verdict-warning{color:#9a6700}.verdict-failed{color:#a4161a}.verdict-skipped{color:#5b6472}
textarea.pem{max-width:40rem;font-family:monospace}
pre.xml{background:#f3f4f6;padding:1rem;overflow:auto;font-size:.85rem;max-height:40rem}pre.wrap{white-space:pre-wrap}
button.copy{margin:0 0 0 .5rem;padding:.15rem .5rem;font-size:.85rem;vertical-align:baseline}.copy-status{margin-left:.4rem;color:#1b7a3a;font-weight:bold}
header form button{margin:0}form.inline{display:inline}button.small{margin:0 .2rem 0 0;padding:.2rem .5rem}
header .lang{display:flex;gap:.25rem}header .lang button{padding:.25rem .6rem;background:transparent;border:1px solid #fff}header .lang button[aria-pressed=true]{background:#fff;color:#12355b}
div.scroll{overflow-x:auto;max-width:100%}td code,td small,table:not(:has(>thead)) td{overflow-wrap:anywhere}td pre{white-space:pre-wrap;word-break:break-all}
a.button{display:inline-block;padding:.5rem 1rem;margin-top:1rem;background:#12355b;color:#fff;border-radius:4px;text-decoration:none}
button.danger{background:#a4161a}.warning{color:#7a4b00;background:#fff4d6;padding:.5rem 1rem;border-radius:4px}
ol.timeline,ol.checklist{padding-left:1.25rem}ol.timeline li,ol.checklist li{margin:.35rem 0}li[data-state=done]{color:#1b7a3a}
dl.details{margin:0;display:grid;grid-template-columns:auto 1fr;gap:0 .5rem;font-size:.85rem}dl.details dt{font-weight:bold}dl.details dd{margin:0;overflow-wrap:anywhere}
@media (max-width:600px){main{margin:0;padding:1rem;border-radius:0}header{padding:.75rem 1rem}table:has(>thead) thead{display:none}table:has(>thead) tr{display:block;border-bottom:1px solid #ddd;padding:.4rem 0}
table:has(>thead) td,table:has(>thead) tbody th{display:block;border:0;padding:.15rem 0}table:has(>thead) td[data-label]::before{content:attr(data-label) ": ";font-weight:bold}
main{overflow-wrap:anywhere}main pre{white-space:pre-wrap}}
@media (min-width:601px){div.scroll.whole-codes td code{overflow-wrap:normal}}`;

export function page(options: PageOptions): string {
  const { locale, title, body, signOut, nav, language } = options;
  return html`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · ${translate(locale, 'app.name')}</title>
<link rel="stylesheet" href="/assets/varco.css"><script src="/assets/varco.js" defer></script></head>
<body>
<header><strong>${translate(locale, 'app.name')}</strong>
${languageSwitch(locale, language)}
${nav && nav.length ? menu(nav, options.path) : ''}
${signOut ? html`<form method="post" action="${signOut.action}"><input type="hidden" name="_csrf" value="${signOut.csrfToken}"><button type="submit">${translate(locale, 'signout.submit')}</button></form>` : ''}
</header>
<main>
<h1>${title}</h1>
${raw(stackTables(body.value))}
</main>
</body></html>`.value;
}
