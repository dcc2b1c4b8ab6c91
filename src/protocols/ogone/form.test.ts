import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeForm, encodeForm, queryBytes, shaEncodingFor } from './form.ts';
import type { DecodedForm, FormResult, PageCharset } from './form.ts';
import { normalizeParamName, signShaIn } from './index.ts';
import type { ShaParams } from './index.ts';

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

function form(result: FormResult): DecodedForm {
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problem));
  return result.form;
}

function problemOf(result: FormResult): unknown {
  assert.ok(!result.ok, 'expected a problem');
  return result.problem;
}

describe('decodeForm: charsets', () => {
  it('%E9 is é on the ISO page and an encoding problem on the UTF-8 page', () => {
    assert.equal(form(decodeForm(ascii('COM=Caf%E9'), 'latin1')).values.get('COM'), 'Café');
    assert.deepEqual(problemOf(decodeForm(ascii('COM=Caf%E9'), 'utf8')), { code: 'invalid_encoding', name: 'COM' });
  });

  it('%C3%A9 is é on the UTF-8 page and "Ã©" on the ISO page', () => {
    assert.equal(form(decodeForm(ascii('CN=Ren%C3%A9e+M%C3%BCller'), 'utf8')).values.get('CN'), 'Renée Müller');
    assert.equal(form(decodeForm(ascii('CN=Ren%C3%A9e'), 'latin1')).values.get('CN'), 'RenÃ©e');
  });

  it('raw (unescaped) high bytes decode the same way as their escapes', () => {
    const latin1Body = Buffer.concat([ascii('COM=caf'), Buffer.from([0xe9])]);
    const utf8Body = Buffer.from('COM=café €', 'utf8');
    assert.equal(form(decodeForm(latin1Body, 'latin1')).values.get('COM'), 'café');
    assert.equal(form(decodeForm(utf8Body, 'utf8')).values.get('COM'), 'café €');
  });

  it('ISO-8859-1 is byte for byte: 0x80..0x9F are not read as Windows-1252', () => {
    assert.equal(form(decodeForm(ascii('COM=%80%9F'), 'latin1')).values.get('COM'), '\u0080\u009F');
  });

  it('overlong and surrogate UTF-8 sequences are encoding problems, also in names', () => {
    for (const body of ['COM=%C0%AF', 'COM=%ED%A0%80', 'COM=%F4%90%80%80', 'COM=%E2%82', 'C%FFM=x']) {
      const p = problemOf(decodeForm(ascii(body), 'utf8')) as { code: string };
      assert.equal(p.code, 'invalid_encoding', body);
    }
  });

  it('a merchant who hashed UTF-8 bytes but posts to the ISO page still matches with ISO-8859-1 hashing', () => {
    const sent: ShaParams = [
      ['PSPID', 'shop'],
      ['COM', 'Crème brûlée'],
    ];
    const P = 'Passphrase-0123456789';
    const signed = signShaIn(sent, P, { alg: 'sha256', method: 'each-parameter', encoding: 'utf8' });
    const received = form(decodeForm(ascii(encodeForm(sent, 'utf8')), 'latin1'));
    assert.notEqual(received.values.get('COM'), 'Crème brûlée');
    assert.equal(signShaIn(received.pairs, P, { alg: 'sha256', method: 'each-parameter', encoding: 'latin1' }), signed);
  });
});

