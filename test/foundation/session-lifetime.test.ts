import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/kernel/clock.ts';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';

// Issue 10 item 14: besides the idle lifetime (renewed by activity), a session ends a fixed time
// after sign-in however active it is (VARCO_SESSION_ABSOLUTE_HOURS, default 12).

const clock = fixedClock(new Date('2026-11-23T08:00:00Z'));
const { app, services, database } = await buildTestApp({ clock, env: { VARCO_SESSION_TTL_MINUTES: '60' } });
const db = database.db;
const admin = await createAdmin(services);
const referent = await createReferent(db, await createOrganisation(db), ['node']);

for (const [surface, email] of [['admin', admin.email], ['portal', referent.email]] as const) {
  test(`${surface}: a session used every 50 minutes still ends 12 hours after sign-in`, async () => {
    clock.set(new Date('2026-11-23T08:00:00Z'));
    const browser = await new Browser(app, surface).signIn(email);
    const signedInAt = clock.now().getTime();
    // Activity keeps the 60-minute idle lifetime renewed all day.
    for (let minutes = 50; minutes < 12 * 60; minutes += 50) {
      clock.set(new Date(signedInAt + minutes * 60_000));
      assert.equal((await browser.get(`/${surface}`)).statusCode, 200, `still signed in after ${minutes} minutes`);
    }
    const row = await db.selectFrom('sessions').select(['created_at', 'expires_at']).where('user_id', '=', (await db.selectFrom('users').select('id')
      .where('email', '=', email).executeTakeFirstOrThrow()).id).executeTakeFirstOrThrow();
    assert.ok(row.expires_at.getTime() <= row.created_at.getTime() + 12 * 3600_000, 'renewal never extends past the absolute end');
    clock.set(new Date(signedInAt + 12 * 3600_000));
    const after = await browser.get(`/${surface}`);
    assert.equal(after.statusCode, 303, 'refused at 12 hours, although used 10 minutes ago');
    assert.equal(after.headers.location, `/${surface}/sign-in`);
    // Signing in again gives a new 12 hours.
    const again = await new Browser(app, surface).signIn(email);
    assert.equal((await again.get(`/${surface}`)).statusCode, 200);
  });
}

test('the idle lifetime still applies: 61 minutes without a request end the session', async () => {
  clock.set(new Date('2026-11-24T08:00:00Z'));
  const browser = await new Browser(app, 'admin').signIn(admin.email);
  clock.advance(61 * 60_000);
  assert.equal((await browser.get('/admin')).statusCode, 303);
});
