import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { BackOfficeQueues } from '../kernel/home.ts';
import { givenUpQueue } from '../modules/delivery/index.ts';
import { expiringTrustQueue, failingQueue, reviewQueue } from '../modules/stations/index.ts';
import { submittedQueue } from '../modules/subscriptions/index.ts';

// The back office home's work queues (issue 14): each module counts its own; this only gathers them
// for the page, in one round of parallel queries.

/** Trusted CAs count as "expiring" within this many days (the first expiry warning). */
export const EXPIRING_WITHIN_DAYS = 30;

export function createBackOfficeQueues(deps: { db: Kysely<Database>; clock: Clock }): BackOfficeQueues {
  const { db, clock } = deps;
  return {
    counts: async () => {
      const [subscriptions, stationsToReview, stationsFailing, certificatesExpiring, deliveriesExhausted] = await Promise.all([
        submittedQueue(db),
        reviewQueue(db),
        failingQueue(db),
        expiringTrustQueue(db, clock.now(), EXPIRING_WITHIN_DAYS),
        givenUpQueue(db),
      ]);
      return { subscriptions, stationsToReview, stationsFailing, certificatesExpiring, deliveriesExhausted };
    },
  };
}
