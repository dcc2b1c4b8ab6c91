import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHostResolver } from './host-resolver.ts';

function counting(answer: (host: string) => string[] | Error) {
  const asked: string[] = [];
  const lookupAll = async (host: string): Promise<string[]> => {
    asked.push(host);
    await new Promise((done) => setImmediate(done));
    const result = answer(host);
    if (result instanceof Error) throw result;
    return result;
  };
  return { asked, lookupAll };
}

test('an answer is reused until its time is up, then asked again', async () => {
  let clock = 1_000;
  const { asked, lookupAll } = counting(() => ['203.0.113.7']);
  const resolve = createHostResolver({ ttlMs: 5_000, lookupAll, now: () => clock });
  assert.deepEqual(await resolve('shop.example'), ['203.0.113.7']);
  clock += 4_999;
  assert.deepEqual(await resolve('SHOP.example'), ['203.0.113.7']);
  assert.equal(asked.length, 1);
  clock += 1;
  await resolve('shop.example');
  assert.equal(asked.length, 2);
});

test('concurrent lookups of one host share one question; a caller changing its copy changes nobody else’s', async () => {
  const { asked, lookupAll } = counting(() => ['203.0.113.7', '2001:db8::7']);
  const resolve = createHostResolver({ lookupAll });
  const answers = await Promise.all([resolve('shop.example'), resolve('shop.example'), resolve('shop.example')]);
  assert.equal(asked.length, 1);
  answers[0]?.pop();
  assert.deepEqual(answers[1], ['203.0.113.7', '2001:db8::7']);
  assert.deepEqual(await resolve('shop.example'), ['203.0.113.7', '2001:db8::7']);
});

test('a failed lookup is not remembered', async () => {
  let fail = true;
  const { asked, lookupAll } = counting(() => (fail ? new Error('ENOTFOUND') : ['203.0.113.8']));
  const resolve = createHostResolver({ lookupAll });
  await assert.rejects(resolve('new.example'), /ENOTFOUND/);
  fail = false;
  assert.deepEqual(await resolve('new.example'), ['203.0.113.8']);
  assert.equal(asked.length, 2);
});

test('the number of remembered hosts is bounded, the oldest forgotten first', async () => {
  const { asked, lookupAll } = counting((host) => [host === 'a.example' ? '203.0.113.1' : '203.0.113.2']);
  const resolve = createHostResolver({ lookupAll, maxHosts: 2 });
  await resolve('a.example');
  await resolve('b.example');
  await resolve('c.example');
  await resolve('b.example');
  assert.equal(asked.length, 3);
  await resolve('a.example');
  assert.equal(asked.length, 4);
});
