import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { seedWalk, walkPages, type WalkUser } from '../support/walk-seed.ts';
import { axeViolations, pageWidth, untranslated, watchProblems } from '../support/page-checks.ts';
import { screenFile, SCREENS, VIEWPORTS, type Viewport } from '../support/screens.ts';
import { phrasesOnlyIn } from '../support/string-tables.ts';

// Issue 14's walk: every page of the back office and the portal, in Italian and in English, as a
// person picks the language with the switch in the page header. On each page: no text of the other
// language (see page-checks.ts for how that is judged).

const walk = await seedWalk();
const pages = walkPages(walk.ids);
const url = (path: string): string => `${walk.baseUrl}${path}`;

/** Chooses the language with the switch of a surface's sign-in page (the browser asks for English). */
async function choose(page: Page, surface: 'admin' | 'portal', locale: 'it' | 'en'): Promise<void> {
  await page.goto(url(`/${surface}/sign-in`));
  await page.locator(`form.lang button[value="${locale}"]`).click();
  await page.waitForURL(url(`/${surface}/sign-in`));
  assert.equal(await page.locator('html').getAttribute('lang'), locale);
}

async function signIn(page: Page, surface: 'admin' | 'portal', who: WalkUser): Promise<void> {
  await page.goto(url(`/${surface}/sign-in`));
  await page.locator('#email').fill(who.email);
  await page.locator('#password').fill(who.password);
  await page.locator('main button[type=submit]').click();
  await page.waitForURL(url(`/${surface}`));
}

/**
 * `axeOn(n)`: whether this run runs axe on its n-th page. axe is the slowest check of a page; `npm test`
 * runs it on every page once (the two runs take alternate pages), `npm run screens` on every page of every run.
 */
async function walkIn(context: BrowserContext, locale: 'it' | 'en', viewport: Viewport, axeOn: (n: number) => boolean): Promise<string[]> {
  const page = await context.newPage();
  await page.setViewportSize(viewport.size);
  const problems = await watchProblems(page);
  const found: string[] = [];
  const phrases = phrasesOnlyIn(locale === 'it' ? 'en' : 'it');
  let visited = 0;
  const check = async (path: string): Promise<void> => {
    const n = visited++;
    problems.console.length = 0;
    const response = await page.goto(url(path));
    assert.equal(response?.status(), 200, `${path}: HTTP ${response?.status()}`);
    assert.equal(await page.locator('html').getAttribute('lang'), locale, path);
    const where = `${locale} ${viewport.name} ${path}`;
    for (const hit of await untranslated(page, locale, phrases)) found.push(`${where} <${hit.where}> [${hit.words.join(', ')}] ${hit.text}`);
    if (axeOn(n)) for (const violation of await axeViolations(page)) found.push(`${where} axe: ${violation}`);
    for (const line of problems.console) found.push(`${where} console: ${line}`);
    const { width, culprits, pastCard } = await pageWidth(page);
    if (width > viewport.size.width) found.push(`${where} width: ${width} px, wider than the ${viewport.size.width} px viewport (${culprits.join(', ')})`);
    else if (pastCard.length > 0) found.push(`${where} drawn past the page's card: ${pastCard.join(', ')}`);
    if (SCREENS) await page.screenshot({ path: screenFile(locale, viewport, path), type: 'jpeg', quality: 60 });
  };
  await context.clearCookies();
  await screenshotOnFailure(page, `walk-${locale}`, async () => {
    await choose(page, 'admin', locale);
    await choose(page, 'portal', locale);
    for (const path of ['/admin/sign-in', '/portal/sign-in']) await check(path);
    await check(`/portal/invitation?token=${walk.ids.invitationToken}`);
    await signIn(page, 'admin', walk.admins[locale]);
    for (const path of pages.admin) await check(path);
    await signIn(page, 'portal', walk.referents[locale]);
    for (const path of pages.portal) await check(path);
  });
  await page.close();
  return found;
}

// The checks do not depend much on the width: `npm test` walks each language at one width (the
// phone's for Italian, the desktop's for English) and runs axe once per page, alternating between
// the two, to stay quick; `npm run screens` walks all four with axe on every page.
const RUNS: Array<['it' | 'en', Viewport]> = SCREENS
  ? [
      ['it', VIEWPORTS.desktop],
      ['it', VIEWPORTS.phone],
      ['en', VIEWPORTS.desktop],
      ['en', VIEWPORTS.phone],
    ]
  : [
      ['it', VIEWPORTS.phone],
      ['en', VIEWPORTS.desktop],
    ];

test(
  'every page of the back office and the portal speaks only the chosen language, passes axe and logs no console error or CSP violation',
  { timeout: 300_000 },
  async () => {
    // Each run in its own browser profile (its own cookies: language and sessions), all at once:
    // most of a page's time is waiting for the server and axe, not the processor.
    const contexts = await Promise.all(RUNS.map(() => launchBrowser({ serverCertificate: walk.serverCertificate, locale: 'en-US' })));
    const axeOn = (run: number) => (n: number) => SCREENS || n % RUNS.length === run;
    const found = await Promise.all(RUNS.map(([locale, viewport], i) => walkIn(contexts[i]!, locale, viewport, axeOn(i))));
    assert.deepEqual(found.flat(), []);
  },
);
