// Protocol values: amounts in cents ⇄ wire text, notice numbers by aux digit, identifiers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  amountToWire,
  codiceFiscaleValid,
  formatNoticeNumber,
  isEcFiscalCode,
  isPaymentToken,
  MAX_AMOUNT_CENTS,
  newPaymentToken,
  noticeCheckDigits,
  noticeRoutingKey,
  parseAmount,
  parseIdempotencyKey,
  parseNoticeNumber,
  partitaIvaValid,
  tokenLifetimeMs,
  toXsdDate,
  toXsdDateTime,
  type NoticeNumberParts,
} from './index.ts';

const digits = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));

describe('amounts', () => {
  it('cents → wire → cents is the identity over the whole XSD range (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AMOUNT_CENTS }), (cents) => {
        const wire = amountToWire(cents);
        assert.match(wire, /^\d+\.\d{2}$/);
        assert.equal(parseAmount(wire), cents);
      }),
    );
  });

  it('wire → cents → wire is the identity for canonical text (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(0|[1-9][0-9]{0,8})\.[0-9]{2}$/), (wire) => {
        assert.equal(amountToWire(parseAmount(wire)!), wire);
      }),
    );
  });

  it('never uses floating point: the classic 0.1 + 0.2 cases are exact', () => {
    assert.equal(amountToWire(parseAmount('0.10')! + parseAmount('0.20')!), '0.30');
    assert.equal(parseAmount('999999999.99'), MAX_AMOUNT_CENTS);
    assert.equal(parseAmount('0001.05'), 105, 'leading zeros are allowed by \\d+');
    assert.equal(amountToWire(5), '0.05');
  });

  it('refuses what the XSD refuses', () => {
    for (const wire of ['1', '1.0', '1.000', '-1.00', '+1.00', '1e2', ' 1.00', '1,00', '1000000000.00', '', '.50', '１.00']) {
      assert.equal(parseAmount(wire), undefined, wire);
    }
    for (const cents of [-1, 0.5, MAX_AMOUNT_CENTS + 1, Number.NaN, Infinity]) assert.throws(() => amountToWire(cents), RangeError);
  });
});

const partsArb: fc.Arbitrary<NoticeNumberParts> = fc.oneof(
  fc.record({ auxDigit: fc.constant(0 as const), applicationCode: digits(2), iuvBase: digits(13) }),
  fc.record({ auxDigit: fc.constant(1 as const), iuv: digits(17) }),
  fc.record({ auxDigit: fc.constant(2 as const), iuvBase: digits(15) }),
  fc.record({ auxDigit: fc.constant(3 as const), segregationCode: digits(2), iuvBase: digits(13) }),
);

