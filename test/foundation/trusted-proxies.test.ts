import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { failedSignIns, openSignIn, postSignIn } from '../support/signin.ts';
import { addressBucket } from '../../src/modules/identity/throttle.policy.ts';

// Issue 10 item 15: X-Forwarded-For is believed only from the proxies in VARCO_TRUSTED_PROXIES;
// otherwise the client address (sign-in throttle key, audit rows) is the socket's. A client that
// forges the header cannot move its failures to another address or blame one in the audit log.

const direct = await buildTestApp();
const proxied = await buildTestApp({ env: { VARCO_TRUSTED_PROXIES: '10.20.0.0/16, fd00:20::1' } });

let n = 0;
/** One wrong sign-in; returns the address Varco recorded for it (audit row and throttle key). */
async function recordedAddress(t: TestApp, remoteAddress: string, forwardedFor: string): Promise<string | null> {
  const email = `proxy-${++n}@example.org`;
  const app: FastifyInstance = t.app;
  const response = await postSignIn(app, 'admin', await openSignIn(app, 'admin', remoteAddress), email, 'some-wrong-password', { remoteAddress, forwardedFor });
  assert.equal(response.statusCode, 401);
  const [row] = await failedSignIns(t.database.db, email);
  const throttled = await t.database.db
    .selectFrom('signin_throttle')
    .select('key')
    .where('key', '=', `ip:admin:${addressBucket(row?.ip ?? null)}`)
    .executeTakeFirst();
  assert.ok(throttled, 'the throttle counted the same address as the audit row (an IPv6 client by its /64)');
  return row?.ip ?? null;
}

test('without VARCO_TRUSTED_PROXIES a forged X-Forwarded-For is ignored: the socket address is used', async () => {
  assert.equal(await recordedAddress(direct, '10.20.0.5', '203.0.113.9'), '10.20.0.5');
  assert.equal(await recordedAddress(direct, '198.51.100.7', '203.0.113.9, 10.20.0.5'), '198.51.100.7');
  const forgedKey = await direct.database.db.selectFrom('signin_throttle').select('key').where('key', '=', 'ip:admin:203.0.113.9').executeTakeFirst();
  assert.equal(forgedKey, undefined, 'no failure was counted against the forged address');
});

test('from a trusted proxy, the client address is the rightmost one no trusted proxy added', async () => {
  assert.equal(await recordedAddress(proxied, '10.20.0.5', '203.0.113.20'), '203.0.113.20');
  // The client forged the first entry; the proxy appended the address it saw.
  assert.equal(await recordedAddress(proxied, '10.20.0.5', '198.51.100.66, 203.0.113.21'), '203.0.113.21');
  // Two trusted hops: the inner proxy's own address is skipped.
  assert.equal(await recordedAddress(proxied, '10.20.0.5', '203.0.113.22, 10.20.9.9'), '203.0.113.22');
  assert.equal(await recordedAddress(proxied, 'fd00:20::1', '2001:db8::23'), '2001:db8::23');
  assert.equal(await recordedAddress(proxied, '::ffff:10.20.0.5', '203.0.113.24'), '203.0.113.24', 'an IPv4-mapped socket address of a trusted proxy');
});

test('from a peer that is not a trusted proxy, X-Forwarded-For is ignored even when the setting is on', async () => {
  assert.equal(await recordedAddress(proxied, '10.21.0.5', '203.0.113.30'), '10.21.0.5');
  assert.equal(await recordedAddress(proxied, 'fd00:20::2', '203.0.113.31'), 'fd00:20::2');
});

test('a client behind a trusted proxy cannot escape the address throttle by changing X-Forwarded-For entries it controls', async () => {
  const forms = await openSignIn(proxied.app, 'admin', '10.20.0.5');
  // VARCO_SIGNIN_MAX_FAILURES defaults to 5: the address allows 20 failures, whatever the forged prefix.
  for (let i = 0; i < 20; i++) {
    const r = await postSignIn(proxied.app, 'admin', forms, `spray-${i}@example.org`, 'wrong-password-xx', {
      remoteAddress: '10.20.0.5',
      forwardedFor: `192.0.2.${i}, 203.0.113.40`,
    });
    assert.equal(r.statusCode, 401);
  }
  const locked = await postSignIn(proxied.app, 'admin', forms, 'spray-x@example.org', 'wrong-password-xx', {
    remoteAddress: '10.20.0.5',
    forwardedFor: '192.0.2.200, 203.0.113.40',
  });
  assert.equal(locked.statusCode, 429);
});
