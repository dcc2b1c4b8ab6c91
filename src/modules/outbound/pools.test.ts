import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { originText } from './pools.ts';

// A pool is kept while its endpoint's origin text is unchanged: that text must decide the origin, and
// must not change with the path, query or fragment (feedback URLs carry the order in them).

test('the origin text decides the origin and ignores path, query and fragment', () => {
  fc.assert(
    fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.webPath(), (url, path) => {
      const text = originText(url);
      assert.ok(url.startsWith(text), url);
      assert.equal(new URL(text).origin, new URL(url).origin, url);
      const elsewhere = `${text}${path}?n=1#x`;
      assert.equal(originText(elsewhere), text, elsewhere);
    }),
  );
  assert.equal(originText('https://Pay.Example.org:8443/service?x=1'), 'https://Pay.Example.org:8443');
  assert.equal(originText('https://host.example'), 'https://host.example');
  assert.equal(originText('https://host.example?q=1'), 'https://host.example');
});
