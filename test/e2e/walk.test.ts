import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { seedWalk, walkPages, type WalkUser } from '../support/walk-seed.ts';
import { untranslated, watchProblems } from '../support/page-checks.ts';
import { phrasesOnlyIn } from '../support/string-tables.ts';

// Issue 14's walk: every page of the back office and the portal, in Italian and in English, as a
// person picks the language with the switch in the page header. On each page: no text of the other
// language (see page-checks.ts for how that is judged).

const walk = await seedWalk();
const pages = walkPages(walk.ids);
const browser = await launchBrowser({ serverCertificate: walk.serverCertificate, locale: 'en-US' });
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

async function walkIn(context: BrowserContext, locale: 'it' | 'en'): Promise<string[]> {
  const page = await context.newPage();
  await watchProblems(page);
  const found: string[] = [];
  const phrases = phrasesOnlyIn(locale === 'it' ? 'en' : 'it');
  const check = async (path: string): Promise<void> => {
    const response = await page.goto(url(path));
    assert.equal(response?.status(), 200, `${path}: HTTP ${response?.status()}`);
    assert.equal(await page.locator('html').getAttribute('lang'), locale, path);
    for (const hit of await untranslated(page, locale, phrases)) found.push(`${locale} ${path} <${hit.where}> [${hit.words.join(', ')}] ${hit.text}`);
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

test('every page of the back office and the portal speaks only the language chosen with the switch', { timeout: 300_000 }, async () => {
  const found = [...(await walkIn(browser, 'it')), ...(await walkIn(browser, 'en'))];
  assert.deepEqual(found, []);
});
