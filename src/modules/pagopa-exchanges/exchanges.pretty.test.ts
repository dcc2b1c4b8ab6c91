// The pretty-printer of the exchange log's pages: real envelopes laid out one element per line,
// broken input shown rather than refused, and no input that makes it slow or huge.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeResponse } from '../../protocols/pagopa/index.ts';
import { responseSamples } from '../../../test/support/pagopa-samples.ts';
import { prettyXml } from './exchanges.pretty.ts';

const squash = (xml: string): string => xml.replace(/>\s+</g, '><').trim();

describe('prettyXml', () => {
  it('lays an envelope out one element per line, text elements on one line, and loses nothing', () => {
    const sample = responseSamples.find((s) => s.name === 'activatePaymentNotice OK full')!;
    const xml = encodeResponse(sample.operation, sample.value as never);
    const pretty = prettyXml(xml);
    const lines = pretty.split('\n');
    assert.ok(lines.length > 20);
    assert.ok(
      lines.some((l) => /^ {6,}<paymentToken>c110729d258c4ab1b765fe902aae41d6<\/paymentToken>$/.test(l)),
      pretty,
    );
    assert.ok(lines.some((l) => /^\s*<\/soapenv:Envelope>$/.test(l) || /^\s*<\/[\w]+:Envelope>$/.test(l)));
    assert.equal(
      squash(
        pretty
          .split('\n')
          .map((l) => l.trim())
          .join(''),
      ),
      squash(xml),
      'only whitespace between tags changes',
    );
  });

  it('indents children under their parent and closes back', () => {
    assert.equal(prettyXml('<a><b><c>1</c><d/></b><e></e></a>'), '<a>\n  <b>\n    <c>1</c>\n    <d/>\n  </b>\n  <e></e>\n</a>');
  });

  it('shows broken, truncated and odd input instead of failing', () => {
    assert.equal(prettyXml('<a><b>text'), '<a>\n  <b>\n    text');
    assert.equal(prettyXml('</x></y><a>'), '</x>\n</y>\n<a>');
    assert.equal(prettyXml('not xml at all'), 'not xml at all');
    assert.equal(prettyXml('<a><!-- c --><![CDATA[<b>]]><?pi?></a>'), '<a>\n  <!-- c -->\n  <![CDATA[<b>]]>\n  <?pi?>\n</a>');
    assert.equal(prettyXml('a < b <c>x</c'), 'a\n< b \n<c>x</c', 'a broken tag ends where the next one starts');
    assert.equal(prettyXml('<a<b>'), '<a\n<b>');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '/', 'a', ' ', '!', '-', '[', '?', '\n') }), (s) => {
        assert.equal(typeof prettyXml(s), 'string');
      }),
    );
  });

  it('deep nesting: indentation is capped, time and size stay linear', () => {
    const deep = '<a>'.repeat(80_000);
    const started = performance.now();
    const pretty = prettyXml(deep);
    // Generous for a loaded machine; quadratic work on this input takes minutes.
    assert.ok(performance.now() - started < 5000);
    assert.ok(pretty.length < deep.length * 20, 'no quadratic indentation');
    assert.ok(Math.max(...pretty.split('\n').map((l) => l.length - l.trimStart().length)) <= 48);
  });
});
