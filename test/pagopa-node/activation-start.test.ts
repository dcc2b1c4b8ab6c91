import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createKysely, createPool, type Database } from '../../src/db/index.ts';
import * as repo from '../../src/modules/pagopa-node/payments.repository.ts';
import { createTestDatabase } from '../support/db.ts';

// startActivation (payments.repository.ts, issue 15): the key's claim, the expiry of the notice's
// stale tokens and the insert of the new token in ONE statement, as the transaction of three it
// replaced. Its guarantees, against real PostgreSQL, with a second transaction held open to make each
// race happen for certain: the key decides before the notice (a taken key changes nothing, not even
// another PSP's stale token), a same-statement expiry never conflicts with the new token, a different
// key racing for the notice loses on the notice's index and keeps nothing, and the row written is the
// row a plain INSERT of the same values writes.

const t = await createTestDatabase(6);
const { db } = t;
const FISCAL_CODE = '12345678901';
const MINUTE = 60_000;
const noticeNumber = (): string => `3${randomBytes(8).readBigUInt64BE().toString().padStart(17, '0').slice(0, 17)}`;
const token = (): string => randomBytes(16).toString('hex');
const key = (): string => `k${randomBytes(5).toString('hex')}`;

function payment(tok: string, notice: string, at: Date, extra: Partial<repo.StartedPayment> = {}): repo.StartedPayment {
  return {
    token: tok,
    environment: 'test',
    fiscal_code: FISCAL_CODE,
    notice_number: notice,
    state: 'activating',
    operation: 'activatePaymentNoticeV2',
    psp_organisation_id: 'org_psp',
    psp_company_name: 'Banca "Prova" \\ d\u2019Italia \u2013 \u20ac \ud83d\ude00',
    id_psp: 'PSP1',
    id_broker_psp: 'BRK1',
    id_channel: 'BRK1_01',
    idempotency_key: null,
    amount_cents: 99_999_999_999,
    ec_organisation_id: 'org_ec',
    station_id: null,
    station_code: `${FISCAL_CODE}_SIM`,
    station_organisation_id: null,
    primitive_version: 2,
    activated_at: at,
    expires_at: new Date(at.getTime() + MINUTE),
    updated_at: at,
    ...extra,
  };
}

function start(on: Kysely<Database>, notice: string, tok: string, now: Date, withKey?: string): Promise<'started' | 'key_taken'> {
  return repo.startActivation(on, {
    notice: { env: 'test', fiscalCode: FISCAL_CODE, noticeNumber: notice },
    now,
    claim:
      withKey === undefined ? undefined : { key: { env: 'test', idPsp: 'PSP1', key: withKey }, digest: 'digest', validUntil: new Date(now.getTime() + MINUTE) },
    payment: payment(tok, notice, now, withKey === undefined ? {} : { idempotency_key: withKey }),
  });
}

/** A token of the notice that was active and expired a minute ago, another PSP's. */
async function staleToken(notice: string, now: Date): Promise<string> {
  const tok = token();
  const then = new Date(now.getTime() - 2 * MINUTE);
  await db
    .insertInto('pagopa_payments')
    .values({
      ...payment(tok, notice, then, { state: 'active', psp_organisation_id: 'org_other_psp' }),
      payment: '{}',
      expires_at: new Date(now.getTime() - MINUTE),
    })
    .execute();
  return tok;
}

const states = (notice: string) =>
  db.selectFrom('pagopa_payments').select(['token', 'state']).where('notice_number', '=', notice).orderBy('activated_at').execute();
const keyRecord = (k: string) => db.selectFrom('pagopa_idempotency').select('token').where('idempotency_key', '=', k).executeTakeFirst();

/** Waits until some statement waits for a lock (the racing one is blocked), at most 5 s. */
async function blocked(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted');
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((done) => setTimeout(done, 10));
  }
  assert.fail('the racing statement never waited');
}

const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

test('a taken key changes nothing: not the new token, not the notice\u2019s stale token of another PSP', async () => {
  const notice = noticeNumber();
  const now = new Date();
  const stale = await staleToken(notice, now);
  const k = key();
  assert.equal(await start(db, noticeNumber(), token(), now, k), 'started', 'the key is used on another notice');
  assert.equal(await start(db, notice, token(), now, k), 'key_taken');
  assert.deepEqual(await states(notice), [{ token: stale, state: 'active' }], 'the stale token was left as it was');
});

