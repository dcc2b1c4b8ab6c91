import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/kernel/clock.ts';
import { createJobRunner } from '../../src/app/jobs.ts';
import { retentionJobs } from '../../src/app/retention.ts';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';

// Issue 10 item 14: besides the idle lifetime (renewed by activity), a session ends a fixed time
// after sign-in however active it is (VARCO_SESSION_ABSOLUTE_HOURS, default 12).
// Issue 12: the rows of ended sessions are deleted by the hourly periodic job (src/app/jobs.ts runner).

const clock = fixedClock(new Date('2026-11-23T08:00:00Z'));
const { app, services, database, config } = await buildTestApp({ clock, env: { VARCO_SESSION_TTL_MINUTES: '60' } });
const db = database.db;
const admin = await createAdmin(services);
const referent = await createReferent(db, await createOrganisation(db), ['node']);

for (const [surface, email] of [
  ['admin', admin.email],
  ['portal', referent.email],
] as const) {
  test(`${surface}: a session used every 50 minutes still ends 12 hours after sign-in`, async () => {
    clock.set(new Date('2026-11-23T08:00:00Z'));
    const browser = await new Browser(app, surface).signIn(email);
    const signedInAt = clock.now().getTime();
    // Activity keeps the 60-minute idle lifetime renewed all day.
    for (let minutes = 50; minutes < 12 * 60; minutes += 50) {
      clock.set(new Date(signedInAt + minutes * 60_000));
      assert.equal((await browser.get(`/${surface}`)).statusCode, 200, `still signed in after ${minutes} minutes`);
    }
    const row = await db
      .selectFrom('sessions')
      .select(['created_at', 'expires_at'])
      .where('user_id', '=', (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id)
      .executeTakeFirstOrThrow();
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

test('a renewal sends the session cookie again, with a Max-Age of what the server now keeps the session (never past the absolute end)', async () => {
  clock.set(new Date('2026-11-20T08:00:00Z'));
  const browser = await new Browser(app, 'admin').signIn(admin.email);
  const signedInAt = clock.now().getTime();
  const sessionCookie = (res: { headers: Record<string, unknown> }) =>
    [res.headers['set-cookie'] ?? []].flat().find((c): c is string => typeof c === 'string' && c.startsWith('varco_admin='));
  clock.set(new Date(signedInAt + 50 * 60_000));
  const renewed = sessionCookie(await browser.get('/admin'));
  assert.match(renewed ?? 'none', /; Max-Age=3600;.*HttpOnly.*Secure.*SameSite=Lax/, 'renewed for the 60-minute idle lifetime, same attributes');
  assert.match(renewed ?? '', /; Path=\/admin;/);
  clock.advance(30_000);
  assert.equal(sessionCookie(await browser.get('/admin')), undefined, 'not renewed within the minute, so no cookie either');
  // Used every 50 minutes: the renewal at 11 h 40 min leaves the 20 minutes until the absolute end.
  for (let minutes = 100; minutes <= 700; minutes += 50) {
    clock.set(new Date(signedInAt + minutes * 60_000));
    const res = await browser.get('/admin');
    assert.equal(res.statusCode, 200, `still signed in after ${minutes} minutes`);
    if (minutes === 700) assert.match(sessionCookie(res) ?? 'none', /; Max-Age=1200;/);
  }
  clock.set(new Date(signedInAt + 12 * 3600_000));
  assert.equal(browser.jar.cookies.has('varco_admin'), true);
  browser.jar.header();
  assert.equal(browser.jar.cookies.has('varco_admin'), false, 'the browser drops the cookie when the server ends the session');
});

test('the idle lifetime still applies: 61 minutes without a request end the session', async () => {
  clock.set(new Date('2026-11-24T08:00:00Z'));
  const browser = await new Browser(app, 'admin').signIn(admin.email);
  clock.advance(61 * 60_000);
  assert.equal((await browser.get('/admin')).statusCode, 303);
});

test('the periodic job deletes sessions ended by idleness or by the absolute lifetime, and keeps live ones', async () => {
  const morning = Date.parse('2026-11-25T08:00:00Z');
  const at = (minutes: number): Date => new Date(morning + minutes * 60_000);
  clock.set(at(0));
  const browsers: Record<string, Browser> = { tireless: await new Browser(app, 'admin').signIn(admin.email) };
  // tireless: used every 50 minutes until 19:40, so only the 12-hour end (20:00) stops it.
  for (let minutes = 50; minutes <= 700; minutes += 50) {
    clock.set(at(minutes));
    assert.equal((await browsers.tireless!.get('/admin')).statusCode, 200);
    // idle: signed in at 18:00, never used again (ends 19:00); active: signed in at 18:50, used at 19:45; fresh: signed in at 19:48.
    if (minutes === 600) browsers.idle = await new Browser(app, 'portal').signIn(referent.email);
    if (minutes === 650) browsers.active = await new Browser(app, 'admin').signIn(admin.email);
  }
  clock.set(at(705));
  assert.equal((await browsers.active!.get('/admin')).statusCode, 200);
  clock.set(at(708));
  browsers.fresh = await new Browser(app, 'portal').signIn(referent.email);

  clock.set(at(725));
  const signedIn = async (): Promise<string[]> =>
    (await db.selectFrom('sessions').select('created_at').where('created_at', '>=', at(0)).execute())
      .map((row) => ({ 0: 'tireless', 600: 'idle', 650: 'active', 708: 'fresh' })[(row.created_at.getTime() - morning) / 60_000] ?? 'other')
      .sort();
  assert.deepEqual(await signedIn(), ['active', 'fresh', 'idle', 'tireless'], 'ended sessions keep their rows until the job runs');
  const status = async (name: string): Promise<number> => (await browsers[name]!.get(`/${browsers[name]!.surface}`)).statusCode;
  assert.deepEqual([await status('tireless'), await status('idle')], [303, 303], 'the identity module already refuses both');

  const runner = createJobRunner({
    db,
    clock,
    logger: { info: () => undefined, warn: () => undefined },
    owner: 'test',
    jobs: retentionJobs({ db, retention: config.retention }),
  });
  const outcomes = await runner.runDue();
  assert.ok(
    outcomes.every((outcome) => outcome.ran && outcome.error === undefined),
    JSON.stringify(outcomes),
  );
  assert.deepEqual(await signedIn(), ['active', 'fresh'], 'the idle-ended and the absolute-ended sessions are gone');
  assert.deepEqual([await status('active'), await status('fresh')], [200, 200], 'live sessions still work');
});
