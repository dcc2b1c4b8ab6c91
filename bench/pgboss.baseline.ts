import { sql } from 'kysely';
import { PgBoss } from 'pg-boss';
import type { Database, Kysely } from '../src/db/index.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { createFeedbackSender, type FeedbackSender } from '../src/modules/checkout/index.ts';
import type { OutboxMessage } from '../src/modules/delivery/index.ts';
import { createDestinationPolicy, createHostResolver, createOutboundClient } from '../src/modules/outbound/index.ts';
import { createTrustService } from '../src/modules/stations/index.ts';
import { benchAudit } from './seed.ts';
import { untilRecorded, within } from './support.ts';
import type { Receiver } from './outbound.bench.ts';

// The standard-queue baseline of row 3 (issue 15, target 2): pg-boss on the same PostgreSQL doing the
// same work as Varco's outbox — the same feedback message, delivered by the same handler (Varco's
// feedback sender: destination policy, trust roots, the `plain` outbound client) to the same receiver.
// pg-boss runs in the bench process with a pool of 10 (Varco's default pool) and up to 50 deliveries
// in flight (5 local workers × batches of 10, as Varco's worker keeps 50), woken by LISTEN/NOTIFY.

export const PGBOSS_IN_FLIGHT = { workers: 5, batchSize: 10 };

export interface QueueBaseline {
  /** Enqueues `count` jobs in one statement, then measures from that commit to the last job completed. */
  burst(count: number, tag: string): Promise<{ perSecond: number; seconds: number; enqueueSeconds: number }>;
  stop(): Promise<void>;
}

interface FeedbackJob {
  url: string;
  body: string;
  n: number;
}

function asMessage(id: string, job: FeedbackJob): OutboxMessage {
  return {
    id,
    channel: 'http',
    attempt: 1,
    createdAt: new Date(),
    organisationId: null,
    subjectType: 'bench',
    subjectId: 'pgboss',
    payload: {
      version: 1,
      env: 'test',
      method: 'POST',
      url: job.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: job.body,
      eventId: id,
    },
  };
}

async function completed(db: Kysely<Database>, queue: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${queue} AND state = 'completed'`.execute(db);
  return rows[0]?.n ?? 0;
}

export async function startPgBoss(databaseUrl: string, db: Kysely<Database>, receiver: Receiver, body: string): Promise<QueueBaseline> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 10, useListenNotify: true, schedule: false, supervise: false });
  boss.on('error', () => undefined);
  await boss.start();
  const client = createOutboundClient({ mode: { kind: 'plain' }, destinations: createDestinationPolicy({ allowCidrs: ['127.0.0.0/8'] }) });
  const sender: FeedbackSender = createFeedbackSender({
    trust: createTrustService({ db, clock: systemClock, audit: benchAudit }),
    destinations: createDestinationPolicy({ allowCidrs: ['127.0.0.0/8'] }),
    client,
    // As the container gives Varco's sender: the same handler.
    resolve: createHostResolver(),
  });
  const deliverAll = async (jobs: Array<{ id: string; data: FeedbackJob }>): Promise<void> => {
    const outcomes = await Promise.all(jobs.map((job) => sender.deliver(asMessage(job.id, job.data))));
    if (outcomes.some((o) => !o.ok)) throw new Error('a delivery failed');
  };
  return {
    burst: async (count, tag) => {
      const queue = `bench-${tag}`;
      await boss.createQueue(queue, { notify: true });
      const work = await boss.work<FeedbackJob>(
        queue,
        { batchSize: PGBOSS_IN_FLIGHT.batchSize, localConcurrency: PGBOSS_IN_FLIGHT.workers, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
        deliverAll,
      );
      await receiver.reset();
      const t0 = performance.now();
      const url = `https://localhost:${receiver.port}/feedback?run=${tag}`;
      await boss.insert(
        queue,
        Array.from({ length: count }, (_, n) => ({ data: { url: `${url}&n=${n}`, body, n } })),
      );
      const started = performance.now();
      await within(
        120_000,
        `pg-boss delivery of ${count} jobs`,
        untilRecorded(
          count,
          async () => (await receiver.stats()).distinctIds,
          () => completed(db, queue),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      await boss.offWork(queue, { id: work });
      return { perSecond: count / seconds, seconds, enqueueSeconds: (started - t0) / 1000 };
    },
    stop: async () => {
      await boss.stop({ graceful: true, timeout: 5000 });
      await sender.close();
    },
  };
}
