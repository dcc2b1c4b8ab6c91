import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, explainedConnection } from '../support/db.ts';
import { insertDue, outboxScans } from '../support/outbox-plans.ts';
import { leaseDue, recordAttempts, type AttemptRecord } from '../../src/modules/delivery/outbox.repository.ts';
import type { Channel } from '../../src/modules/delivery/index.ts';

// Issue 15: a lease must read the next due messages, not the whole backlog. While `outbox` had never
// been analysed, or was analysed empty (a new installation until autovacuum's first analysis, the
// benchmark's fresh database, a restore), the planner expected a handful of due rows and fetched and
// sorted every one of them for each lease of 20: a lease's cost grew with the backlog, and a large
// backlog drained quadratically (migration 0031). PostgreSQL's own account of each statement leaseDue
// runs (auto_explain, with ANALYZE) says how many rows of `outbox` the lease read to find its 20. The
// statement before 0031 read 5,100 here for each lease of the backlog of 5,000.

const database = await createTestDatabase();
const { db, owner } = database;

/**
 * Leases through leaseDue on a connection where auto_explain reports every statement's plan, nested
 * ones included; returns the leased ids and the rows of `outbox` its scan read (returned, and removed
 * by the scan's filter), as PostgreSQL counted them.
 */
async function leaseWatched(worker: string, channels: Channel[]): Promise<{ ids: string[]; read: number; plans: string }> {
  const { db: watched, notices } = await explainedConnection(database.ownerUrl);
  try {
    const rows = await leaseDue(watched, { owner: worker, channels, now: new Date(), leaseMs: 60_000, limit: 20 });
    const plans = notices.join('\n');
    // The scan that looks for due rows is the one on `outbox` without an alias (the UPDATE's is `outbox o`).
    const scans = outboxScans(plans).filter((s) => s.alias === '');
    const read = scans.reduce((sum, s) => sum + s.read, 0);
    assert.ok(scans.length > 0, `auto_explain reported the lease's scan:\n${plans}`);
    return { ids: rows.map((r) => r.id), read, plans };
  } finally {
    await watched.destroy();
  }
}

test('a lease reads about the rows it leases, not the backlog, whatever the statistics say', async () => {
  // Statistics of the empty table (a new installation's), kept: autovacuum could analyse it in between.
  await owner.query('ALTER TABLE outbox SET (autovacuum_enabled = off)');
  await owner.query('ANALYZE outbox');
  await insertDue(db, 100, 'small', 600);
  const small = await leaseWatched('w-small', ['email', 'http', 'soap']);
  assert.deepEqual(small.ids.sort(), Array.from({ length: 20 }, (_, k) => `small_${k + 1}`).sort(), 'the 20 messages due longest');
  assert.ok(small.read <= 100, `${small.read} rows read with 100 due\n${small.plans}`);

  // A backlog of 5,000 behind, still with the statistics of the empty table.
  await insertDue(db, 5_000, 'large', 300);
  for (const channels of [['email', 'http', 'soap'], ['http']] as Channel[][]) {
    const large = await leaseWatched(`w-large-${channels.length}`, channels);
    assert.equal(large.ids.length, 20);
    assert.ok(large.read <= 200, `${large.read} rows read to lease 20 of 5,000 due (${channels.join(', ')})\n${large.plans}`);
  }

  // Statistics of a table of delivered messages, then a new backlog of 5,000.
  await db.updateTable('outbox').set({ state: 'delivered', delivered_at: new Date() }).execute();
  await owner.query('ANALYZE outbox');
  await insertDue(db, 5_000, 'later', 200);
  const analysed = await leaseWatched('w-analysed', ['email', 'http', 'soap']);
  assert.deepEqual(analysed.ids.sort(), Array.from({ length: 20 }, (_, k) => `later_${k + 1}`).sort());
  assert.ok(analysed.read <= 100, `${analysed.read} rows read to lease 20 of 5,000 due, statistics of delivered messages\n${analysed.plans}`);
});

test('a group of outcomes: every attempt row is written, each verdict applies only under a held lease, and only those ids come back', async () => {
  await insertDue(db, 6, 'group', 100_000);
  const leased = await leaseDue(db, { owner: 'w-group', channels: ['http'], now: new Date(), leaseMs: 60_000, limit: 6 });
  const byId = new Map(leased.map((r) => [r.id, r]));
  assert.deepEqual([...byId.keys()].sort(), ['group_1', 'group_2', 'group_3', 'group_4', 'group_5', 'group_6']);
  // group_5's lease expired and another worker took it over.
  await db.updateTable('outbox').set({ lease_owner: 'w-other', attempts: 2 }).where('id', '=', 'group_5').execute();
  // group_6 left `pending` while this worker still held it (the guard migration 0034 wrote as a range).
  await db.updateTable('outbox').set({ state: 'dead', last_error: 'given up by hand' }).where('id', '=', 'group_6').execute();
  const now = new Date();
  const retryAt = new Date(now.getTime() + 60_000);
  const record = (id: string, outcome: Partial<AttemptRecord>): AttemptRecord => ({
    messageId: id,
    owner: 'w-group',
    attempt: byId.get(id)!.attempts,
    startedAt: now,
    durationMs: 12.4,
    ok: false,
    statusCode: null,
    error: null,
    nextAttemptAt: null,
    now,
    ...outcome,
  });
  const held = await recordAttempts(db, 'w-group', [
    record('group_1', { ok: true, statusCode: 200 }),
    record('group_2', { statusCode: 503, error: 'HTTP 503', nextAttemptAt: retryAt }),
    record('group_3', { error: 'refused: not a public address', permanent: true }),
    record('group_4', { error: 'timeout' }),
    record('group_5', { ok: true, statusCode: 200 }),
    record('group_6', { ok: true, statusCode: 200 }),
  ]);
  assert.deepEqual([...held].sort(), ['group_1', 'group_2', 'group_3', 'group_4']);
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'state', 'lease_owner', 'last_error', 'next_attempt_at', 'delivered_at'])
    .where('id', 'like', 'group_%')
    .orderBy('id')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.id, r.state, r.lease_owner, r.last_error]),
    [
      ['group_1', 'delivered', null, null],
      ['group_2', 'pending', null, 'HTTP 503'],
      ['group_3', 'dead', null, 'refused: not a public address'],
      ['group_4', 'exhausted', null, 'timeout'],
      ['group_5', 'pending', 'w-other', null],
      ['group_6', 'dead', 'w-group', 'given up by hand'],
    ],
  );
  assert.equal(rows[0]!.delivered_at?.getTime(), now.getTime());
  assert.equal(rows[1]!.next_attempt_at.getTime(), retryAt.getTime());
  const attempts = await db
    .selectFrom('outbox_attempts')
    .select(['message_id', 'attempt', 'ok', 'status_code', 'error', 'duration_ms', 'worker'])
    .where('message_id', 'like', 'group_%')
    .orderBy('message_id')
    .execute();
  assert.deepEqual(
    attempts.map((a) => [a.message_id, a.attempt, a.ok, a.status_code, a.error, a.duration_ms, a.worker]),
    [
      ['group_1', 1, true, 200, null, 12, 'w-group'],
      ['group_2', 1, false, 503, 'HTTP 503', 12, 'w-group'],
      ['group_3', 1, false, null, 'refused: not a public address', 12, 'w-group'],
      ['group_4', 1, false, null, 'timeout', 12, 'w-group'],
      ['group_5', 1, true, 200, null, 12, 'w-group'],
      ['group_6', 1, true, 200, null, 12, 'w-group'],
    ],
    'every attempt happened, so every attempt is written, the one without its lease too',
  );
});
