import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import type { Channel } from '../../src/modules/delivery/index.ts';

// Shared by the outbox's plan tests (test/delivery/lease-plan.test.ts, plans-after-growth.test.ts):
// a backlog written in one statement, as a burst arrives, and PostgreSQL's own count of the rows each
// scan of `outbox` read, from auto_explain's text (test/support/db.ts, explainedConnection).

/** `count` pending messages due `agoSeconds` ago and after, in order (one statement, as a burst arrives). */
export async function insertDue(db: Kysely<Database>, count: number, tag: string, agoSeconds = 600, channel: Channel = 'http'): Promise<void> {
  await sql`
    INSERT INTO outbox (id, channel, payload, next_attempt_at)
    SELECT ${tag} || '_' || n, ${channel}, '{"url":"https://shop.example/feedback"}'::jsonb, now() - make_interval(secs => ${agoSeconds} - n / 1000.0)
    FROM generate_series(1, ${count}::int) AS n`.execute(db);
}

/**
 * Every scan of `outbox` in auto_explain's plans, with its alias ('' for none: the lease's search for due
 * rows; 'o' for the UPDATEs; 'x' for the foreign-key check) and the rows it read: those it returned
 * plus those its filter removed.
 */
export function outboxScans(plans: string): Array<{ alias: string; read: number }> {
  const scans: Array<{ alias: string; read: number }> = [];
  const lines = plans.split('\n');
  lines.forEach((line, k) => {
    const scan = /Scan[^\n]* on outbox(?: (\w+))? +\(.*actual time=\S+ rows=([\d.]+)/.exec(line);
    if (!scan) return;
    const removed = /Rows Removed by Filter: (\d+)/.exec(lines.slice(k + 1, k + 4).join('\n'));
    scans.push({ alias: scan[1] ?? '', read: Number(scan[2]) + (removed ? Number(removed[1]) : 0) });
  });
  return scans;
}
