import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../identity/index.ts';
import { createPasswordCache } from './channel-password.cache.ts';

// The channel password cache with real argon2id hashes: what it saves, and when it must not answer.

const first = await hashPassword('pwdpwdpwd');
const channel = { id: 'chn_one', passwordHash: first };

test('a right password costs one argon2 run, then none; a wrong one is remembered as wrong', async () => {
  const cache = createPasswordCache({ verify: verifyPassword });
  assert.equal(await cache.check(channel, 'pwdpwdpwd'), true);
  assert.equal(await cache.check(channel, 'pwdpwdpwd'), true);
  assert.equal(cache.verifications, 1);
  assert.equal(await cache.check(channel, 'wrongwrong'), false);
  assert.equal(await cache.check(channel, 'wrongwrong'), false);
  assert.equal(cache.verifications, 2);
  assert.deepEqual(cache.size, { right: 1, wrong: 1 });
});

test('a new stored hash (a replaced password) is never answered from the verdicts of the old one', async () => {
  const cache = createPasswordCache({ verify: verifyPassword });
  assert.equal(await cache.check(channel, 'pwdpwdpwd'), true);
  const replaced = { id: channel.id, passwordHash: await hashPassword('newpassword') };
  assert.equal(await cache.check(replaced, 'pwdpwdpwd'), false, 'the old password fails at once');
  assert.equal(await cache.check(replaced, 'newpassword'), true);
  // Even the same password set again is a new salted hash: verified afresh.
  const again = { id: channel.id, passwordHash: await hashPassword('pwdpwdpwd') };
  const before = cache.verifications;
  assert.equal(await cache.check(again, 'pwdpwdpwd'), true);
  assert.equal(cache.verifications, before + 1);
});

test('requests arriving together with one password share one argon2 run', async () => {
  const cache = createPasswordCache({ verify: verifyPassword });
  const verdicts = await Promise.all(Array.from({ length: 10 }, () => cache.check(channel, 'pwdpwdpwd')));
  assert.ok(verdicts.every((v) => v));
  assert.equal(cache.verifications, 1);
});

test('bounded: wrong passwords evict only wrong ones; drop() forgets one channel\u2019s verdicts', async () => {
  const cache = createPasswordCache({ verify: verifyPassword, maxEntries: 3 });
  assert.equal(await cache.check(channel, 'pwdpwdpwd'), true);
  for (let i = 0; i < 6; i++) assert.equal(await cache.check(channel, `wrong-${i}-xx`), false);
  assert.deepEqual(cache.size, { right: 1, wrong: 3 });
  const runs = cache.verifications;
  assert.equal(await cache.check(channel, 'pwdpwdpwd'), true);
  assert.equal(cache.verifications, runs, 'the right password is still cached');
  cache.drop(channel.id);
  assert.deepEqual(cache.size, { right: 0, wrong: 0 });
});

test('a stored value that is not an argon2 hash verifies nothing', async () => {
  const cache = createPasswordCache({ verify: verifyPassword });
  assert.equal(await cache.check({ id: 'chn_two', passwordHash: 'not-a-hash' }, 'pwdpwdpwd'), false);
});

test('a verification that fails (argon2 out of memory, say) refuses this request only: no verdict is kept', async () => {
  let failing = true;
  const cache = createPasswordCache({
    verify: async (hash, password) => {
      if (failing) throw new Error('argon2: cannot allocate memory');
      return verifyPassword(hash, password);
    },
  });
  assert.equal(await cache.check(channel, 'pwdpwdpwd'), false);
  failing = false;
  assert.equal(await cache.check(channel, 'pwdpwdpwd'), true, 'the right password is verified again, not answered "wrong" from the cache');
  assert.deepEqual(cache.size, { right: 1, wrong: 0 });
});
