import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { secondInstance } from '../support/instances.ts';
import { failedSignIns, openSignIn, postSignIn } from '../support/signin.ts';
import { createAdmin, createOrganisation, createReferent, PASSWORD } from '../support/subscriptions.ts';

// Issue 10 item 2: a burst of wrong passwords, sent in parallel through the real sign-in routes,
// gets at most VARCO_SIGNIN_MAX_FAILURES of them checked per window (each checked password leaves
// one sign_in.failed audit row), and the right password is then refused as locked, also when the
// burst is split over two Varco instances on one database.

const MAX = 5;
const first = await buildTestApp({ env: { VARCO_SIGNIN_MAX_FAILURES: String(MAX), VARCO_SIGNIN_LOCK_MINUTES: '15' } });
const second = await secondInstance(first);
const db = first.database.db;
const organisation = await createOrganisation(db, 'Banca Raffica');

/** `count` wrong passwords for `email`, all in flight at once, spread over `apps`, from one address. */
async function burst(
  apps: FastifyInstance[],
  surface: 'admin' | 'portal',
  email: (i: number) => string,
  count: number,
  ip: string,
): Promise<LightMyRequestResponse[]> {
  const forms = await Promise.all(apps.map((app) => openSignIn(app, surface, ip)));
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      postSignIn(apps[i % apps.length]!, surface, forms[i % apps.length]!, email(i), `wrong-guess-number-${i}-x`, { remoteAddress: ip }),
    ),
  );
}

function tally(responses: LightMyRequestResponse[]): { refused: number; locked: number } {
  const locked = responses.filter((r) => r.statusCode === 429);
  for (const r of locked) assert.ok(Number(r.headers['retry-after']) > 0, 'a locked answer says when to retry');
  assert.equal(responses.filter((r) => r.statusCode !== 401 && r.statusCode !== 429).length, 0, 'only 401 and 429');
  return { refused: responses.length - locked.length, locked: locked.length };
}

async function assertLocked(app: FastifyInstance, surface: 'admin' | 'portal', email: string, ip: string): Promise<void> {
  const right = await postSignIn(app, surface, await openSignIn(app, surface, ip), email, PASSWORD, { remoteAddress: ip });
  assert.equal(right.statusCode, 429, 'the right password is refused while locked');
  assert.ok(Number(right.headers['retry-after']) > 0);
  assert.equal(
    right.cookies.some((c) => c.name === `varco_${surface}`),
    false,
    'no session cookie',
  );
}

for (const surface of ['admin', 'portal'] as const) {
  test(`${surface}: 80 parallel wrong passwords check at most ${MAX}; then the right password is locked (429 + Retry-After)`, async () => {
    const email = surface === 'admin' ? (await createAdmin(first.services)).email : (await createReferent(db, organisation, ['node'])).email;
    const responses = await burst([first.app], surface, () => email, 80, '198.51.100.10');
    const { refused, locked } = tally(responses);
    const checked = await failedSignIns(db, email);
    assert.ok(checked.length >= 1 && checked.length <= MAX, `${checked.length} passwords were checked`);
    assert.equal(checked.length, refused, 'every 401 is a checked password, every other answer was refused before argon2');
    assert.equal(locked, 80 - refused);
    await assertLocked(first.app, surface, email, '198.51.100.11');
    assert.equal((await failedSignIns(db, email)).length, checked.length, 'the refused right password was not checked either');
  });
}

test(`two instances on one database share the limit: 40 + 40 parallel wrong passwords check at most ${MAX}`, async () => {
  const { email } = await createAdmin(first.services);
  const { refused } = tally(await burst([first.app, second.app], 'admin', () => email, 80, '198.51.100.20'));
  const checked = await failedSignIns(db, email);
  assert.ok(checked.length >= 1 && checked.length <= MAX, `${checked.length} passwords were checked`);
  assert.equal(checked.length, refused);
  await assertLocked(first.app, 'admin', email, '198.51.100.21');
  await assertLocked(second.app, 'admin', email, '198.51.100.21');
});

test(`one address spraying 80 accounts in parallel gets at most ${MAX * 4} passwords checked (four times an account's)`, async () => {
  const ip = '198.51.100.30';
  const { refused } = tally(await burst([first.app, second.app], 'portal', (i) => `sprayed-${i}@org.test`, 80, ip));
  const checked = await db.selectFrom('audit_log').select('id').where('action', '=', 'sign_in.failed').where('ip', '=', ip).execute();
  assert.ok(checked.length >= 1 && checked.length <= MAX * 4, `${checked.length} passwords were checked`);
  assert.equal(checked.length, refused);
  const referent = await createReferent(db, organisation, ['node']);
  await assertLocked(first.app, 'portal', referent.email, ip);
  const elsewhere = await postSignIn(first.app, 'portal', await openSignIn(first.app, 'portal', '198.51.100.31'), referent.email, PASSWORD, {
    remoteAddress: '198.51.100.31',
  });
  assert.equal(elsewhere.statusCode, 303, 'another address is not locked');
});

test(`spraying from 80 addresses of one IPv6 /64 counts as one address: at most ${MAX * 4} passwords checked`, async () => {
  // An IPv6 client is given a /64 (or more): each of its 2^64 addresses must not be a fresh allowance.
  const address = (i: number): string => `2001:db8:77:1:${(i + 1).toString(16)}::${(i * 7 + 3).toString(16)}`;
  const form = await openSignIn(first.app, 'portal', address(0));
  const responses = await Promise.all(
    Array.from({ length: 80 }, (_, i) =>
      postSignIn(i % 2 === 0 ? first.app : second.app, 'portal', form, `ipv6-sprayed-${i}@org.test`, `wrong-guess-${i}-xx`, { remoteAddress: address(i) }),
    ),
  );
  const { refused } = tally(responses);
  const checked = await db.selectFrom('audit_log').select('id').where('action', '=', 'sign_in.failed').where('ip', 'like', '2001:db8:77:1:%').execute();
  assert.ok(checked.length >= 1 && checked.length <= MAX * 4, `${checked.length} passwords were checked`);
  assert.equal(checked.length, refused);
  const referent = await createReferent(db, organisation, ['node']);
  await assertLocked(first.app, 'portal', referent.email, '2001:db8:77:1:ffff::1');
  const otherNetwork = await postSignIn(first.app, 'portal', await openSignIn(first.app, 'portal', '2001:db8:77:2::1'), referent.email, PASSWORD, {
    remoteAddress: '2001:db8:77:2::1',
  });
  assert.equal(otherNetwork.statusCode, 303, 'another /64 is not locked');
});

test('successful sign-ins give their slot back: many people behind one address are never locked out by signing in', async () => {
  const ip = '198.51.100.40';
  const people = await Promise.all(Array.from({ length: 3 }, () => createReferent(db, organisation, ['node'])));
  for (let round = 0; round < (MAX * 4) / 3 + 3; round++) {
    for (const person of people) {
      const response = await postSignIn(first.app, 'portal', await openSignIn(first.app, 'portal', ip), person.email, PASSWORD, { remoteAddress: ip });
      assert.equal(response.statusCode, 303, `round ${round}: ${response.body.slice(0, 200)}`);
    }
  }
  const row = await db.selectFrom('signin_throttle').selectAll().where('key', '=', `ip:portal:${ip}`).executeTakeFirst();
  assert.equal(row?.failures ?? 0, 0, 'the address counts no failure');
});
