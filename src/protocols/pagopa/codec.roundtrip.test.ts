// Round trips: encode → decode gives the value back; and a second, independent XML parser
// (@xmldom/xmldom) reads the same values out of Varco's encoded messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, NS, OPERATIONS, SERVICES } from './index.ts';
import { requestSamples, responseSamples } from '../../../test/support/pagopa-samples.ts';

// xmldom's own typings pull the DOM lib into the whole program (clashing with Node's WebCrypto
// types), so it is loaded untyped and described by the few members used here.
interface XmldomNode {
  nodeType: number;
  localName: string | null;
  namespaceURI: string | null | undefined;
  textContent: string | null;
  firstChild: XmldomNode | null;
  nextSibling: XmldomNode | null;
}
interface XmldomElement extends XmldomNode {
  getElementsByTagName(name: string): ArrayLike<XmldomElement>;
}
interface XmldomDocument {
  documentElement: XmldomElement | null;
}
type ErrorHandler = (message: string) => void;
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new (options: { errorHandler: { error: ErrorHandler; fatalError: ErrorHandler } }) => {
    parseFromString(xml: string, type: string): XmldomDocument;
  };
};

const AMOUNTS = new Set(['amount', 'totalAmount', 'transferAmount', 'fee', 'paymentAmount', 'primaryCiIncurredFee', 'suggestedUserFee', 'suggestedPaFee']);

/** How the value should read on the wire, computed without the codec's own formatting code. */
function expectedText(key: string, value: unknown): string {
  if (typeof value === 'number') return AMOUNTS.has(key) ? (value / 100).toFixed(2) : String(value);
  return String(value);
}

function elementChildren(el: XmldomElement): XmldomElement[] {
  const out: XmldomElement[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1) out.push(n as XmldomElement);
  return out;
}

/** Checks an element read by xmldom against a value: same children, same order per name, same text. */
function assertMatches(value: Record<string, unknown>, el: XmldomElement, path: string): void {
  const children = elementChildren(el);
  let expectedCount = 0;
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const name = key === 'email' ? 'e-mail' : key;
    const found = children.filter((c) => c.localName === name);
    const items = Array.isArray(v) ? v : [v];
    assert.equal(found.length, items.length, `${path}/${name}: occurrences`);
    expectedCount += items.length;
    items.forEach((item, i) => {
      const child = found[i]!;
      assert.ok(!child.namespaceURI, `${path}/${name} must be unqualified`);
      if (typeof item === 'object' && item !== null) assertMatches(item as Record<string, unknown>, child, `${path}/${name}`);
      else {
        assert.equal(elementChildren(child).length, 0, `${path}/${name} holds text only`);
        assert.equal(child.textContent, expectedText(name, item), `${path}/${name}`);
      }
    });
  }
  assert.equal(children.length, expectedCount, `${path}: no element beyond the value's`);
}

function bodyElement(xml: string): XmldomElement {
  const doc = new DOMParser({ errorHandler: { error: (m: string) => assert.fail(m), fatalError: (m: string) => assert.fail(m) } }).parseFromString(
    xml,
    'text/xml',
  );
  const envelope = doc.documentElement!;
  assert.equal(envelope.namespaceURI, NS.soap11);
  const body = elementChildren(envelope).find((c) => c.localName === 'Body')!;
  const [first, ...rest] = elementChildren(body);
  assert.equal(rest.length, 0);
  return first!;
}

describe('round trips', () => {
  for (const s of requestSamples) {
    it(`request ${s.name}: decode(encode(v)) = v, and xmldom reads v`, () => {
      const xml = encodeRequest(s.operation, s.value as never);
      const decoded = decodeRequest(OPERATIONS[s.operation].service, xml, `"${s.operation}"`);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.problem.description);
      assert.equal(decoded.operation, s.operation);
      assert.deepEqual(decoded.value, s.value);
      const el = bodyElement(xml);
      assert.equal(el.namespaceURI, SERVICES[OPERATIONS[s.operation].service].namespace);
      assert.equal(el.localName, OPERATIONS[s.operation].request.name);
      assertMatches(s.value, el, s.operation);
    });
  }
  for (const s of responseSamples) {
    it(`response ${s.name}: decode(encode(v)) = v, and xmldom reads v`, () => {
      const xml = encodeResponse(s.operation, s.value as never);
      const decoded = decodeResponse(s.operation, xml);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.problem.description);
      assert.deepEqual(decoded.value, s.value);
      const el = bodyElement(xml);
      assert.equal(el.localName, OPERATIONS[s.operation].response.name);
      assertMatches(s.value, el, s.operation);
    });
  }

  it('text survives escaping exactly: markup characters, CR, quotes, non-ASCII, astral characters', () => {
    const tricky = 'a & b < c > d "e" \'f\' \r\n g – è 😀 ]]>';
    const value = { outcome: 'KO' as const, fault: { faultCode: 'PPT_SYSTEM_ERROR', faultString: tricky, id: 'x', description: '  spazi  ' } };
    const xml = encodeResponse('sendPaymentOutcome', value);
    const decoded = decodeResponse('sendPaymentOutcome', xml);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value, value);
    assert.equal(bodyElement(xml).getElementsByTagName('faultString')[0]!.textContent, tricky);
  });
});
