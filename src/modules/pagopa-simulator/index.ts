import type { Kysely } from 'kysely';
import type { Database, NotifiedMemo } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { AuditLog } from '../audit/index.ts';
import { createSimulatedStation, type SimulatedStation } from './simulated-station.ts';
import { createSimulatorSettings, type SimulatorSettings } from './simulator.service.ts';

// Public surface of the pagoPA EC simulator (issue 11, "Test EC scenarios"): in the test environment
// a creditor institution switches on a built-in simulated station and chooses its answers per
// notice-number pattern. The node calls it through `send`, which gives the same OutboundResult the
// station caller gives for a real station. The pure decision is exported for the test suite's real
// EC station (test/support/ec-station.ts). Decisions: docs/adr/0019-pagopa-ec-simulator.md.

export type { SimulatedStation, SimulatorEnv, SimulatorTarget } from './simulated-station.ts';
export type { ChangeRefusal, Change, Eligibility, MoveDirection, SimulatorActor, SimulatorSettings, SimulatorView } from './simulator.service.ts';
export {
  ANSWER_FAULTS,
  DEFAULT_AMOUNT_CENTS,
  DEFAULT_CATEGORY,
  DEFAULT_IBAN,
  defaultScenario,
  DUE_IN_DAYS,
  MAX_DELAY_MS,
  MAX_REFUSALS,
  MAX_SCENARIOS,
  MAX_TRANSFERS,
  NOTICE_ANSWERS,
  PRIMITIVES,
  REFUSALS,
} from './scenario.types.ts';
export type { NoticeAnswer, PaymentSpec, Primitive, RefuseWith, Scenario, SimulatedEc, TransferSpec } from './scenario.types.ts';
export { firstMatch, matchesPattern, normalisePattern, patternCovers, shadowedBy } from './pattern.ts';
export { formatEuros, padTransfers, parseEuros, scenarioToInput, validateScenario } from './scenario.policy.ts';
export type { ScenarioInput, ScenarioProblem, ScenarioProblemCode, TransferInput } from './scenario.policy.ts';
export { decide, deliveryKey, malformedBody, noticeOf, offeredBy, primitiveOf, readStationCall, receiptKey, receiptKeyOf } from './answer.policy.ts';
export type { AnswerOutcome, DecideInput, SimulatedAnswer, StationCall } from './answer.policy.ts';

/** The simulated station (what the node calls) and its settings (what the pages edit). */
export interface PagopaSimulator extends SimulatedStation {
  settings: SimulatorSettings;
}

export interface PagopaSimulatorOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** The station memory (stations module): keeps simulator rows, forgotten at every change. */
  memo?: Pick<NotifiedMemo, 'remember' | 'changed'> | undefined;
}

export function createPagopaSimulator(options: PagopaSimulatorOptions): PagopaSimulator {
  return { ...createSimulatedStation(options), settings: createSimulatorSettings(options) };
}
