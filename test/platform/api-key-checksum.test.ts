import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { Kysely, PostgresDialect } from 'kysely';
import { buildApp } from '../../src/app/build.ts';
import { createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { Database } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { checkKeyFormat, generateKey } from '../../src/modules/subscriptions/keys.ts';
import { testAudit, testConfig } from '../support/app.ts';
import { createTestDatabase } from '../support/db.ts';
import { createOrganisation, issueKeys } from '../support/subscriptions.ts';

// Issue 10 item 18: a random key that cannot be valid is refused without a database query. The key
// format carries a CRC32 of the rest (src/modules/subscriptions/keys.ts); the verifier checks it
// before hashing or looking anything up. Proved by counting every statement the app's Kysely runs
// (its log hook) while well-shaped keys with a wrong checksum go through /api.

const database = await createTestDatabase();
const statements: string[] = [];
// On the test database's pool, which its own clean-up ends.
const db = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: database.pool }),
  log: (event) => {
    statements.push(event.query.sql);
  },
});
const config = await testConfig({ DATABASE_URL: database.url });
const logger = createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() }));
const deps = { config, db, logger, clock: systemClock, audit: testAudit() };
const container = createContainer(deps);
const { services } = container;
const app = await buildApp(container);
after(() => app.close());

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomBase62 = (length: number): string => Array.from({ length }, () => BASE62[randomInt(62)]).join('');

/** `vk_<env>_` + 49 base62 characters whose last six are not the checksum of the rest. */
function wrongChecksumKey(): string {
  for (;;) {
    const key = `vk_${randomInt(2) === 0 ? 'test' : 'prod'}_${randomBase62(49)}`;
    if (checkKeyFormat(key) === undefined) return key;
  }
}

/** A real key with one character of its body changed: the checksum no longer matches. */
function mistypedKey(): string {
  const key = generateKey('test').key;
  const at = 8 + randomInt(43);
  const replacement = BASE62[(BASE62.indexOf(key[at] ?? '0') + 1 + randomInt(61)) % 62];
  return `${key.slice(0, at)}${replacement}${key.slice(at + 1)}`;
}

async function ping(key: string, where: 'header' | 'query' = 'header'): Promise<{ status: number; code: string }> {
  const response =
    where === 'header'
      ? await app.inject({ url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } })
      : await app.inject({ url: `/api/v1/ping?subscription-key=${encodeURIComponent(key)}` });
  return { status: response.statusCode, code: response.statusCode === 200 ? '' : response.json<{ error: { code: string } }>().error.code };
}

const org = await createOrganisation(database.db);
const keys = await issueKeys(services, org);

test('well-shaped keys with a wrong checksum are refused without one database statement', async () => {
  const candidates = [
    ...Array.from({ length: 150 }, wrongChecksumKey),
    ...Array.from({ length: 50 }, mistypedKey),
    // Other shapes: wrong environment, length, alphabet, prefix.
    `vk_live_${randomBase62(49)}`,
    `vk_test_${randomBase62(48)}`,
    `vk_test_${randomBase62(50)}`,
    `vk_test_${randomBase62(48)}-`,
    `VK_TEST_${randomBase62(49)}`,
    randomBytes(40).toString('base64url'),
    keys.primary.slice(0, -1),
    `${keys.primary} `,
  ];
  statements.length = 0;
  for (const [i, key] of candidates.entries()) {
    const result = await ping(key, i % 2 === 0 ? 'header' : 'query');
    assert.deepEqual(result, { status: 401, code: 'subscription_key_invalid' }, key);
  }
  assert.deepEqual(statements, [], 'no statement reached the database');
});

test('control: the counter sees the lookups a key with a valid checksum causes, and real keys keep working', async () => {
  statements.length = 0;
  const unknown = generateKey('test').key;
  assert.deepEqual(await ping(unknown), { status: 401, code: 'subscription_key_invalid' });
  assert.ok(
    statements.some((s) => /api_keys/.test(s)),
    'an unknown key with a valid checksum is looked up',
  );
  assert.deepEqual(await ping(keys.primary), { status: 200, code: '' });
  assert.deepEqual(await ping(keys.secondary, 'query'), { status: 200, code: '' });
});