describe('notice numbers', () => {
  it('format → parse gives the parts back, check digits valid (property)', () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const n = formatNoticeNumber(parts);
        assert.match(n, /^\d{18}$/);
        const parsed = parseNoticeNumber(n)!;
        assert.equal(parsed.auxDigit, parts.auxDigit);
        assert.equal(parsed.noticeNumber, n);
        if (parsed.auxDigit === 0 && parts.auxDigit === 0)
          assert.deepEqual([parsed.applicationCode, parsed.iuvBase, parsed.checkDigitsValid], [parts.applicationCode, parts.iuvBase, true]);
        if (parsed.auxDigit === 1 && parts.auxDigit === 1) assert.equal(parsed.iuv, parts.iuv);
        if (parsed.auxDigit === 2 && parts.auxDigit === 2) assert.deepEqual([parsed.iuvBase, parsed.checkDigitsValid], [parts.iuvBase, true]);
        if (parsed.auxDigit === 3 && parts.auxDigit === 3)
          assert.deepEqual([parsed.segregationCode, parsed.iuvBase, parsed.checkDigitsValid], [parts.segregationCode, parts.iuvBase, true]);
      }),
    );
  });

  it('parse → format is the identity for every 18-digit number with aux digit 0–3, whatever its check digits (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-3][0-9]{17}$/), (n) => {
        const p = parseNoticeNumber(n)!;
        const parts: NoticeNumberParts =
          p.auxDigit === 0
            ? { auxDigit: 0, applicationCode: p.applicationCode, iuvBase: p.iuvBase, checkDigits: p.checkDigits }
            : p.auxDigit === 1
              ? { auxDigit: 1, iuv: p.iuv }
              : p.auxDigit === 2
                ? { auxDigit: 2, iuvBase: p.iuvBase, checkDigits: p.checkDigits }
                : p.auxDigit === 3
                  ? { auxDigit: 3, segregationCode: p.segregationCode, iuvBase: p.iuvBase, checkDigits: p.checkDigits }
                  : assert.fail('aux digit 0–3');
        assert.equal(formatNoticeNumber(parts), n);
      }),
    );
  });

  it('classifies by aux digit: routing by segregation code (3), application code (0), digit alone (1, 2), none (4–9) (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{18}$/), (n) => {
        const p = parseNoticeNumber(n)!;
        const aux = Number(n[0]);
        assert.equal(p.auxDigit, aux);
        const key = noticeRoutingKey(p);
        if (aux === 3) assert.deepEqual(key, { auxDigit: 3, code: n.slice(1, 3) });
        else if (aux === 0) assert.deepEqual(key, { auxDigit: 0, code: n.slice(1, 3) });
        else if (aux === 1 || aux === 2) assert.deepEqual(key, { auxDigit: aux });
        else assert.equal(key, undefined);
        // The IUV (creditorReferenceId) is what follows the aux digit, except aux 0 drops the application code.
        assert.equal(p.iuv, aux === 0 ? n.slice(3) : n.slice(1));
      }),
    );
  });

  it('the public test notice routes by segregation code 11 although its check digits do not verify', () => {
    const p = parseNoticeNumber('311111111112222222')!;
    assert.ok(p.auxDigit === 3);
    assert.equal(p.segregationCode, '11');
    assert.equal(p.iuv, '11111111112222222');
    assert.equal(p.checkDigitsValid, false, 'the node must route it anyway');
    assert.equal(noticeCheckDigits('3111111111122222'), '47');
  });

  it('rejects anything but 18 ASCII digits', () => {
    for (const n of ['', '31111111111222222', '3111111111122222222', '31111111111222222a', '３11111111112222222', ' 311111111112222222']) {
      assert.equal(parseNoticeNumber(n), undefined, n);
    }
    assert.throws(() => formatNoticeNumber({ auxDigit: 3, segregationCode: '1', iuvBase: '1111111111222' }), RangeError);
  });
});

describe('identifiers', () => {
  it('fiscal codes', () => {
    assert.ok(isEcFiscalCode('77777777777'));
    assert.ok(!isEcFiscalCode('7777777777') && !isEcFiscalCode('7777777777A'));
    assert.ok(partitaIvaValid('00488410010') && partitaIvaValid('97735020584'));
    assert.ok(!partitaIvaValid('00488410011'));
    assert.ok(codiceFiscaleValid('RSSMRA80A01H501U') && codiceFiscaleValid('rssmra80a01h501u'));
    assert.ok(!codiceFiscaleValid('RSSMRA80A01H501X') && !codiceFiscaleValid('RSSMRA80A01H501'));
    assert.ok(codiceFiscaleValid('RSSMRA80A01H50MM'), 'omocodia: a digit replaced by a letter');
  });

  it('payment tokens: up to 35 characters; new ones are 32 hex characters and unique', () => {
    assert.ok(isPaymentToken('c110729d258c4ab1b765fe902aae41d6') && isPaymentToken('x'.repeat(35)));
    assert.ok(!isPaymentToken('') && !isPaymentToken('x'.repeat(36)));
    const tokens = new Set(Array.from({ length: 1000 }, () => newPaymentToken()));
    assert.equal(tokens.size, 1000);
    for (const t of tokens) assert.match(t, /^[0-9a-f]{32}$/);
  });

  it('idempotency keys: <prefix>_<10 alphanumerics>', () => {
    assert.deepEqual(parseIdempotencyKey('70000000001_100149bdWB'), { prefix: '70000000001', random: '100149bdWB' });
    for (const k of ['AGID_01_1234567890', 'A_1234567890', 'AGID01_123456789', 'AGID01-1234567890', `${'A'.repeat(19)}_1234567890`]) {
      assert.equal(parseIdempotencyKey(k), undefined, k);
    }
  });

  it('token lifetime: expirationTime 1…1,800,000 ms, 30 minutes by default', () => {
    assert.equal(tokenLifetimeMs(undefined), 1_800_000);
    assert.equal(tokenLifetimeMs(2000), 2000);
    for (const bad of [0, -1, 1_800_001, 1.5]) assert.throws(() => tokenLifetimeMs(bad), RangeError);
  });

  it('xsd dates from a Date, in UTC', () => {
    const d = new Date('2026-03-01T23:30:15.123+01:00');
    assert.equal(toXsdDate(d), '2026-03-01');
    assert.equal(toXsdDateTime(d), '2026-03-01T22:30:15Z');
  });
});
