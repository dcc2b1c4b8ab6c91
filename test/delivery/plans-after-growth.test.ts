import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, explainedConnection } from '../support/db.ts';
import { insertDue, outboxScans } from '../support/outbox-plans.ts';
import { leaseDue, recordAttempts } from '../../src/modules/delivery/outbox.repository.ts';

// Issue 15 (migration 0034): a connection keeps the plans of the outbox's two functions, and of the
// foreign-key check of attempt rows, for its whole life. Plans made while `outbox` held 30 messages
// must still find each message by primary key once it holds 20,000: before 0034, each lease's UPDATE
// and each outcome group's UPDATE read all 20,000 rows on such a connection until an ANALYZE happened
// to invalidate the plans. PostgreSQL's own account of every statement (auto_explain) says how many
// rows of `outbox` each scan read.

const database = await createTestDatabase();
const { db, owner } = database;

/** The most rows any scan of `outbox` read, by the scan's alias: '' (the due scan), 'o' (the UPDATEs), 'x' (the foreign-key check). */
function rowsRead(plans: string): Map<string, number> {
  const read = new Map<string, number>();
  for (const { alias, read: rows } of outboxScans(plans)) read.set(alias, Math.max(read.get(alias) ?? 0, rows));
  return read;
}

test('plans the outbox functions made while the table was small still read by primary key after it grew to 20,000', async () => {
  // No analysis in between: autovacuum's would invalidate the plans and hide what a connection keeps.
  await owner.query('ALTER TABLE outbox SET (autovacuum_enabled = off)');
  await owner.query('ALTER TABLE outbox_attempts SET (autovacuum_enabled = off)');
  await owner.query('ANALYZE outbox');
  // One connection for every round, as a worker's pool keeps its connections.
  const { db: watched, notices } = await explainedConnection(database.ownerUrl);
  try {
    /** Leases `count` messages and records them delivered in one group; the most rows any scan of each alias read. */
    const round = async (count = 2): Promise<{ lease: Map<string, number>; record: Map<string, number>; recordPlans: string }> => {
      notices.length = 0;
      const rows = await leaseDue(watched, { owner: 'w-growth', channels: ['http'], now: new Date(), leaseMs: 60_000, limit: count });
      assert.equal(rows.length, count);
      const lease = rowsRead(notices.join('\n'));
      notices.length = 0;
      const now = new Date();
      const held = await recordAttempts(
        watched,
        'w-growth',
        rows.map((r) => ({
          messageId: r.id,
          owner: 'w-growth',
          attempt: r.attempts,
          startedAt: now,
          durationMs: 1,
          ok: true,
          statusCode: 200,
          error: null,
          nextAttemptAt: null,
          now,
        })),
      );
      assert.equal(held.size, count, 'every outcome applied');
      const recordPlans = notices.join('\n');
      return { lease, record: rowsRead(recordPlans), recordPlans };
    };
    // Past the plan cache's first custom plans, so that the connection now holds generic ones.
    await insertDue(db, 30, 'small');
    for (let i = 0; i < 8; i++) await round();
    await insertDue(db, 20_000, 'large');
    for (let i = 0; i < 3; i++) {
      const { lease, record, recordPlans } = await round();
      const message = `rows of outbox read, round ${i + 1} after growth: lease ${JSON.stringify([...lease])}, record ${JSON.stringify([...record])}`;
      assert.ok((lease.get('o') ?? Number.NaN) <= 10, message);
      assert.ok((record.get('o') ?? Number.NaN) <= 10, message);
      // A sequential scan stops at its first match, and these messages sit near the table's start: the plan says it, not the count.
      assert.match(recordPlans, /Index Scan using outbox_pkey on outbox x/, `the foreign-key check by primary key: ${message}`);
      assert.doesNotMatch(recordPlans, /Seq Scan on outbox x/, `the foreign-key check: ${message}`);
    }
    // A large group of outcomes is joined to its messages once, not rescanned per message (a kept
    // nested loop over the unnested outcomes removed ~n² rows by its join filter: 249,500 for 500).
    const { recordPlans } = await round(300);
    const removed = [...recordPlans.matchAll(/Rows Removed by Join Filter: (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(Math.max(0, ...removed) <= 300, `rows removed by a join filter for a group of 300: ${removed.join(', ')}\n${recordPlans}`);
  } finally {
    await watched.destroy();
  }
});
