import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

// What the walk (test/e2e/walk.test.ts) checks on every page it opens: text left in the other
// language, console errors and Content-Security-Policy violations, and axe's accessibility rules.

/**
 * Words that are not Italian (function words and the commonest interface verbs): one of them in the
 * text of an Italian page is English left untranslated. Words Italian shares (in, a, no, password,
 * e-mail) are not listed.
 */
const ENGLISH_WORDS = [
  'the',
  'and',
  'of',
  'with',
  'your',
  'you',
  'is',
  'are',
  'this',
  'that',
  'these',
  'those',
  'not',
  'for',
  'from',
  'to',
  'has',
  'have',
  'was',
  'were',
  'will',
  'be',
  'been',
  'yet',
  'only',
  'when',
  'which',
  'what',
  'there',
  'here',
  'by',
  'or',
  'at',
  'on',
  'as',
  'an',
  'if',
  'can',
  'cannot',
  'must',
  'should',
  'does',
  'do',
  'all',
  'any',
  'none',
  'never',
  'yes',
  'new',
  'show',
  'save',
  'delete',
  'edit',
  'back',
  'next',
  'previous',
  'older',
  'newer',
  'search',
  'sign',
  'send',
  'change',
  'add',
  'remove',
  'name',
  'state',
  'status',
  'created',
  'expires',
  'until',
  'since',
  'ago',
  'days',
  'hours',
  'minutes',
  'seconds',
  'passed',
  'failed',
  'skipped',
  'warning',
  'active',
  'submitted',
  'approved',
  'verified',
  'pending',
  'production',
  'products',
  'subscriptions',
  'stations',
  'certificates',
  'orders',
  'messages',
  'receipts',
];
/** Italian words no English sentence uses: one on an English page is Italian left in it. */
const ITALIAN_WORDS = [
  'il',
  'lo',
  'gli',
  'della',
  'delle',
  'degli',
  'dello',
  'dei',
  'che',
  'non',
  'una',
  'uno',
  'sono',
  'è',
  'questo',
  'questa',
  'nessun',
  'nessuna',
  'anche',
  'oppure',
  'alla',
  'alle',
  'nel',
  'nella',
  'sulla',
  'senza',
  'dopo',
  'ancora',
  'tuo',
  'tua',
  'tuoi',
  'puoi',
  'deve',
  'devi',
  'essere',
  'stato',
  'stata',
  'ambiente',
  'collaudo',
  'produzione',
  'organizzazione',
  'stazione',
  'stazioni',
  'sottoscrizione',
  'chiave',
  'ordini',
  'ricevute',
  'messaggi',
  'salva',
  'invia',
  'cerca',
  'accedi',
  'esci',
];

/**
 * Terms both languages use as they are (Italian IT people say "back office", "server-to-server"):
 * removed before the words are judged. Names and codes (Varco, PSPID, SHA-IN) need no entry: none of
 * their words is in the lists above.
 */
export const SHARED_TERMS = ['back office', 'server-to-server'];

export interface Untranslated {
  where: string;
  text: string;
  words: string[];
}

/**
 * Text of the page (and of its labels: placeholder, title, aria-label, alt, button values) in the
 * other language. Not judged: code and preformatted text, form values typed by people, anything
 * marked with its own `lang` (the language switch) or translate="no" (names, codes, identifiers),
 * and quoted literals ("ssl_verify_client on"). `phrases` are whole sentences of the other
 * language's tables: any of them on the page is reported as well.
 */
