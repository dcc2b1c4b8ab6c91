import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectBrand, luhnValid, validateCard } from './card.ts';
import type { PaymentCard } from './card.ts';
import {
  TEST_ACCEPTANCE,
  TEST_CARDS,
  TEST_NC_ERRORS,
  TestAcquirerFault,
  createTestAcquirer,
  testCardBehaviour,
  type TestAcquirerFaults,
} from './test-acquirer.ts';
import type { AuthoriseRequest } from './acquirer.ts';

const NOW = new Date('2026-11-23T10:00:00Z');

function card(number: string): PaymentCard {
  const cvc = detectBrand(number) === 'American Express' ? '1234' : '123';
  const r = validateCard({ holder: 'Test Holder', number, expiry: '12/30', cvc }, NOW);
  assert.ok(r.ok, number);
  return r.card;
}

function request(number: string, operation: 'RES' | 'SAL' = 'SAL'): AuthoriseRequest {
  return { amount: 1500, currency: 'EUR', card: card(number), operation, orderRef: 'ord_test' };
}

function counter(): () => string {
  let n = 1_000_000_000;
  return () => String(++n);
}

describe('test card table', () => {
  it('every card passes the card form with the brand it claims', () => {
    for (const c of TEST_CARDS) {
      assert.ok(luhnValid(c.number), c.number);
      assert.equal(detectBrand(c.number), c.brand, c.number);
    }
    assert.equal(new Set(TEST_CARDS.map((c) => c.number)).size, TEST_CARDS.length);
  });

  it('covers every behaviour and the two cards the issue names', () => {
    assert.equal(testCardBehaviour('4111111111111111'), 'authorised');
    assert.equal(testCardBehaviour('4000000000000002'), 'challenge');
    for (const b of ['refused', 'uncertain', 'technical_error'] as const)
      assert.ok(
        TEST_CARDS.some((c) => c.behaviour === b),
        b,
      );
    assert.equal(testCardBehaviour('4242424242424242'), 'authorised');
  });

  it('docs/test-cards.md lists exactly these cards', () => {
    const doc = readFileSync(new URL('../../../docs/test-cards.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `([0-9]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2]?.trim().replace(/ \(.*\)$/, '')]);
    assert.deepEqual(
      documented,
      TEST_CARDS.map((c) => [c.number, c.brand]),
    );
  });
});

describe('createTestAcquirer', () => {
  it('answers by card', async () => {
    const acquirer = createTestAcquirer({ payIds: counter() });
    assert.equal(acquirer.name, 'test');
    assert.deepEqual(await acquirer.authorise(request('4111111111111111')), {
      outcome: 'authorised',
      payId: '1000000001',
      acceptance: TEST_ACCEPTANCE,
      ncError: '0',
    });
    assert.deepEqual(await acquirer.authorise(request('4000000000000010')), { outcome: 'refused', payId: '1000000002', ncError: TEST_NC_ERRORS.refused });
    assert.deepEqual(await acquirer.authorise(request('4000000000000028')), { outcome: 'uncertain', payId: '1000000003', ncError: TEST_NC_ERRORS.uncertain });
    assert.deepEqual(await acquirer.authorise(request('4000000000000036')), { outcome: 'technical_error', ncError: TEST_NC_ERRORS.technical_error });
    assert.equal((await acquirer.authorise(request('374111111111111', 'RES'))).outcome, 'authorised');
  });

  it('4000000000000002: challenge, then authorised or refused by what the customer did', async () => {
    const acquirer = createTestAcquirer({ payIds: counter() });
    const first = await acquirer.authorise(request('4000000000000002'));
    assert.ok(first.outcome === 'challenge_required');
    assert.equal(first.challenge.kind, 'simulated-3ds');
    const base = { payId: first.payId, orderRef: 'ord_test', challenge: first.challenge, amount: 1500, currency: 'EUR', operation: 'SAL' } as const;
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
    const acquirer = createTestAcquirer({ payIds: counter() });
    const r = await acquirer.completeChallenge({
      payId: '1',
      orderRef: 'ord_test',
      challenge: { reference: 'sim3ds-2', kind: 'simulated-3ds' },
      amount: 1,
      currency: 'EUR',
      operation: 'RES',
      authenticated: true,
    });
    assert.equal(r.outcome, 'technical_error');
  });

  it('makes random numeric PAYIDs by default', async () => {
    const acquirer = createTestAcquirer();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await acquirer.authorise(request('4111111111111111'));
      assert.ok(r.outcome === 'authorised');
      assert.match(r.payId, /^[1-9][0-9]{9}$/);
      ids.add(r.payId);
    }
    assert.ok(ids.size > 15);
  });
});

describe('the test acquirer\u2019s status query and faults', () => {
  it('answers the latest result per reference; an unknown reference is not_found', async () => {
    const acquirer = createTestAcquirer({ payIds: counter() });
    assert.deepEqual(await acquirer.status('ord_test'), { state: 'not_found' });
    await acquirer.authorise(request('4000000000000010'));
    assert.deepEqual(await acquirer.status('ord_test'), { state: 'refused', payId: '1000000001', ncError: TEST_NC_ERRORS.refused });
    await acquirer.authorise(request('4111111111111111'));
    assert.deepEqual(await acquirer.status('ord_test'), { state: 'authorised', payId: '1000000002', acceptance: TEST_ACCEPTANCE });
    await acquirer.authorise(request('4000000000000028'));
    assert.deepEqual(await acquirer.status('ord_test'), { state: 'unknown' });
    await acquirer.authorise(request('4000000000000036'));
    assert.deepEqual(await acquirer.status('ord_test'), { state: 'not_found' });
  });

  it('throw registers nothing; lose_answer registers, then throws; the switches are read on every call', async () => {
    const faults: TestAcquirerFaults = { authorise: 'throw' };
    const acquirer = createTestAcquirer({ payIds: counter(), faults });
    await assert.rejects(acquirer.authorise(request('4111111111111111')), TestAcquirerFault);
    assert.deepEqual(await acquirer.status('ord_test'), { state: 'not_found' });
    faults.authorise = 'lose_answer';
    await assert.rejects(acquirer.authorise(request('4111111111111111')), TestAcquirerFault);
    faults.status = 'throw';
    await assert.rejects(acquirer.status('ord_test'), TestAcquirerFault);
    delete faults.status;
    assert.equal((await acquirer.status('ord_test')).state, 'authorised');
  });
});
