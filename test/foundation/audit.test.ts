import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendAudit, verifyAuditChain, type AuditEntry } from '../../src/modules/audit/index.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { createTestDatabase } from '../support/db.ts';

// The audit log is append-only and hash-chained: each row commits to the one before it, so an
// edit made behind the application's back (triggers disabled by a superuser) is found by seq.

const { db, pool } = await createTestDatabase();
const clock = fixedClock(new Date('2026-11-23T09:00:00Z'));
const entry = (n: number): AuditEntry => ({ actorType: 'system', action: `test.step_${n}`, subjectType: 'thing', subjectId: `thing_${n}`, details: { n, note: `row ${n}` } });

async function rows() {
  return db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
}

test('rows appended in transactions chain, and the chain verifies', async () => {
  for (let n = 1; n <= 3; n++) {
    await db.transaction().execute((trx) => appendAudit(trx, entry(n), clock));
    clock.advance(1000);
  }
  // Several rows in one transaction chain as well.
  await db.transaction().execute(async (trx) => {
    await appendAudit(trx, entry(4), clock);
    await appendAudit(trx, entry(5), clock);
  });
  // Concurrent writers still produce one order (the advisory lock serialises them).
  await Promise.all([6, 7, 8].map((n) => db.transaction().execute((trx) => appendAudit(trx, entry(n), clock))));

  const all = await rows();
  assert.equal(all.length, 8);
  assert.equal(all[0]!.prev_hash, '0'.repeat(64));
  for (let i = 1; i < all.length; i++) assert.equal(all[i]!.prev_hash, all[i - 1]!.hash, `row ${all[i]!.seq} does not link to its predecessor`);
  assert.equal(new Set(all.map((r) => r.hash)).size, all.length);
  assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: 8 });
});

test('a rolled-back transaction leaves no audit row', async () => {
  const before = (await rows()).length;
  await assert.rejects(db.transaction().execute(async (trx) => {
    await appendAudit(trx, entry(99), clock);
    throw new Error('the change failed');
  }), /the change failed/);
  assert.equal((await rows()).length, before);
  assert.equal((await verifyAuditChain(db)).ok, true);
});

test('UPDATE and DELETE on audit_log are refused by the trigger', async () => {
  await assert.rejects(pool.query(`UPDATE audit_log SET action = 'forged' WHERE seq = 1`), /append-only/);
  await assert.rejects(pool.query('DELETE FROM audit_log WHERE seq = 1'), /append-only/);
  assert.equal((await rows())[0]!.action, 'test.step_1');
});

test('appendAudit outside a transaction throws and writes nothing', async () => {
  const before = (await rows()).length;
  await assert.rejects(appendAudit(db, entry(100), clock), /inside the transaction/);
  assert.equal((await rows()).length, before);
});

test('a detail named like a secret is refused, and its transaction writes nothing', async () => {
  const before = (await rows()).length;
  for (const name of ['password', 'newPassword', 'apiKey', 'secret', 'token', 'cardNumber', 'cvc', 'shaInPassphrase']) {
    await assert.rejects(db.transaction().execute((trx) => appendAudit(trx, { ...entry(101), details: { [name]: 'x' } }, clock)),
      /looks like a secret/, name);
  }
  assert.equal((await rows()).length, before);
});

test('a row altered behind the application is reported by its seq', async () => {
  const all = await rows();
  const middle = all[Math.floor(all.length / 2)]!;
  // A superuser can disable the trigger; the hash chain is what still catches the edit.
  await pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
  try {
    await pool.query(`UPDATE audit_log SET details = jsonb_set(details, '{note}', '"rewritten"') WHERE seq = $1`, [middle.seq]);
  } finally {
    await pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
  }
  const verdict = await verifyAuditChain(db);
  assert.equal(verdict.ok, false);
  if (verdict.ok) return;
  assert.equal(verdict.seq, middle.seq);
  assert.equal(verdict.id, middle.id);
  assert.equal(verdict.checked, all.findIndex((r) => r.seq === middle.seq));
  assert.match(verdict.problem, /does not match its hash/);
});
