import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRY_ERROR_TEXT, entryDecision, processedKind } from './entry.policy.ts';
import type { EntryDecision, EntryInput } from './entry.policy.ts';
import { checkReferrer, signShaIn, verifyShaIn, type ShaParams, type ShaVerifyResult } from '../../protocols/ogone/index.ts';

const P = 'Mysecretsig1875!?';
const OPTS = { alg: 'sha1', method: 'each-parameter', encoding: 'utf8' } as const;
const PARAMS: ShaParams = [
  ['AMOUNT', '1500'],
  ['CURRENCY', 'EUR'],
  ['LANGUAGE', 'en_US'],
  ['ORDERID', '1234'],
  ['PSPID', 'MyPSPID'],
];

// Real verification results, so the table also covers how the SHA module reports each case.
const SHA: Record<string, ShaVerifyResult | null> = {
  none: null,
  correct: verifyShaIn(PARAMS, P, 'F4CC376CD7A834D997B91598FA747825A238BE0A', OPTS),
  wrong: verifyShaIn([...PARAMS.slice(0, 4), ['PSPID', 'Other']], P, signShaIn(PARAMS, P, OPTS), OPTS),
  missing: verifyShaIn(PARAMS, P, undefined, OPTS),
  duplicate: verifyShaIn([...PARAMS, ['amount', '1']], P, signShaIn(PARAMS, P, OPTS), OPTS),
};

const LIST = 'https://shop.example/pay.php';
const REFERRER = {
  disabled: checkReferrer('', 'https://elsewhere.example/'),
  allowed: checkReferrer(LIST, 'https://shop.example/'),
  missing: checkReferrer(LIST, undefined),
  not_allowed: checkReferrer(LIST, 'https://evil.example/'),
} as const;

type Expected = 'enter' | 'enter (tolerated)' | keyof typeof ENTRY_ERROR_TEXT;

const TABLE: ReadonlyArray<readonly [sha: keyof typeof SHA, referrer: keyof typeof REFERRER, expected: Expected]> = [
  ['missing', 'disabled', 'sha_missing'],
  ['missing', 'allowed', 'sha_missing'],
  ['missing', 'missing', 'sha_missing'],
  ['missing', 'not_allowed', 'sha_missing'],
  ['wrong', 'disabled', 'sha_mismatch'],
  ['wrong', 'allowed', 'sha_mismatch'],
  ['wrong', 'missing', 'sha_mismatch'],
  ['wrong', 'not_allowed', 'sha_mismatch'],
  ['duplicate', 'allowed', 'sha_mismatch'],
  ['correct', 'disabled', 'enter'],
  ['correct', 'allowed', 'enter'],
  ['correct', 'missing', 'enter (tolerated)'],
  ['correct', 'not_allowed', 'referrer_not_allowed'],
  ['none', 'allowed', 'enter'],
  ['none', 'missing', 'referrer_missing'],
  ['none', 'not_allowed', 'referrer_not_allowed'],
  ['none', 'disabled', 'unprotected'],
];

function summary(d: EntryDecision): string {
  if (!d.ok) return d.code;
  return d.referrerTolerated ? 'enter (tolerated)' : 'enter';
}

describe('entryDecision', () => {
  for (const [sha, referrer, expected] of TABLE) {
    it(`SHA ${sha} + referrer ${referrer} → ${expected}`, () => {
      const input: EntryInput = { sha: SHA[sha] ?? null, referrer: REFERRER[referrer] };
      const decision = entryDecision(input);
      assert.equal(summary(decision), expected);
      if (!decision.ok) assert.equal(decision.text, ENTRY_ERROR_TEXT[decision.code]);
    });
  }

  it('uses the platform texts', () => {
    const text = (sha: keyof typeof SHA, referrer: keyof typeof REFERRER) => {
      const d = entryDecision({ sha: SHA[sha] ?? null, referrer: REFERRER[referrer] });
      return d.ok ? 'ok' : `${d.text} ${d.ncError}`;
    };
    assert.equal(text('wrong', 'allowed'), 'unknown order/1/s/ 50001184');
    assert.equal(text('missing', 'allowed'), 'unknown order/0/s/ 50001184');
    assert.equal(text('correct', 'not_allowed'), 'unknown order/1/r/ 50001111');
    assert.equal(text('none', 'missing'), 'unknown order/0/r/ 50001111');
  });

  it('production refuses referrer-only requests (no SHA-IN passphrase) whatever the referrer, with the platform text', () => {
    for (const referrer of Object.keys(REFERRER) as Array<keyof typeof REFERRER>) {
      const d = entryDecision({ sha: null, referrer: REFERRER[referrer], requireSignature: true });
      assert.ok(!d.ok, referrer);
      assert.deepEqual([d.code, d.text, d.ncError], ['sha_required', 'unknown order/0/s/', '50001184']);
    }
    // A signed production request is judged as before.
    assert.equal(summary(entryDecision({ sha: SHA.correct ?? null, referrer: REFERRER.allowed, requireSignature: true })), 'enter');
  });

  it('reports the sort order the signature matched in', () => {
    const d = entryDecision({ sha: SHA.correct ?? null, referrer: REFERRER.allowed });
    assert.deepEqual(d, { ok: true, shaOrder: 'ascii', referrerTolerated: false });
    assert.deepEqual(entryDecision({ sha: null, referrer: REFERRER.allowed }), { ok: true, shaOrder: null, referrerTolerated: false });
  });
});

describe('processedKind: what an ORDERID sent again after it was processed is called', () => {
  it('paid only for accepted statuses; being processed for 99, 52, 92; declined for 2, 93; closed otherwise', () => {
    const kinds = (statuses: number[]) => statuses.map((s) => processedKind(s));
    assert.deepEqual(kinds([4, 5, 9, 41, 51, 91]), Array(6).fill('paid'));
    assert.deepEqual(kinds([99, 52, 92]), ['pending', 'pending', 'pending']);
    assert.deepEqual(kinds([2, 93]), ['declined', 'declined']);
    assert.deepEqual(kinds([6, 7, 8]), ['closed', 'closed', 'closed']);
  });
});
