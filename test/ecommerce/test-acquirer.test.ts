import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKysely, createPool } from '../../src/db/index.ts';
import { detectBrand, validateCard, type PaymentCard } from '../../src/modules/checkout/card.ts';
import type { AuthoriseRequest, MaintenanceRequest } from '../../src/modules/checkout/acquirer.ts';
import { TEST_ACCEPTANCE, TEST_NC_ERRORS, TestAcquirerFault, createTestAcquirer, type TestAcquirerFaults } from '../../src/modules/checkout/test-acquirer.ts';
import { createTestDatabase } from '../support/db.ts';

// The built-in test acquirer against a real PostgreSQL: its answers by card, its faults, and its ledger
// (the status and operation status queries), which is in the database, not in one process's memory:
// a twin of another instance, or one made again after a restart, knows what the first one answered
// (docs/adr/0022). Before, it answered not_found, and the TEST environment gave back what a stopped
// process had left uncertain.

const database = await createTestDatabase();
const { db } = database;
/** A second instance on the same database: its own connection pool, its own twin. */
const otherPool = createPool(database.url, 2);
const otherDb = createKysely(otherPool);
after(() => otherDb.destroy());

const NOW = new Date('2026-11-23T10:00:00Z');

function card(number: string): PaymentCard {
  const cvc = detectBrand(number) === 'American Express' ? '1234' : '123';
  const r = validateCard({ holder: 'Test Holder', number, expiry: '12/30', cvc }, NOW);
  assert.ok(r.ok, number);
  return r.card;
}

function request(number: string, orderRef: string, operation: 'RES' | 'SAL' = 'SAL'): AuthoriseRequest {
  return { amount: 1500, currency: 'EUR', card: card(number), operation, orderRef };
}

function maintenance(operationRef: string, kind: MaintenanceRequest['kind'] = 'capture'): MaintenanceRequest {
  return { kind, orderRef: 'ord_maintained', operationRef, amount: 500, currency: 'EUR' };
}

function counter(): () => string {
  let n = 1_000_000_000;
  return () => String(++n);
}

describe('createTestAcquirer', () => {
  it('answers by card', async () => {
    const acquirer = createTestAcquirer({ db, payIds: counter() });
    assert.equal(acquirer.name, 'test');
    assert.deepEqual(await acquirer.authorise(request('4111111111111111', 'ord_cards')), {
      outcome: 'authorised',
      payId: '1000000001',
      acceptance: TEST_ACCEPTANCE,
      ncError: '0',
    });
    assert.deepEqual(await acquirer.authorise(request('4000000000000010', 'ord_cards')), {
      outcome: 'refused',
      payId: '1000000002',
      ncError: TEST_NC_ERRORS.refused,
    });
    assert.deepEqual(await acquirer.authorise(request('4000000000000028', 'ord_cards')), {
      outcome: 'uncertain',
      payId: '1000000003',
      ncError: TEST_NC_ERRORS.uncertain,
    });
    assert.deepEqual(await acquirer.authorise(request('4000000000000036', 'ord_cards')), {
      outcome: 'technical_error',
      ncError: TEST_NC_ERRORS.technical_error,
    });
    assert.equal((await acquirer.authorise(request('374111111111111', 'ord_cards', 'RES'))).outcome, 'authorised');
  });

  it('4000000000000002: challenge, then authorised or refused by what the customer did', async () => {
    const acquirer = createTestAcquirer({ db, payIds: counter() });
    const first = await acquirer.authorise(request('4000000000000002', 'ord_challenge'));
    assert.ok(first.outcome === 'challenge_required');
    assert.equal(first.challenge.kind, 'simulated-3ds');
    assert.deepEqual(await acquirer.status('ord_challenge'), {
      state: 'refused',
      payId: first.payId,
      ncError: TEST_NC_ERRORS.challenge_failed,
    });
    const base = { payId: first.payId, orderRef: 'ord_challenge', challenge: first.challenge, amount: 1500, currency: 'EUR', operation: 'SAL' } as const;
    assert.deepEqual(await acquirer.completeChallenge({ ...base, authenticated: true }), {
      outcome: 'authorised',
      payId: first.payId,
      acceptance: TEST_ACCEPTANCE,
      ncError: '0',
    });
    assert.deepEqual(await acquirer.completeChallenge({ ...base, authenticated: false }), {
      outcome: 'refused',
      payId: first.payId,
      ncError: TEST_NC_ERRORS.challenge_failed,
    });
  });

  it('a challenge reference that does not belong to the payment is a technical error', async () => {
    const acquirer = createTestAcquirer({ db, payIds: counter() });
    const r = await acquirer.completeChallenge({
      payId: '1',
      orderRef: 'ord_wrong_challenge',
      challenge: { reference: 'sim3ds-2', kind: 'simulated-3ds' },
      amount: 1,
      currency: 'EUR',
      operation: 'RES',
      authenticated: true,
    });
    assert.equal(r.outcome, 'technical_error');
  });

  it('makes random numeric PAYIDs by default', async () => {
    const acquirer = createTestAcquirer({ db });
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await acquirer.authorise(request('4111111111111111', 'ord_random'));
      assert.ok(r.outcome === 'authorised');
      assert.match(r.payId, /^[1-9][0-9]{9}$/);
      ids.add(r.payId);
    }
    assert.ok(ids.size > 15);
  });
});

