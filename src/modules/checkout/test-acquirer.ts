/**
 * The built-in TEST acquirer: a twin that answers by card number and never contacts anyone (the
 * challenge outcome comes back through `completeChallenge`). The table is documented for merchants
 * in docs/test-cards.md; a test keeps the two in step. What it answered — the latest answer per order
 * reference (the status query's) and every maintenance operation it processed or declined (the
 * operation status query's) — is in PostgreSQL (test-acquirer.ledger.ts), as a real acquirer's
 * records outlive any one of Varco's processes: every instance's twin, and a twin made again after a
 * restart, answers alike (docs/adr/0022). Only the test switches (`faults`) are per twin, in memory.
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { systemClock, type Clock } from '../../kernel/clock.ts';
import { NC_ERROR } from '../../protocols/ogone/index.ts';
import type {
  Acquirer,
  AcquirerResult,
  AcquirerStatus,
  AuthoriseRequest,
  CompleteChallengeRequest,
  MaintenanceRequest,
  MaintenanceResult,
  OperationStatus,
} from './acquirer.ts';
import type { CardBrand } from './card.ts';
import { findOperation, findTransaction, recordOperation, recordTransaction } from './test-acquirer.ledger.ts';

export type TestCardBehaviour = 'authorised' | 'challenge' | 'refused' | 'uncertain' | 'technical_error';

export interface TestCard {
  readonly number: string;
  readonly brand: CardBrand;
  readonly behaviour: TestCardBehaviour;
}

/** Acceptance code of every test authorisation, as on the platform's test environment. */
export const TEST_ACCEPTANCE = 'test123';

/** NCERROR the twin answers with, from the platform's code list. */
export const TEST_NC_ERRORS = Object.freeze({
  refused: '30051001', // Authorization declined
  uncertain: '20001001', // unknown status for the transaction
  technical_error: '30001998', // A technical problem occurred, please try again
  challenge_failed: '40001134', // Authentication failed, please retry or cancel
});

export const TEST_CARDS: readonly TestCard[] = Object.freeze([
  { number: '4111111111111111', brand: 'VISA', behaviour: 'authorised' },
  { number: '5399999999999999', brand: 'MasterCard', behaviour: 'authorised' },
  { number: '2223000048400011', brand: 'MasterCard', behaviour: 'authorised' },
  { number: '374111111111111', brand: 'American Express', behaviour: 'authorised' },
  { number: '6759000000000000', brand: 'Maestro', behaviour: 'authorised' },
  { number: '4000000000000002', brand: 'VISA', behaviour: 'challenge' },
  { number: '4000000000000010', brand: 'VISA', behaviour: 'refused' },
  { number: '5100000000000016', brand: 'MasterCard', behaviour: 'refused' },
  { number: '4000000000000028', brand: 'VISA', behaviour: 'uncertain' },
  { number: '4000000000000036', brand: 'VISA', behaviour: 'technical_error' },
] satisfies TestCard[]);

const BY_NUMBER: ReadonlyMap<string, TestCard> = new Map(TEST_CARDS.map((c) => [c.number, c]));

/** Any number not in the table that passed the card form is authorised, as on the platform's test. */
export function testCardBehaviour(number: string): TestCardBehaviour {
  return BY_NUMBER.get(number)?.behaviour ?? 'authorised';
}

/**
 * Failures a test switches on and off while the twin runs (the object is read on every call).
 * `throw`: the call fails before the twin registers anything. `lose_answer`: the twin registers the
 * transaction (its status query will know it), then the call fails as if the answer were lost.
 * `hang`: the call never answers.
 */
export interface TestAcquirerFaults {
  authorise?: 'throw' | 'lose_answer' | 'hang';
  completeChallenge?: 'throw' | 'lose_answer' | 'hang';
  status?: 'throw' | 'hang';
  /**
   * Maintenance: fail before registering it, never answer, decline (NCERROR 30001001), or process it
   * (`lose_answer_done`) or decline it (`lose_answer_refused`) and then fail as if the answer were lost.
   */
  maintain?: 'throw' | 'hang' | 'refuse' | 'lose_answer_done' | 'lose_answer_refused';
  operationStatus?: 'throw' | 'unknown' | 'hang';
}

export interface TestAcquirerOptions {
  /** Where the twin keeps what it answered (shared by every instance on the database). */
  readonly db: Kysely<Database>;
  /** Stamps the ledger's rows (their retention counts from it). */
  readonly clock?: Clock;
  /** PAYID-like numeric references; random 10 digits by default, fixed in tests. */
  readonly payIds?: () => string;
  readonly faults?: TestAcquirerFaults;
}

export class TestAcquirerFault extends Error {
  constructor(call: string) {
    super(`test acquirer: ${call} failed (simulated fault)`);
    this.name = 'TestAcquirerFault';
  }
}

const never = (): Promise<never> => new Promise(() => undefined);

