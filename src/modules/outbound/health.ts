// Which primaries are down, and the background probes that bring them back. A primary that failed
// to connect, failed TLS or timed out is skipped (its secondary serves) until a probe — TCP + TLS
// with the same context as the pool — succeeds. One probe at a time per endpoint, on a timer that
// never keeps the process alive.
import type { Clock } from '../../kernel/clock.ts';
import type { FailureSummary, OutboundLogger } from './outbound.types.ts';

export interface EndpointHealth {
  /** The slot: environment, endpoint set key and role. */
  slot: string;
  down: boolean;
  downSince: Date | undefined;
  lastFailure: FailureSummary | undefined;
  probes: number;
}

/** Resolves true when the endpoint answered (TCP + TLS, our client certificate not refused). */
export type Probe = () => Promise<boolean>;

export interface HealthTracker {
  isDown(slot: string): boolean;
  markDown(slot: string, failure: FailureSummary, probe: Probe): void;
  markUp(slot: string): void;
  list(): EndpointHealth[];
  readonly probesRun: number;
  close(): void;
}

interface State extends EndpointHealth {
  timer: NodeJS.Timeout | undefined;
  probe: Probe;
}

export function createHealthTracker(options: { intervalMs: number; clock: Clock; logger: OutboundLogger | undefined }): HealthTracker {
  const states = new Map<string, State>();
  let probesRun = 0;
  let closed = false;

  const schedule = (state: State): void => {
    if (closed || !state.down) return;
    state.timer = setTimeout(() => void runProbe(state), options.intervalMs);
    state.timer.unref();
  };

  const runProbe = async (state: State): Promise<void> => {
    state.timer = undefined;
    probesRun++;
    state.probes++;
    const answered = await state.probe().catch(() => false);
    // Marked up meanwhile (a request through it succeeded) or closed: this state is finished.
    if (closed || states.get(state.slot) !== state) return;
    if (answered) {
      setUp(state);
      return;
    }
    schedule(state);
  };

  const setUp = (state: State): void => {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.down = false;
    options.logger?.info({ slot: state.slot, downSince: state.downSince, probes: state.probes }, 'outbound endpoint answers again; back in use');
    states.delete(state.slot);
  };

  return {
    isDown: (slot) => states.get(slot)?.down === true,
    markDown(slot, failure, probe) {
      const existing = states.get(slot);
      if (existing !== undefined) {
        existing.lastFailure = failure;
        existing.probe = probe;
        return;
      }
      const state: State = { slot, down: true, downSince: options.clock.now(), lastFailure: failure, probes: 0, timer: undefined, probe };
      states.set(slot, state);
      options.logger?.warn({ slot, category: failure.category, code: failure.code }, `outbound endpoint marked down: ${failure.message}`);
      schedule(state);
    },
    markUp(slot) {
      const state = states.get(slot);
      if (state !== undefined) setUp(state);
    },
    list: () => [...states.values()].map(({ slot, down, downSince, lastFailure, probes }) => ({ slot, down, downSince, lastFailure, probes })),
    get probesRun() {
      return probesRun;
    },
    close() {
      closed = true;
      for (const state of states.values()) if (state.timer !== undefined) clearTimeout(state.timer);
      states.clear();
    },
  };
}