describe('the test acquirer\u2019s status queries and faults', () => {
  it('answers the latest result per reference; an unknown reference is not_found', async () => {
    const acquirer = createTestAcquirer({ db, payIds: counter() });
    assert.deepEqual(await acquirer.status('ord_latest'), { state: 'not_found' });
    await acquirer.authorise(request('4000000000000010', 'ord_latest'));
    assert.deepEqual(await acquirer.status('ord_latest'), { state: 'refused', payId: '1000000001', ncError: TEST_NC_ERRORS.refused });
    await acquirer.authorise(request('4111111111111111', 'ord_latest'));
    assert.deepEqual(await acquirer.status('ord_latest'), { state: 'authorised', payId: '1000000002', acceptance: TEST_ACCEPTANCE });
    await acquirer.authorise(request('4000000000000028', 'ord_latest'));
    assert.deepEqual(await acquirer.status('ord_latest'), { state: 'unknown' });
    await acquirer.authorise(request('4000000000000036', 'ord_latest'));
    assert.deepEqual(await acquirer.status('ord_latest'), { state: 'not_found' });
  });

  it('throw registers nothing; lose_answer registers, then throws; the switches are read on every call', async () => {
    const faults: TestAcquirerFaults = { authorise: 'throw' };
    const acquirer = createTestAcquirer({ db, payIds: counter(), faults });
    await assert.rejects(acquirer.authorise(request('4111111111111111', 'ord_faults')), TestAcquirerFault);
    assert.deepEqual(await acquirer.status('ord_faults'), { state: 'not_found' });
    faults.authorise = 'lose_answer';
    await assert.rejects(acquirer.authorise(request('4111111111111111', 'ord_faults')), TestAcquirerFault);
    faults.status = 'throw';
    await assert.rejects(acquirer.status('ord_faults'), TestAcquirerFault);
    delete faults.status;
    assert.equal((await acquirer.status('ord_faults')).state, 'authorised');
  });

  it('maintenance: processed or declined, remembered also when the answer is lost; a throw registers nothing', async () => {
    const faults: TestAcquirerFaults = {};
    const acquirer = createTestAcquirer({ db, faults });
    assert.deepEqual(await acquirer.maintain(maintenance('pop_m_done', 'refund')), { outcome: 'done', reference: 'refund-pop_m_done' });
    assert.deepEqual(await acquirer.operationStatus('pop_m_done'), { state: 'done', reference: 'refund-pop_m_done' });
    faults.maintain = 'refuse';
    assert.deepEqual(await acquirer.maintain(maintenance('pop_m_refused')), { outcome: 'refused', ncError: '30001001' });
    assert.deepEqual(await acquirer.operationStatus('pop_m_refused'), { state: 'refused', ncError: '30001001' });
    faults.maintain = 'throw';
    await assert.rejects(acquirer.maintain(maintenance('pop_m_thrown')), TestAcquirerFault);
    assert.deepEqual(await acquirer.operationStatus('pop_m_thrown'), { state: 'not_found' });
    faults.maintain = 'lose_answer_refused';
    await assert.rejects(acquirer.maintain(maintenance('pop_m_lost')), TestAcquirerFault);
    assert.deepEqual(await acquirer.operationStatus('pop_m_lost'), { state: 'refused', ncError: '30001001' });
    faults.operationStatus = 'unknown';
    assert.deepEqual(await acquirer.operationStatus('pop_m_lost'), { state: 'unknown' });
    faults.operationStatus = 'throw';
    await assert.rejects(acquirer.operationStatus('pop_m_lost'), TestAcquirerFault);
  });

  it('what one instance\u2019s twin answered, another instance\u2019s twin and a twin made again after a restart know', async () => {
    const faults: TestAcquirerFaults = { authorise: 'lose_answer', maintain: 'lose_answer_done' };
    const first = createTestAcquirer({ db, payIds: counter(), faults });
    await assert.rejects(first.authorise(request('4111111111111111', 'ord_shared')), TestAcquirerFault);
    await assert.rejects(first.authorise(request('4000000000000010', 'ord_shared_refused')), TestAcquirerFault);
    await assert.rejects(first.maintain(maintenance('pop_shared_done')), TestAcquirerFault);
    faults.maintain = 'lose_answer_refused';
    await assert.rejects(first.maintain(maintenance('pop_shared_refused', 'cancel')), TestAcquirerFault);

    // Another process on the same database, and this process's twin made again (a restart).
    for (const [who, twin] of [
      ['another instance', createTestAcquirer({ db: otherDb })],
      ['after a restart', createTestAcquirer({ db })],
    ] as const) {
      assert.deepEqual(await twin.status('ord_shared'), { state: 'authorised', payId: '1000000001', acceptance: TEST_ACCEPTANCE }, who);
      assert.deepEqual(await twin.status('ord_shared_refused'), { state: 'refused', payId: '1000000002', ncError: TEST_NC_ERRORS.refused }, who);
      assert.deepEqual(await twin.operationStatus('pop_shared_done'), { state: 'done', reference: 'capture-pop_shared_done' }, who);
      assert.deepEqual(await twin.operationStatus('pop_shared_refused'), { state: 'refused', ncError: '30001001' }, who);
      assert.deepEqual(await twin.status('ord_never'), { state: 'not_found' }, who);
      assert.deepEqual(await twin.operationStatus('pop_never'), { state: 'not_found' }, who);
    }
  });
});
