import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createTestDatabase } from '../support/db.ts';
import { createPool, type Database } from '../../src/db/index.ts';
import { leaseDue } from '../../src/modules/delivery/outbox.repository.ts';
import type { Channel } from '../../src/modules/delivery/index.ts';

// Issue 15: a lease must read the next due messages, not the whole backlog. With statistics of
// `outbox` taken while it was empty or small (a new installation, the benchmark, a restore), the
// planner expected a handful of due rows and fetched and sorted every one of them for each lease of
// 20: a lease's cost grew with the backlog, and a large backlog drained quadratically (migration 0031).
// PostgreSQL's own account of each statement leaseDue runs (auto_explain, with ANALYZE) says how many
// rows of `outbox` the lease read to find its 20. The first version failed here with 5,100 rows read.

const database = await createTestDatabase();
const { db, owner } = database;

/** `count` pending messages due `agoSeconds` ago and after, in order (one statement, as a burst arrives). */
async function insertDue(count: number, tag: string, agoSeconds: number, channel: Channel = 'http'): Promise<void> {
  await sql`
    INSERT INTO outbox (id, channel, payload, next_attempt_at)
    SELECT ${tag} || '_' || n, ${channel}, '{"url":"https://shop.example/feedback"}'::jsonb, now() - make_interval(secs => ${agoSeconds} - n / 1000.0)
    FROM generate_series(1, ${count}::int) AS n`.execute(db);
}

/**
 * Leases through leaseDue on a connection where auto_explain reports every statement's plan, nested
 * ones included; returns the leased ids and the rows of `outbox` its scan read (returned, and removed
 * by the scan's filter), as PostgreSQL counted them.
 */
async function leaseWatched(worker: string, channels: Channel[]): Promise<{ ids: string[]; read: number; plans: string }> {
  // auto_explain is loaded per session, which takes the superuser (the owner), not Varco's role.
  const pool = createPool(database.ownerUrl, 1);
  const notices: string[] = [];
  pool.on('connect', (client) => client.on('notice', (notice) => notices.push(String(notice.message))));
  const watched = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`LOAD 'auto_explain'`.execute(watched);
    for (const setting of ['log_min_duration = 0', 'log_analyze = on', 'log_nested_statements = on', 'log_level = notice']) {
      await sql.raw(`SET auto_explain.${setting}`).execute(watched);
    }
    const rows = await leaseDue(watched, { owner: worker, channels, now: new Date(), leaseMs: 60_000, limit: 20 });
    const plans = notices.join('\n');
    // The scan that looks for due rows is the one on `outbox` without an alias (the UPDATE's is `outbox o`).
    let read = 0;
    const lines = plans.split('\n');
    lines.forEach((line, k) => {
      const scan = /Scan[^\n]* on outbox {2}\(.*actual time=\S+ rows=([\d.]+)/.exec(line);
      if (!scan) return;
      read += Number(scan[1]);
      const removed = /Rows Removed by Filter: (\d+)/.exec(lines.slice(k + 1, k + 4).join('\n'));
      if (removed) read += Number(removed[1]);
    });
    assert.ok(/Scan[^\n]* on outbox {2}\(/.test(plans), `auto_explain reported the lease's scan:\n${plans}`);
    return { ids: rows.map((r) => r.id), read, plans };
  } finally {
    await watched.destroy();
  }
}

test('a lease reads about the rows it leases, not the backlog, whatever the statistics say', async () => {
  await insertDue(100, 'small', 600);
  const small = await leaseWatched('w-small', ['email', 'http', 'soap']);
  assert.deepEqual(small.ids.sort(), Array.from({ length: 20 }, (_, k) => `small_${k + 1}`).sort(), 'the 20 messages due longest');
  assert.ok(small.read <= 100, `${small.read} rows read with 100 due\n${small.plans}`);

  // A backlog of 5,000 behind, and statistics taken before it (the table as the last analysis saw it).
  await insertDue(5_000, 'large', 300);
  for (const channels of [['email', 'http', 'soap'], ['http']] as Channel[][]) {
    const large = await leaseWatched(`w-large-${channels.length}`, channels);
    assert.equal(large.ids.length, 20);
    assert.ok(large.read <= 200, `${large.read} rows read to lease 20 of 5,000 due (${channels.join(', ')})\n${large.plans}`);
  }
  await owner.query('ANALYZE outbox');
  await db.updateTable('outbox').set({ state: 'delivered', delivered_at: new Date() }).where('id', 'like', 'large_%').execute();
  await insertDue(5_000, 'later', 200);
  const analysed = await leaseWatched('w-analysed', ['email', 'http', 'soap']);
  assert.ok(analysed.read <= 200, `${analysed.read} rows read to lease 20 of 5,000 due, statistics of another backlog\n${analysed.plans}`);
});