describe('decodeForm: syntax', () => {
  it('"+" is a space and %2B a plus sign', () => {
    assert.equal(form(decodeForm(ascii('CN=John+Doe%2B1'), 'utf8')).values.get('CN'), 'John Doe+1');
  });

  it('keeps values exactly: spaces, case, BOM, stray percent signs', () => {
    const f = form(decodeForm(ascii('A=+x+&B=AbC&C=%EF%BB%BFz&D=100%&E=%4&F=%zz%41'), 'utf8'));
    assert.deepEqual(
      [...f.values],
      [
        ['A', ' x '],
        ['B', 'AbC'],
        ['C', '\uFEFFz'],
        ['D', '100%'],
        ['E', '%4'],
        ['F', '%zzA'],
      ],
    );
  });

  it('names are case-insensitive through normalizeParamName; pairs keep them as sent, in order', () => {
    const f = form(decodeForm(ascii('orderID=12&Amount=1500&pspid=x'), 'latin1'));
    assert.deepEqual(f.pairs, [
      ['orderID', '12'],
      ['Amount', '1500'],
      ['pspid', 'x'],
    ]);
    assert.deepEqual([...f.values.keys()], ['ORDERID', 'AMOUNT', 'PSPID']);
  });

  it('a name without "=" has an empty value; empty segments and unnamed values are dropped', () => {
    const f = form(decodeForm(ascii('&&FLAG&=orphan&X=1&'), 'latin1'));
    assert.deepEqual(f.pairs, [
      ['FLAG', ''],
      ['X', '1'],
    ]);
    assert.deepEqual(form(decodeForm(new Uint8Array(0), 'utf8')).pairs, []);
  });

  it('a value may contain "="', () => {
    assert.equal(form(decodeForm(ascii('PARAMPLUS=a%3D1%26b%3D2&T=x=y'), 'utf8')).values.get('T'), 'x=y');
  });

  it('reports a parameter given twice in any casing, listed or not, even with an empty copy', () => {
    for (const body of ['ORDERID=1&orderid=2', 'AMOUNT=1&AMOUNT=1', 'foo=&FOO=1', 'o%72derid=1&ORDERID=1']) {
      const p = problemOf(decodeForm(ascii(body), 'latin1')) as { code: string };
      assert.equal(p.code, 'duplicate', body);
    }
  });

  it('refuses NUL anywhere', () => {
    assert.deepEqual(problemOf(decodeForm(ascii('COM=a%00b'), 'latin1')), { code: 'nul_character', name: 'COM' });
    assert.equal((problemOf(decodeForm(ascii('C%00M=x'), 'utf8')) as { code: string }).code, 'nul_character');
  });
});

describe('decodeForm: limits', () => {
  it('reports each limit as a problem', () => {
    assert.deepEqual(problemOf(decodeForm(ascii('A=12345'), 'utf8', { maxBytes: 6 })), { code: 'too_large', limit: 6 });
    assert.deepEqual(problemOf(decodeForm(ascii('A=1&B=2&C=3'), 'utf8', { maxParameters: 2 })), { code: 'too_many_parameters', limit: 2 });
    assert.deepEqual(problemOf(decodeForm(ascii('ABCDE=1'), 'utf8', { maxNameLength: 4 })), { code: 'name_too_long', name: 'ABCDE', limit: 4 });
    assert.deepEqual(problemOf(decodeForm(ascii('A=12345'), 'utf8', { maxValueLength: 4 })), { code: 'value_too_long', name: 'A', limit: 4 });
    assert.equal(form(decodeForm(ascii('A=1234'), 'utf8', { maxValueLength: 4, maxBytes: 6 })).values.get('A'), '1234');
  });

  it('has defaults that admit a large basket but bound a huge body', () => {
    const items = Array.from({ length: 99 }, (_, i) => `ITEMNAME${i + 1}=Article+${i + 1}&ITEMPRICE${i + 1}=10.00&ITEMQUANT${i + 1}=1`).join('&');
    assert.equal(form(decodeForm(ascii(`PSPID=x&${items}`), 'utf8')).pairs.length, 298);
    assert.equal((problemOf(decodeForm(Buffer.alloc(300 * 1024, 0x61), 'utf8')) as { code: string }).code, 'too_large');
  });
});

