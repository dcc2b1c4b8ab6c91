import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readLookAndFeel, safeColour, safeFontFamilies, safeLogo } from './look.ts';

describe('safeColour', () => {
  it('accepts hex with or without #, and colour names in any case', () => {
    const cases: Array<[string, string]> = [
      ['#FFFFFF', '#ffffff'],
      ['ffffff', '#ffffff'],
      ['#abc', '#aabbcc'],
      ['White', 'white'],
      [' navy ', 'navy'],
      ['RebeccaPurple', 'rebeccapurple'],
    ];
    for (const [input, out] of cases) assert.equal(safeColour(input), out, input);
  });

  it('refuses everything else', () => {
    for (const bad of ['#ff', '#fffffff', 'red;', 'red}body{x:y', 'url(x)', 'rgb(0,0,0)', 'expression(alert(1))', 'notacolour', '', 'inherit']) {
      assert.equal(safeColour(bad), undefined, bad);
    }
  });

  it('whatever it returns is a bare CSS token (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const c = safeColour(s);
        if (c !== undefined) assert.match(c, /^(#[0-9a-f]{6}|[a-z]+)$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('safeFontFamilies and safeLogo', () => {
  it('fonts: names separated by commas, quotes stripped, nothing else', () => {
    assert.deepEqual(safeFontFamilies('Verdana'), ['Verdana']);
    assert.deepEqual(safeFontFamilies('"Trebuchet MS", Arial, sans-serif'), ['Trebuchet MS', 'Arial', 'sans-serif']);
    for (const bad of ['Arial;color:red', 'a}b', "Arial'", '', 'a,b,c,d,e,f', 'x'.repeat(41)]) assert.equal(safeFontFamilies(bad), undefined, bad);
  });

  it('logo: absolute https only', () => {
    assert.equal(safeLogo('https://shop.example/img/logo.png'), 'https://shop.example/img/logo.png');
    for (const bad of [
      'http://shop.example/logo.png',
      'logo.png',
      'javascript:x',
      'https://shop.example/a"onerror="x',
      'https://u:p@shop.example/l.png',
      '//shop.example/l.png',
    ]) {
      assert.equal(safeLogo(bad), undefined, bad);
    }
  });

  it('blank values are absent, not warnings', () => {
    assert.deepEqual(
      readLookAndFeel(
        new Map([
          ['BGCOLOR', ''],
          ['TITLE', '  '],
        ]),
      ),
      { look: {}, warnings: [] },
    );
  });
});