// Runs in the page (the test's tsconfig has no DOM types, so it is kept as source text).
const UNTRANSLATED_IN_PAGE = String.raw`({ foreign, phrases, locale, shared }) => {
  const words = new Set(foreign);
  const found = [];
  const skipped = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (['CODE', 'PRE', 'SCRIPT', 'STYLE', 'TEXTAREA', 'KBD', 'SAMP', 'TITLE'].includes(e.tagName)) return true;
      if (e.getAttribute('translate') === 'no') return true;
      const lang = e.getAttribute('lang');
      if (lang && e !== document.documentElement && !lang.startsWith(locale)) return true;
    }
    return false;
  };
  const judge = (text, where) => {
    // Quoted literals, addresses and identifiers (with a digit, dot, underscore, slash or colon) are not prose.
    // An elided article or preposition (l’, all’, dell’) is Italian, whatever follows.
    let plain = text.replace(/"[^"]*"|“[^”]*”|«[^»]*»/g, ' ').replace(/\S*[0-9._/:@=]\S*/g, ' ').replace(/\p{L}+['’](?=\p{L})/gu, ' ');
    for (const term of shared) plain = plain.split(new RegExp(term, 'i')).join(' ');
    const hits = (plain.toLowerCase().match(/\p{L}+/gu) || []).filter((w) => words.has(w));
    const sentences = phrases.filter((p) => text.includes(p));
    if (hits.length > 0 || sentences.length > 0) found.push({ where, text: text.trim().slice(0, 200), words: [...new Set([...hits, ...sentences])] });
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent || '';
    if (text.trim() === '' || skipped(node.parentElement)) continue;
    judge(text, node.parentElement ? node.parentElement.tagName.toLowerCase() : '');
  }
  for (const el of document.querySelectorAll('[placeholder],[title],[aria-label],[alt],input[type=submit],input[type=button]')) {
    if (skipped(el)) continue;
    for (const name of ['placeholder', 'title', 'aria-label', 'alt', 'value']) {
      const value = el.getAttribute(name);
      if (value && (name !== 'value' || el.matches('input[type=submit],input[type=button]'))) judge(value, el.tagName.toLowerCase() + '[' + name + ']');
    }
  }
  judge(document.title, 'title');
  return found;
}`;

/**
 * Text of the page (and of its labels: placeholder, title, aria-label, alt, button values) in the
 * other language. Not judged: code and preformatted text, form values typed by people, anything
 * marked with its own `lang` (the language switch, an e-mail in its recipient's language) or
 * translate="no" (names, codes, identifiers), quoted literals ("ssl_verify_client on"), and tokens
 * with digits or punctuation (addresses, ids). `phrases` are sentences of the other language's
 * tables: any of them on the page is reported as well.
 */
export async function untranslated(page: Page, locale: 'it' | 'en', phrases: readonly string[]): Promise<Untranslated[]> {
  const foreign = locale === 'it' ? ENGLISH_WORDS : ITALIAN_WORDS;
  return page.evaluate<Untranslated[]>(`(${UNTRANSLATED_IN_PAGE})(${JSON.stringify({ foreign, phrases, locale, shared: SHARED_TERMS })})`);
}

export interface PageProblems {
  console: string[];
}

/** Collects console errors, uncaught exceptions and CSP violations of a page, from now on. */
export async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { console: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.console.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.console.push(`uncaught: ${error.message}`));
  // Chromium reports a blocked inline style on the console too; the event also names the directive.
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')'));`,
  );
  return problems;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe's WCAG 2 A/AA rules on the page as it is now: one line per violation and element. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag
  // would be refused, as it should be).
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate<Array<{ id: string; targets: string[] }>>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }).then((r) => r.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  );
  return found.flatMap((v) => v.targets.map((target) => `${v.id} ${target}`));
}

export interface PageWidth {
  width: number;
  /** The innermost elements reaching past the viewport's right edge (tag#id.class), to know what to fix. */
  culprits: string[];
  /** The innermost elements drawn past the page's card (`main`) while the viewport is wide enough for both, outside scrolling regions. */
  pastCard: string[];
}

/**
 * How wide the page lays out, in CSS pixels: wider than the viewport means the person scrolls the
 * whole page sideways (a wide table or menu). A table scrolling inside its own region does not count.
 */
export async function pageWidth(page: Page): Promise<PageWidth> {
  return page.evaluate<PageWidth>(`(() => {
    const edge = document.documentElement.clientWidth;
    const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    const past = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > edge + 0.5);
    const innermost = past.filter((e) => !past.some((o) => o !== e && e.contains(o)));
    const main = document.querySelector('main');
    const cardRight = main ? main.getBoundingClientRect().right + 0.5 : edge;
    const clipped = (e) => {
      for (let p = e.parentElement; p && p !== main; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const spill = main ? [...main.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > cardRight && !clipped(e)) : [];
    const spillInnermost = spill.filter((e) => !spill.some((o) => o !== e && e.contains(o)));
    const label = (e) => name(e.parentElement) + ' > ' + name(e);
    return { width: document.documentElement.scrollWidth, culprits: innermost.slice(0, 5).map(label), pastCard: spillInnermost.slice(0, 5).map(label) };
  })()`);
}