test('the stale token expired by the statement does not conflict with the new one', async () => {
  const notice = noticeNumber();
  const now = new Date();
  const stale = await staleToken(notice, now);
  const fresh = token();
  assert.equal(await start(db, notice, fresh, now, key()), 'started');
  assert.deepEqual(await states(notice), [
    { token: stale, state: 'expired' },
    { token: fresh, state: 'activating' },
  ]);
});

for (const withStale of [false, true]) {
  for (const first of ['commits', 'rolls back'] as const) {
    const stale = withStale ? ', a stale token present' : '';
    test(`same key, one notice${stale}: the second waits for the first, which ${first}`, async () => {
      const notice = noticeNumber();
      const now = new Date();
      if (withStale) await staleToken(notice, now);
      const k = key();
      const open = await db.startTransaction().execute();
      assert.equal(await start(open, notice, token(), now, k), 'started');
      const second = settled(start(db, notice, token(), now, k));
      await blocked();
      await (first === 'commits' ? open.commit() : open.rollback()).execute();
      assert.deepEqual(await second, { value: first === 'commits' ? 'key_taken' : 'started' });
    });

    test(`different keys, one notice${stale}: the second waits for the first, which ${first}`, async () => {
      const notice = noticeNumber();
      const now = new Date();
      if (withStale) await staleToken(notice, now);
      const k = key();
      const open = await db.startTransaction().execute();
      assert.equal(await start(open, notice, token(), now, key()), 'started');
      const second = settled(start(db, notice, token(), now, k));
      await blocked();
      await (first === 'commits' ? open.commit() : open.rollback()).execute();
      const outcome = await second;
      if (first === 'commits') {
        assert.ok('error' in outcome && repo.isLiveNoticeConflict(outcome.error), JSON.stringify(outcome));
        assert.equal(await keyRecord(k), undefined, 'the loser keeps no claim of its key');
      } else {
        assert.deepEqual(outcome, { value: 'started' });
      }
      assert.equal((await states(notice)).filter((r) => r.state === 'activating').length, 1, 'one live token');
    });
  }
}

test('while a key is being decided, the statement has locked nothing of its notice yet', async () => {
  const [first, second] = [noticeNumber(), noticeNumber()];
  const now = new Date();
  const stale = await staleToken(second, now);
  const k = key();
  const open = await db.startTransaction().execute();
  assert.equal(await start(open, first, token(), now, k), 'started');
  const waiting = settled(start(db, second, token(), now, k));
  await blocked();
  // NOWAIT: fails at once if the waiting statement had locked the stale token before its key.
  await sql`SELECT token FROM pagopa_payments WHERE token = ${stale} FOR UPDATE NOWAIT`.execute(db);
  await open.commit().execute();
  assert.deepEqual(await waiting, { value: 'key_taken' });
  assert.deepEqual(await states(second), [{ token: stale, state: 'active' }]);
});

test('the row written is the row a plain INSERT of the same values writes, whatever the session\u2019s time zone', async () => {
  for (const zone of ['UTC', 'Europe/Rome', 'America/St_Johns', 'Asia/Kathmandu']) {
    const pool = createPool(t.url, 1);
    pool.on('connect', (client) => void client.query(`SET TimeZone = '${zone}'`));
    const zoned = createKysely(pool);
    try {
      // A daylight-saving change in Europe, with milliseconds.
      const now = new Date(Date.UTC(2026, 2, 29, 1, 30, 0, 123));
      const [ours, plain] = [token(), token()];
      assert.equal(await start(zoned, noticeNumber(), ours, now), 'started');
      await zoned
        .insertInto('pagopa_payments')
        .values(payment(plain, noticeNumber(), now))
        .execute();
      const { rows } = await sql<{ token: string; json: Record<string, unknown> }>`
        SELECT token, to_jsonb(p) - 'token' - 'notice_number' AS json FROM pagopa_payments p WHERE token IN (${ours}, ${plain})`.execute(db);
      const byToken = new Map(rows.map((r) => [r.token, r.json]));
      assert.deepEqual(byToken.get(ours), byToken.get(plain), zone);
    } finally {
      await zoned.destroy();
    }
  }
});
