import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_NC_ERROR, effectiveUrls, mayRetry, ncStatus, paymentStatus, redirectTarget } from './outcome.ts';
import type { FinalOutcome } from './outcome.ts';
import type { OrderUrls } from './order-fields.ts';

describe('paymentStatus', () => {
  const table: ReadonlyArray<readonly [FinalOutcome, number, number]> = [
    ['authorised', 5, 9],
    ['refused', 2, 2],
    ['uncertain', 52, 92],
    ['technical_error', 2, 93],
    ['cancelled', 1, 1],
  ];
  for (const [outcome, res, sal] of table) {
    it(`${outcome}: RES → ${res}, SAL → ${sal}`, () => {
      assert.equal(paymentStatus(outcome, 'RES'), res);
      assert.equal(paymentStatus(outcome, 'SAL'), sal);
    });
  }

  it('NCERROR defaults and their NCSTATUS family', () => {
    assert.deepEqual(
      Object.entries(DEFAULT_NC_ERROR).map(([o, nc]) => `${o}:${ncStatus(nc)}`),
      ['authorised:0', 'refused:3', 'uncertain:2', 'technical_error:3', 'cancelled:3'],
    );
    assert.equal(ncStatus(''), '');
  });
});

describe('mayRetry', () => {
  it('only refusals, and only while attempts remain', () => {
    assert.equal(mayRetry('refused', 1, 3), true);
    assert.equal(mayRetry('technical_error', 2, 3), true);
    assert.equal(mayRetry('refused', 3, 3), false);
    assert.equal(mayRetry('refused', 1, 1), false);
    for (const o of ['authorised', 'uncertain', 'cancelled'] as const) assert.equal(mayRetry(o, 0, 10), false, o);
  });
});

describe('redirectTarget', () => {
  const ALL: OrderUrls = { accept: 'https://s/a', decline: 'https://s/d', exception: 'https://s/e', cancel: 'https://s/c' };
  const target = (status: number, urls: OrderUrls) => {
    const t = redirectTarget(status, urls);
    return t === null ? null : `${t.param} ${t.url}`;
  };

  it('sends each status to its URL', () => {
    for (const s of [4, 5, 9, 41, 51, 91]) assert.equal(target(s, ALL), 'ACCEPTURL https://s/a', String(s));
    for (const s of [2, 93]) assert.equal(target(s, ALL), 'DECLINEURL https://s/d', String(s));
    for (const s of [52, 92]) assert.equal(target(s, ALL), 'EXCEPTIONURL https://s/e', String(s));
    assert.equal(target(1, ALL), 'CANCELURL https://s/c');
    for (const s of [0, 46, 6, 8]) assert.equal(target(s, ALL), null, String(s));
  });

  it('falls back as the platform does', () => {
    assert.equal(target(92, { accept: 'https://s/a' }), 'ACCEPTURL https://s/a');
    assert.equal(target(52, { accept: 'https://s/a', exception: '' }), 'ACCEPTURL https://s/a');
    assert.equal(target(1, { decline: 'https://s/d' }), 'DECLINEURL https://s/d');
    assert.equal(target(1, { accept: 'https://s/a' }), null);
    assert.equal(target(2, { accept: 'https://s/a', cancel: 'https://s/c' }), null);
    assert.equal(target(5, { decline: 'https://s/d' }), null);
    assert.equal(target(92, {}), null);
  });
});

describe('effectiveUrls', () => {
  it('request URLs win one by one over the settings', () => {
    assert.deepEqual(effectiveUrls({ accept: 'https://req/a', decline: '' }, { accept: 'https://set/a', decline: 'https://set/d', cancel: 'https://set/c' }), {
      accept: 'https://req/a',
      decline: 'https://set/d',
      cancel: 'https://set/c',
    });
  });
});
