/**
 * What every call to a station reads before it connects: the station with its approved version's
 * endpoints (station.caller.ts) and, in the test environment, whether the institution's simulated
 * station answers instead (pagopa-simulator). Kept per instance so a payment flow does not ask
 * PostgreSQL the same questions on every call (issue 15: 4 of a flow's ~26 statements, and the
 * station join the costliest of them to plan; docs/benchmarks.md, row 5).
 *
 * Kept correct by PostgreSQL, as the pagoPA registry's memory is (pagopa-registry/directory.cache.ts):
 * a change to `stations` (what a call reads of it: its code, owner, environment, approved version and
 * timeouts; not the check bookkeeping), `station_versions` or `pagopa_simulators` notifies
 * `varco_stations` at commit (migration 0035), from any process, and every instance forgets everything
 * it kept. A newly approved version, a changed timeout, a simulator switched off: in use on every
 * instance as soon as the notification arrives; the instance that made the change at once
 * (`changed()`, called after each such transaction). While the LISTEN connection is down, or before
 * it is up, nothing is kept (slower, never stale). The first lookup starts the listener.
 */
import { createNotifiedMemo, frozenAnswer, type NotifiedMemo } from '../../db/index.ts';

export const STATIONS_CHANNEL = 'varco_stations';

/** What the station caller and the simulated station need of the memo. */
export type StationMemo = Pick<NotifiedMemo, 'remember' | 'changed'>;

export function createStationMemo(options: {
  databaseUrl: string | undefined;
  maxAgeMs?: number;
  logger?: { warn(obj: object, msg?: string): void } | undefined;
}): NotifiedMemo {
  return createNotifiedMemo({
    databaseUrl: options.databaseUrl,
    channel: STATIONS_CHANNEL,
    applicationName: 'varco-stations',
    maxAgeMs: options.maxAgeMs,
    keep: frozenAnswer,
    lazy: true,
    downMessage: 'station listener lost its connection; reading stations at every call',
    logger: options.logger,
  });
}