describe('decodeForm: properties', () => {
  const charsets: readonly PageCharset[] = ['latin1', 'utf8'];

  /** Bodies made of the characters that matter (separators, escapes, high bytes, NUL) and random bytes. */
  const formish = fc
    .array(
      fc.oneof(
        fc.constantFrom(...[0x26, 0x3d, 0x25, 0x2b, 0xc3, 0xa9, 0xff, 0x00].map((b) => new Uint8Array([b]))),
        fc.uint8Array({ maxLength: 6 }),
        fc.constantFrom(ascii('%C3%A9'), ascii('%E9'), ascii('%'), ascii('ORDERID='), ascii('orderid=')),
        fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/).map(ascii),
      ),
      { maxLength: 30 },
    )
    .map((parts) => Buffer.concat(parts));

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), formish), fc.constantFrom(...charsets), (bytes, charset) => {
        const result = decodeForm(bytes, charset);
        if (result.ok) assert.equal(result.form.values.size, result.form.pairs.length);
      }),
      { numRuns: 1000 },
    );
  });

  /**
   * The reference reading, written apart from form.ts: each name and value percent-decoded to fresh
   * bytes, then read in the charset (strictly for UTF-8). undefined when some part cannot be read.
   */
  function referencePairs(bytes: Uint8Array, charset: PageCharset): Array<[string, string]> | undefined {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const unescape = (part: Buffer): Uint8Array => {
      const s = part.toString('latin1').replaceAll('+', ' ');
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        const hex = s.slice(i + 1, i + 3);
        if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
          out.push(parseInt(hex, 16));
          i += 2;
        } else out.push(s.charCodeAt(i));
      }
      return Uint8Array.from(out);
    };
    const read = (b: Uint8Array): string | undefined => {
      if (charset === 'latin1') return Buffer.from(b).toString('latin1');
      try {
        return strict.decode(b);
      } catch {
        return undefined;
      }
    };
    const pairs: Array<[string, string]> = [];
    for (const segment of Buffer.from(bytes).toString('latin1').split('&')) {
      if (segment === '') continue;
      const eq = segment.indexOf('=');
      const name = unescape(Buffer.from(eq < 0 ? segment : segment.slice(0, eq), 'latin1'));
      if (name.length === 0) continue;
      const [n, v] = [read(name), read(unescape(Buffer.from(eq < 0 ? '' : segment.slice(eq + 1), 'latin1')))];
      if (n === undefined || v === undefined) return undefined;
      pairs.push([n, v]);
    }
    return pairs;
  }

  it('reads every name and value as the reference does (issue 15: parts without escapes are slices of the body)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), formish), fc.constantFrom(...charsets), (bytes, charset) => {
        const result = decodeForm(bytes, charset);
        const expected = referencePairs(bytes, charset);
        if (result.ok) assert.deepEqual(result.form.pairs, expected);
        const clean =
          expected !== undefined &&
          expected.every(([n, v]) => !n.includes('\u0000') && !v.includes('\u0000')) &&
          new Set(expected.map(([n]) => normalizeParamName(n))).size === expected.length;
        if (clean) assert.ok(result.ok, `refused: ${JSON.stringify(!result.ok && result.problem)}`);
      }),
      { numRuns: 2000 },
    );
  });

  /** Distinct names (after case folding), values over the charset's repertoire, no NUL. */
  function pairsOver(chars: fc.Arbitrary<string>): fc.Arbitrary<ShaParams> {
    const text = (min: number) => fc.array(chars, { minLength: min, maxLength: 20 }).map((a) => a.join(''));
    return fc.uniqueArray(fc.tuple(text(1), text(0)), { maxLength: 12, selector: ([name]) => normalizeParamName(name) });
  }
  const latin1Char = fc.integer({ min: 1, max: 0xff }).map((c) => String.fromCharCode(c));
  const unicodeChar = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((s) => !s.includes('\u0000'));

  it('encode → decode round-trips on the ISO page', () => {
    fc.assert(
      fc.property(pairsOver(latin1Char), (pairs) => {
        assert.deepEqual(form(decodeForm(ascii(encodeForm(pairs, 'latin1')), 'latin1')).pairs, pairs);
      }),
      { numRuns: 300 },
    );
  });

  it('encode → decode round-trips on the UTF-8 page, also for what URLSearchParams sends', () => {
    fc.assert(
      fc.property(pairsOver(unicodeChar), (pairs) => {
        assert.deepEqual(form(decodeForm(ascii(encodeForm(pairs, 'utf8')), 'utf8')).pairs, pairs);
        const browser = new URLSearchParams(pairs.map(([n, v]): [string, string] => [n, v])).toString();
        assert.deepEqual(form(decodeForm(ascii(browser), 'utf8')).pairs, pairs);
      }),
      { numRuns: 300 },
    );
  });

  it('encodeForm refuses characters ISO-8859-1 cannot carry', () => {
    assert.throws(() => encodeForm([['COM', '€']], 'latin1'), RangeError);
    assert.equal(encodeForm([['COM', 'é €']], 'utf8'), 'COM=%C3%A9+%E2%82%AC');
  });
});

describe('helpers', () => {
  it('queryBytes takes the query string of a request target', () => {
    assert.equal(queryBytes('/ncol/test/orderstandard.asp?PSPID=x&AMOUNT=1').toString(), 'PSPID=x&AMOUNT=1');
    assert.equal(queryBytes('/ncol/test/orderstandard.asp?a=1#frag').toString(), 'a=1');
    assert.equal(queryBytes('/ncol/test/orderstandard.asp').length, 0);
  });

  it('shaEncodingFor follows the page unless the setting forces one', () => {
    assert.equal(shaEncodingFor('page', 'latin1'), 'latin1');
    assert.equal(shaEncodingFor('page', 'utf8'), 'utf8');
    assert.equal(shaEncodingFor('utf8', 'latin1'), 'utf8');
    assert.equal(shaEncodingFor('latin1', 'utf8'), 'latin1');
  });
});