function statusOf(result: AcquirerResult): AcquirerStatus {
  switch (result.outcome) {
    case 'authorised':
      return { state: 'authorised', payId: result.payId, acceptance: result.acceptance };
    case 'refused':
      return { state: 'refused', ...(result.payId !== undefined ? { payId: result.payId } : {}), ncError: result.ncError };
    // An authentication never completed: the twin's 3-D Secure treats it as failed.
    case 'challenge_required':
      return { state: 'refused', payId: result.payId, ncError: TEST_NC_ERRORS.challenge_failed };
    case 'uncertain':
      return { state: 'unknown' };
    // Nothing registered at the "processor": nothing moved.
    case 'technical_error':
      return { state: 'not_found' };
  }
}

function randomPayId(): string {
  return String(randomInt(1_000_000_000, 10_000_000_000));
}

export function createTestAcquirer(options: TestAcquirerOptions): Acquirer {
  const { db } = options;
  const clock = options.clock ?? systemClock;
  const nextPayId = options.payIds ?? randomPayId;
  const faults = options.faults ?? {};

  /** Runs one call under its fault setting; `answer` registers the transaction. */
  async function faulty(call: 'authorise' | 'completeChallenge', orderRef: string, answer: () => AcquirerResult): Promise<AcquirerResult> {
    const fault = faults[call];
    if (fault === 'throw') throw new TestAcquirerFault(call);
    if (fault === 'hang') return never();
    const result = answer();
    await recordTransaction(db, orderRef, statusOf(result), clock.now());
    if (fault === 'lose_answer') throw new TestAcquirerFault(call);
    return result;
  }

  async function status(orderRef: string): Promise<AcquirerStatus> {
    if (faults.status === 'throw') throw new TestAcquirerFault('status');
    if (faults.status === 'hang') return never();
    return findTransaction(db, orderRef);
  }

  /** Every maintenance is processed at once, as the platform's test environment settles them. */
  async function maintain(request: MaintenanceRequest): Promise<MaintenanceResult> {
    const fault = faults.maintain;
    if (fault === 'throw') throw new TestAcquirerFault('maintain');
    if (fault === 'hang') return never();
    const result: MaintenanceResult =
      fault === 'refuse' || fault === 'lose_answer_refused'
        ? { outcome: 'refused', ncError: NC_ERROR.ACQUIRER_REFUSED }
        : { outcome: 'done', reference: `${request.kind}-${request.operationRef}` };
    await recordOperation(db, request.operationRef, result, clock.now());
    if (fault === 'lose_answer_done' || fault === 'lose_answer_refused') throw new TestAcquirerFault('maintain');
    return result;
  }

  async function operationStatus(operationRef: string): Promise<OperationStatus> {
    if (faults.operationStatus === 'throw') throw new TestAcquirerFault('operationStatus');
    if (faults.operationStatus === 'unknown') return { state: 'unknown' };
    if (faults.operationStatus === 'hang') return never();
    return findOperation(db, operationRef);
  }

  return {
    name: 'test',
    maintain,
    authorise: (request) => faulty('authorise', request.orderRef, () => answerCard(request, nextPayId())),
    completeChallenge: (request) => faulty('completeChallenge', request.orderRef, () => completeChallenge(request)),
    status,
    operationStatus,
  };
}

function answerCard(request: AuthoriseRequest, payId: string): AcquirerResult {
  switch (testCardBehaviour(request.card.number)) {
    case 'authorised':
      return { outcome: 'authorised', payId, acceptance: TEST_ACCEPTANCE, ncError: '0' };
    case 'challenge':
      if (request.threeDSecure === false) return { outcome: 'authorised', payId, acceptance: TEST_ACCEPTANCE, ncError: '0' };
      return { outcome: 'challenge_required', payId, ncError: '0', challenge: { reference: `sim3ds-${payId}`, kind: 'simulated-3ds' } };
    case 'refused':
      return { outcome: 'refused', payId, ncError: TEST_NC_ERRORS.refused };
    case 'uncertain':
      return { outcome: 'uncertain', payId, ncError: TEST_NC_ERRORS.uncertain };
    case 'technical_error':
      // No payId: the "acquirer" never got far enough to register the transaction.
      return { outcome: 'technical_error', ncError: TEST_NC_ERRORS.technical_error };
  }
}

function completeChallenge(request: CompleteChallengeRequest): AcquirerResult {
  if (request.challenge.kind !== 'simulated-3ds' || request.challenge.reference !== `sim3ds-${request.payId}`) {
    return { outcome: 'technical_error', payId: request.payId, ncError: TEST_NC_ERRORS.technical_error };
  }
  if (!request.authenticated) return { outcome: 'refused', payId: request.payId, ncError: TEST_NC_ERRORS.challenge_failed };
  return { outcome: 'authorised', payId: request.payId, acceptance: TEST_ACCEPTANCE, ncError: '0' };
}
