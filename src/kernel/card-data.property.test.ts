import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { safeJson, safePairs, safeText, scrubText } from './card-data.ts';

// Properties of the card-data sanitiser, checked by a scanner written apart from it (plain loops,
// every window tried): whatever text goes in, no 13–19 digit run that passes Luhn comes out, with
// or without spaces and dashes between its digits, and no card verification field survives.

function luhn(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    const d = Number(c) * (i % 2 === 1 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return sum % 10 === 0;
}

const SEPARATORS = new Set([' ', '\t', '\n', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\u00a0']);

/** Every 13–19 digit Luhn run, digits joined by at most three separators, found by brute force. */
function luhnRuns(text: string): string[] {
  const found: string[] = [];
  const chars = [...text];
  for (let start = 0; start < chars.length; start++) {
    if (!/[0-9]/.test(chars[start]!)) continue;
    let digits = '';
    let gap = 0;
    for (let i = start; i < chars.length; i++) {
      const c = chars[i]!;
      if (/[0-9]/.test(c)) {
        digits += c;
        gap = 0;
        if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) found.push(digits);
        if (digits.length >= 19) break;
      } else if (SEPARATORS.has(c) && ++gap <= 3) {
        continue;
      } else {
        break;
      }
    }
  }
  return found;
}

/** A Luhn-valid number of 13–19 digits. */
const pan = fc.tuple(fc.integer({ min: 12, max: 18 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 })).map(([len, ds]) => {
  const body = ds.slice(0, len).join('');
  for (let d = 0; d <= 9; d++) if (luhn(body + d)) return body + d;
  throw new Error('unreachable');
});
/** The number as people type it: separators of one to three spaces or dashes between some digits. */
const typedPan = fc
  .tuple(pan, fc.array(fc.constantFrom('', '', '', ' ', '-', ' - ', '\u2013', '  ', '\t'), { minLength: 19, maxLength: 19 }))
  .map(([p, seps]) => [...p].map((d, i) => (i === 0 ? d : `${seps[i] ?? ''}${d}`)).join(''));
const noise = fc.string({ unit: fc.constantFrom(...'0123456789 -abcXYZ=&;.,é😀'.split(/(?:)/u)), maxLength: 40 });
const text = fc.array(fc.oneof(typedPan, noise, fc.constantFrom('CVC=123', 'cvv2=9876', 'COM=', '&')), { maxLength: 8 }).map((parts) => parts.join(''));

const verificationName = fc
  .tuple(
    fc.constantFrom(
      'CVC',
      'cvv',
      'CVC2',
      'Cvv2',
      'CID',
      'csc',
      'CVN',
      'ECOM_PAYMENT_CARD_VERIFICATION',
      'UCAF_PAYMENT_CARD_CVC2',
      'SECURITY_CODE',
      'card_security_code',
      'x_card_code',
    ),
    fc.constantFrom('', '_', 'X_', 'ECOM_'),
  )
  .map(([name, prefix]) => (prefix === '' || /^(CID|csc)$/i.test(name) ? name : `${prefix}${name}`));
const ordinaryName = fc.constantFrom('ORDERID', 'AMOUNT', 'CARDNO', 'COM', 'COMPLUS', 'UCAF_PAYMENT_CARD_NUMBER', 'CN', 'OWNERADDRESS');

describe('card-data sanitiser properties', () => {
  it('no 13–19 digit Luhn run survives scrubbing, in any text', () => {
    fc.assert(
      fc.property(text, (t) => {
        assert.deepEqual(luhnRuns(scrubText(t)), [], JSON.stringify(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('no Luhn run survives scrubbing and cutting, wherever the cut falls', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 200 }), (t, max) => {
        const out = safeText(t, max);
        assert.ok(out.length <= max, `${out.length} > ${max}`);
        assert.deepEqual(luhnRuns(out), []);
      }),
      { numRuns: 1000 },
    );
  });

  it('verification fields never survive, whatever their case or place; no Luhn run in any name or value', () => {
    const pairs = fc.array(fc.tuple(fc.oneof(verificationName, ordinaryName, typedPan), text), { maxLength: 12 });
    fc.assert(
      fc.property(pairs, (ps) => {
        const out = safePairs(ps);
        for (const [name, value] of out) {
          assert.doesNotMatch(name, /cvc|cvv|cvn|verification|security_?code|card_?code|^cid$|^csc$/i);
          assert.deepEqual([...luhnRuns(name), ...luhnRuns(value)], []);
        }
        assert.equal(out.length, ps.filter(([n]) => !/cvc|cvv|cvn|verification|security_?code|card_?code|^cid$|^csc$/i.test(n)).length);
      }),
      { numRuns: 500 },
    );
  });

  it('JSON: within the byte budget, no verification value and no Luhn run, at any depth', () => {
    const json = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 5 }),
        fc.tuple(verificationName, text),
        fc.dictionary(fc.oneof(verificationName, ordinaryName), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(json, fc.integer({ min: 64, max: 4000 }), (value, maxBytes) => {
        const out = safeJson(value, { maxString: 200, maxItems: 20, maxDepth: 6, maxBytes });
        const serialised = JSON.stringify(out);
        assert.ok(Buffer.byteLength(serialised) <= maxBytes);
        assert.deepEqual(luhnRuns(serialised), []);
        assert.doesNotMatch(serialised, /"(cvc|cvv|cvc2|cvv2|cid|csc|cvn|security_code|card_security_code|x_card_code)"\s*[:,]\s*"[^"]/i);
      }),
      { numRuns: 500 },
    );
  });
});
