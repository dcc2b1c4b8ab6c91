import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { seedWalk } from '../support/walk-seed.ts';
import { watchProblems } from '../support/page-checks.ts';

// Copy buttons (issue 14) in Chromium with clipboard permissions: on one page of each kind (an API
// key shown once, a PSPID, a URL, a certificate fingerprint) the button copies exactly the value
// shown beside it and says so in words, in the page's language; without script the button is not
// shown (it is served hidden) and the value is ordinary text.

const walk = await seedWalk();
const browser = await launchBrowser({ serverCertificate: walk.serverCertificate, locale: 'en-US' });
await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: walk.baseUrl });
const url = (path: string): string => `${walk.baseUrl}${path}`;

async function signIn(page: Page): Promise<void> {
  await page.goto(url('/portal/sign-in'));
  await page.locator('#email').fill(walk.referents.en.email);
  await page.locator('#password').fill(walk.referents.en.password);
  await page.locator('main button[type=submit]').click();
  await page.waitForURL(url('/portal'));
}

/** Picks the language with the switch in the page's header (the page reloads in it). */
async function language(page: Page, locale: 'it' | 'en'): Promise<void> {
  const here = page.url();
  await page.locator(`form.lang button[value="${locale}"]`).click();
  await page.waitForURL(here);
  assert.equal(await page.locator('html').getAttribute('lang'), locale);
}

/** Clicks the copy button after `value` and returns what the clipboard then holds and the status shown. */
async function copy(page: Page, value: string): Promise<{ clipboard: string; status: string }> {
  const button = page.locator(`:is(code, strong):text-is("${value}") + button[data-copy]`).first();
  await button.click();
  const status = page.locator(`:is(code, strong):text-is("${value}") + button[data-copy] + .copy-status`).first();
  await status.filter({ hasText: /\S/ }).waitFor();
  return { clipboard: await page.evaluate<string>('navigator.clipboard.readText()'), status: (await status.textContent()) ?? '' };
}

async function valueBefore(page: Page, nth = 0): Promise<string> {
  return page
    .locator('button[data-copy]')
    .nth(nth)
    .evaluate((b) => (b.previousElementSibling?.textContent ?? '').trim());
}

test('copy buttons copy the key shown once, the PSPID, a URL and a fingerprint, and say "Copied" in words', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const problems = await watchProblems(page);
  await screenshotOnFailure(page, 'copy-buttons', async () => {
    await signIn(page);
    await page.goto(url('/portal/certificates'));
    await language(page, 'en');
    // Without the script (blocked here) no button shows, and the value is there as text.
    await page.route('**/assets/varco.js', (route) => route.abort());
    await page.reload();
    assert.equal(await page.locator('button[data-copy]').first().isVisible(), false);
    assert.match((await page.locator('code[data-fingerprint]').first().textContent()) ?? '', /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    await page.unroute('**/assets/varco.js');
    problems.console.length = 0; // the script refused on purpose above
    await page.reload();
    assert.equal(await page.locator('button[data-copy]').first().isVisible(), true);
    const fingerprint = await valueBefore(page);
    assert.match(fingerprint, /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    assert.deepEqual(await copy(page, fingerprint), { clipboard: fingerprint, status: 'Copied' });

    await page.goto(url(`/portal/merchants/${walk.ids.merchant}/settings/test`));
    assert.deepEqual(await copy(page, 'COMUNEPROVA'), { clipboard: 'COMUNEPROVA', status: 'Copied' });

    await page.goto(url(`/portal/stations/${walk.ids.station}`));
    const endpoint = await valueBefore(page);
    assert.match(endpoint, /^https:\/\//);
    assert.deepEqual(await copy(page, endpoint), { clipboard: endpoint, status: 'Copied' });

    await page.goto(url(`/portal/subscriptions/${walk.ids.subscription}`));
    // A new key is shown once, on the answer to its regeneration (after the confirmation page).
    await page.locator('a[href$="/keys/secondary/regenerate"]').click();
    await page.locator('main form button[type=submit]').first().click();
    await page.locator('code.key').waitFor();
    const key = (await page.locator('code.key').textContent()) ?? '';
    assert.ok(key.length > 20);
    assert.deepEqual(await copy(page, key), { clipboard: key, status: 'Copied' });
    const api = (await page.locator('code[data-api-url]').textContent()) ?? '';
    assert.deepEqual(await copy(page, api), { clipboard: api, status: 'Copied' });

    // In Italian the state is Italian too.
    await page.goto(url('/portal/certificates'));
    await language(page, 'it');
    assert.deepEqual(await copy(page, fingerprint), { clipboard: fingerprint, status: 'Copiato' });
  });
  assert.deepEqual(problems.console, []);
  await page.close();
});

// Refused forms (the back office walk): the message takes the focus when the page comes back, so a
// keyboard or screen-reader user lands on what went wrong; the field it is about is marked invalid and
// points at it, and Tab leads on into the form. Same browser, another page.
test('a refused form puts the focus on its message and marks the field it is about', { timeout: 60_000 }, async () => {
  await browser.clearCookies(); // signed out: the test above left a portal session
  const page = await browser.newPage();
  await screenshotOnFailure(page, 'refused-forms', async () => {
    await page.goto(url('/portal/sign-in'));
    await page.locator('#email').fill(walk.referents.en.email);
    await page.locator('#password').fill('not the password');
    await page.locator('main button[type=submit]').click();
    await page.waitForLoadState('load');
    const focused = await page.evaluate<{ tag?: string; role?: string | null; text?: string | null }>(
      '({ tag: document.activeElement?.tagName, role: document.activeElement?.getAttribute("role"), text: document.activeElement?.textContent })',
    );
    assert.equal(focused.tag, 'P');
    assert.equal(focused.role, 'alert');
    assert.match(focused.text ?? '', /\S/);
    await page.keyboard.press('Tab');
    assert.notEqual(await page.evaluate<string | undefined>('document.activeElement?.tagName'), 'BODY', 'Tab leads on from the message');

    await page.goto(url('/admin/sign-in'));
    await page.locator('#email').fill(walk.admins.en.email);
    await page.locator('#password').fill(walk.admins.en.password);
    await page.locator('main button[type=submit]').click();
    await page.waitForURL(url('/admin'));
    await page.goto(url('/admin/organisations'));
    await page.locator('#name').fill('Banca Refusa');
    await page.locator('#taxCode').fill('12345678901');
    await page.locator('#contactEmail').fill('it@refusa.test');
    await page.locator('main form[method=post][action="/admin/organisations"] button[type=submit]').click();
    await page.waitForLoadState('load');
    assert.equal(await page.evaluate<string | undefined>('document.activeElement?.id'), 'form-error');
    assert.equal(await page.locator('#taxCode').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#taxCode').getAttribute('aria-describedby'), 'form-error');
    assert.equal(await page.locator('#name').getAttribute('aria-invalid'), null, 'only the field at fault');
    assert.equal(await page.locator('#name').inputValue(), 'Banca Refusa', 'what was typed is kept');
  });
  await page.close();
});
