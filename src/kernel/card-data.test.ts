import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clipText, hasLuhnWindow, isVerificationName, luhnValid, maskPans, safeJson, safePairs, safeText, scrubRecord, scrubText } from './card-data.ts';

describe('verification field names', () => {
  it('recognises every spelling of a card verification field, in any case', () => {
    for (const name of [
      'CVC',
      'cvc',
      'CVV',
      'Cvv2',
      'CVC2',
      'UCAF_PAYMENT_CARD_CVC2',
      'ECOM_PAYMENT_CARD_VERIFICATION',
      'card_cvn',
      'CID',
      'card-cid',
      'CSC',
      'cvd',
      'SECURITY_CODE',
      'securitycode',
      'CARD_SECURITY_CODE',
      'sec_code',
      'x_card_code',
      'CV2',
    ]) {
      assert.ok(isVerificationName(name), name);
    }
  });

  it('leaves ordinary Ogone parameters alone', () => {
    for (const name of ['ORDERID', 'AMOUNT', 'CARDNO', 'COM', 'COMPLUS', 'PARAMPLUS', 'ACID', 'DECIDE', 'CN', 'ECOM_PAYMENT_CARD_EXPDATE_MONTH', 'SHASIGN']) {
      assert.ok(!isVerificationName(name), name);
    }
  });
});

describe('PAN masking', () => {
  it('masks a card number to first six / last four, however it is typed', () => {
    assert.equal(maskPans('4111111111111111'), '411111XXXXXX1111');
    assert.equal(maskPans('4111 1111 1111 1111'), '4111 11XX XXXX 1111');
    assert.equal(maskPans('4111-1111-1111-1111'), '4111-11XX-XXXX-1111');
    assert.equal(maskPans('card 374111111111111 ok'), 'card 374111XXXXX1111 ok');
    assert.equal(maskPans('4111 - 1111 1111 1111'), '4111 - 11XX XXXX 1111');
  });

  it('masks numbers inside free text and longer digit runs that hide one', () => {
    assert.equal(maskPans('pay with 5399999999999999 please'), 'pay with 539999XXXXXX9999 please');
    // 4111111111111111 inside a 22-digit run: the whole run is masked.
    assert.equal(maskPans('ref 1234564111111111111111'), 'ref 123456XXXXXXXXXXXX1111');
  });

  it('keeps numbers that are no card number: short, or failing Luhn everywhere', () => {
    assert.equal(maskPans('ORDER 123456789012'), 'ORDER 123456789012');
    // 13 digits, and no window of 13–19 of them passes Luhn.
    assert.ok(!luhnValid('1234567890123') && !hasLuhnWindow('1234567890123'));
    assert.equal(maskPans('n. 1234567890123'), 'n. 1234567890123');
    assert.equal(maskPans('2026-01-15 10:12:13'), '2026-01-15 10:12:13');
    assert.equal(maskPans('1500'), '1500');
  });
});

describe('scrubbing free text', () => {
  it('removes verification values written as NAME=value and masks numbers', () => {
    assert.equal(scrubText('CARDNO=4111111111111111&CVC=123&ORDERID=7'), 'CARDNO=411111XXXXXX1111&CVC=&ORDERID=7');
    assert.equal(scrubText('https://shop.example/back?card_cvv=987&x=1'), 'https://shop.example/back?card_cvv=&x=1');
    assert.equal(scrubText('UCAF_PAYMENT_CARD_CVC2=4321********AMOUNT=1500********'), 'UCAF_PAYMENT_CARD_CVC2=********AMOUNT=1500********');
  });

  it('removes a verification code written in prose after its name', () => {
    assert.equal(scrubText('card 4111111111111111 cvc 123, exp 12/34'), 'card 411111XXXXXX1111 cvc , exp 12/34');
    // With no other digits around (the scan is skipped only for text without three digits in a row).
    assert.equal(scrubText('use cvc 123 please'), 'use cvc  please');
    assert.equal(scrubText('Security code: 9876.'), 'Security code: .');
    assert.equal(scrubText('cvc 12, order 7'), 'cvc 12, order 7');
    assert.equal(scrubText('CVV2: 9876 and Security Code #321'), 'CVV2:  and Security Code #');
    assert.equal(scrubText('order 123 of 4567'), 'order 123 of 4567');
  });

  it('cuts after masking, so a number across the cut is never half visible', () => {
    const text = `${'a'.repeat(95)}4111111111111111`;
    const cut = safeText(text, 100);
    assert.equal(cut.length, 100);
    assert.ok(cut.startsWith(`${'a'.repeat(95)}4111`), cut);
    assert.doesNotMatch(cut, /4111111/);
  });

  it('never splits a surrogate pair', () => {
    const cut = clipText(`${'a'.repeat(8)}😀😀`, 10);
    assert.equal(cut, `${'a'.repeat(8)}…`);
    assert.doesNotThrow(() => encodeURIComponent(cut));
  });
});

describe('pairs, JSON and records', () => {
  it('drops verification fields and masks PANs in names and values', () => {
    const pairs: Array<[string, string]> = [
      ['CARDNO', '4111111111111111'],
      ['cvc', '123'],
      ['ECOM_PAYMENT_CARD_VERIFICATION', '456'],
      ['COM', 'card 4000 0000 0000 0002'],
      ['4111111111111111', 'x'],
    ];
    assert.deepEqual(safePairs(pairs), [
      ['CARDNO', '411111XXXXXX1111'],
      ['COM', 'card 4000 00XX XXXX 0002'],
      ['411111XXXXXX1111', 'x'],
    ]);
  });

  it('bounds JSON to its byte budget, whatever it holds', () => {
    const big = {
      candidates: Array.from({ length: 3 }, (_, i) => ({ order: String(i), masked: 'é'.repeat(100_000) })),
      received: Array.from({ length: 2000 }, (_, i) => `P${i}`),
    };
    const out = safeJson(big, { maxString: 1000, maxItems: 100, maxDepth: 5, maxBytes: 3000 });
    assert.ok(Buffer.byteLength(JSON.stringify(out)) <= 3000, String(Buffer.byteLength(JSON.stringify(out))));
    assert.ok(Array.isArray((out as { candidates: unknown[] }).candidates), 'shrunk, not dropped');
  });

  it('drops [name, value] pairs and keys of verification fields in JSON', () => {
    const out = safeJson(
      {
        included: [
          ['CVC', '123'],
          ['AMOUNT', '1'],
        ],
        cvv: '9',
        note: 'CVV2=555',
      },
      { maxString: 100, maxItems: 10, maxDepth: 4, maxBytes: 1000 },
    );
    assert.deepEqual(out, { included: [['AMOUNT', '1']], note: 'CVV2=' });
  });

  it('scrubs every string of a record except the keys it must keep', () => {
    const order = {
      orderId: '4111111111111111',
      description: 'for 4111111111111111',
      paramplus: [
        ['cvc', '1'],
        ['a', '5399999999999999'],
      ],
    };
    assert.deepEqual(scrubRecord(order, new Set(['orderId'])), {
      orderId: '4111111111111111',
      description: 'for 411111XXXXXX1111',
      paramplus: [['a', '539999XXXXXX9999']],
    });
  });
});
