import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { outcomeDigest, outcomeVerdict, type OutcomeAsked, type PaymentState, type TokenRow } from './outcome.policy.ts';

// The late-outcome rules of primitives.md, case by case, and as properties over every state and time.

const NOW = new Date('2026-05-01T10:00:00Z');
const later = new Date(NOW.getTime() + 60_000);
const earlier = new Date(NOW.getTime() - 60_000);
const row = (fields: Partial<TokenRow> = {}): TokenRow => ({
  state: 'active',
  expiresAt: later,
  everActive: true,
  pspOrganisationId: 'org_psp',
  idPsp: 'PSP_1',
  outcomeIdempotencyKey: null,
  outcomeDigest: null,
  ...fields,
});
const asked = (fields: Partial<OutcomeAsked> = {}): OutcomeAsked => ({
  outcome: 'OK',
  organisationId: 'org_psp',
  idPsp: 'PSP_1',
  idempotencyKey: undefined,
  digest: 'd1',
  now: NOW,
  ...fields,
});
const code = (r: TokenRow | undefined, a: OutcomeAsked = asked()) => {
  const v = outcomeVerdict(r, a);
  return v.kind === 'refuse' ? v.faultCode : v.kind === 'accept' ? `accept${v.late ? ' late' : ''}` : 'replay';
};

test('a live token accepts OK and KO; unknown, foreign and never-handed-out tokens are PPT_TOKEN_SCONOSCIUTO', () => {
  assert.equal(code(row()), 'accept');
  assert.equal(code(row(), asked({ outcome: 'KO' })), 'accept');
  assert.equal(code(undefined), 'PPT_TOKEN_SCONOSCIUTO');
  assert.equal(code(row({ pspOrganisationId: 'org_other' })), 'PPT_TOKEN_SCONOSCIUTO', 'another organisation\u2019s token');
  assert.equal(code(row({ idPsp: 'PSP_2' })), 'PPT_TOKEN_SCONOSCIUTO', 'another idPSP\u2019s token');
  assert.equal(code(row({ state: 'activating' })), 'PPT_TOKEN_SCONOSCIUTO');
  assert.equal(code(row({ state: 'failed', everActive: false })), 'PPT_TOKEN_SCONOSCIUTO');
  assert.equal(code(row({ state: 'expired', everActive: false })), 'PPT_TOKEN_SCONOSCIUTO', 'swept before it was ever active');
});

test('a second outcome is PPT_ESITO_GIA_ACQUISITO, unless it carries the same idempotency key: same request replayed, another PPT_ERRORE_IDEMPOTENZA', () => {
  for (const state of ['paid', 'ko'] as const) {
    assert.equal(code(row({ state })), 'PPT_ESITO_GIA_ACQUISITO');
    const done = row({ state, outcomeIdempotencyKey: 'PSP1_aaaaaaaaaa', outcomeDigest: 'd1' });
    assert.equal(code(done, asked({ idempotencyKey: 'PSP1_aaaaaaaaaa' })), 'replay');
    assert.equal(code(done, asked({ idempotencyKey: 'PSP1_aaaaaaaaaa', digest: 'd2' })), 'PPT_ERRORE_IDEMPOTENZA', 'same key, other request');
    assert.equal(code(done, asked({ idempotencyKey: 'PSP1_bbbbbbbbbb' })), 'PPT_ESITO_GIA_ACQUISITO', 'other key');
    assert.equal(code(done), 'PPT_ESITO_GIA_ACQUISITO', 'no key');
  }
});

test('after expiry: KO is PPT_TOKEN_SCADUTO_KO; OK is accepted while no later activation took the notice, else PPT_TOKEN_SCADUTO', () => {
  assert.equal(code(row({ expiresAt: earlier }), asked({ outcome: 'KO' })), 'PPT_TOKEN_SCADUTO_KO');
  assert.equal(code(row({ expiresAt: earlier })), 'accept late');
  assert.equal(code(row({ expiresAt: NOW })), 'accept late', 'the expiry instant itself is past');
  assert.equal(code(row({ state: 'expired', expiresAt: earlier })), 'PPT_TOKEN_SCADUTO');
  assert.equal(code(row({ state: 'expired', expiresAt: earlier }), asked({ outcome: 'KO' })), 'PPT_TOKEN_SCADUTO_KO');
});

test('property: only an active token is ever accepted, and KO is accepted only before expiry', () => {
  const states: PaymentState[] = ['activating', 'active', 'failed', 'paid', 'ko', 'expired'];
  fc.assert(
    fc.property(
      fc.constantFrom(...states),
      fc.integer({ min: -3_600_000, max: 3_600_000 }),
      fc.constantFrom('OK' as const, 'KO' as const),
      fc.boolean(),
      (state, offset, outcome, everActive) => {
        const v = outcomeVerdict(row({ state, everActive, expiresAt: new Date(NOW.getTime() + offset) }), asked({ outcome }));
        if (v.kind === 'accept') {
          assert.equal(state, 'active');
          if (outcome === 'KO') assert.ok(offset > 0);
          assert.equal(v.late, offset <= 0);
        }
        if (state === 'active' && outcome === 'OK') assert.equal(v.kind, 'accept');
      },
    ),
  );
});

test('the outcome digest ignores the password and the idempotency key, and sees everything else', () => {
  const base = { idPSP: 'P', idBrokerPSP: 'B', idChannel: 'C', password: 'pwdpwdpwd', paymentToken: 't1', outcome: 'KO' as const };
  const d = outcomeDigest('sendPaymentOutcome', base);
  assert.equal(outcomeDigest('sendPaymentOutcome', { ...base, password: 'otherpassword', idempotencyKey: 'P1_aaaaaaaaaa' }), d);
  assert.notEqual(outcomeDigest('sendPaymentOutcome', { ...base, paymentToken: 't2' }), d);
  assert.notEqual(
    outcomeDigest('sendPaymentOutcome', {
      ...base,
      outcome: 'OK',
      details: { paymentMethod: 'cash', fee: 0, applicationDate: '2026-01-01', transferDate: '2026-01-01' },
    }),
    d,
  );
  assert.notEqual(outcomeDigest('sendPaymentOutcomeV2', { ...base, paymentTokens: { paymentToken: ['t1'] } }), d, 'the operation counts');
});
