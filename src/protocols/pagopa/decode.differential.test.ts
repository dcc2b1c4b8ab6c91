// Differential test against libxml2: valid messages with one value replaced by random text. The
// decoder must accept exactly when the official XSD accepts (a rule outside the XSD may still
// refuse, as PPT_SINTASSI_EXTRAXSD), so its type checks are neither looser nor stricter —
// except for base64Binary, where libxml2 itself is looser than the XSD specification.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, OPERATIONS, type Operation } from './index.ts';
import { requestSamples, responseSamples } from '../../../test/support/pagopa-samples.ts';
import { validateEnvelopes } from '../../../test/support/pagopa-xsd.ts';

const seed = Date.now() % 2_147_483_647;
const RUNS = 400;

const templates = [
  ...requestSamples.map((s) => ({ op: s.operation, direction: 'request' as const, xml: encodeRequest(s.operation, s.value as never) })),
  ...responseSamples.map((s) => ({ op: s.operation, direction: 'response' as const, xml: encodeResponse(s.operation, s.value as never) })),
];

const text = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'true',
    'false',
    '1',
    '0',
    '01',
    '+1',
    '-0',
    'OK',
    'KO',
    'ok',
    'EQ',
    'F',
    'G',
    'IT',
    'it',
    'MI',
    '1800000',
    '1800001',
    '999999999.99',
    '1000000000.00',
    '0.00',
    '0.01',
    '00.50',
    ' 1.00 ',
    '1.00\n',
    '2147483648',
    '-2147483648',
    '6',
    'AA==',
    'AB==',
    'YWJj',
    'YW Jj',
    'A'.repeat(36),
    'è'.repeat(141),
  ),
  fc.stringMatching(/^[0-9]{0,20}$/),
  fc.stringMatching(/^-?[0-9]{1,12}(\.[0-9]{0,3})?$/),
  fc.stringMatching(/^-?[0-9]{4,5}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$/),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', '-', '.', ':', 'T', '+', '_', '@', ' ', '=', '/'), maxLength: 40 }),
);

const escape = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

describe(`decoder and libxml2 agree on mutated values (seed ${seed})`, () => {
  it('accepts exactly what the official XSD accepts', async () => {
    const cases = fc
      .sample(fc.record({ template: fc.constantFrom(...templates), at: fc.nat(), value: text }), { numRuns: RUNS, seed })
      .map(({ template, at, value }, i) => {
        const leaves = [...template.xml.matchAll(/>([^<>]*)<\//g)];
        const leaf = leaves[at % leaves.length]!;
        const start = leaf.index + 1;
        const xml = template.xml.slice(0, start) + escape(value) + template.xml.slice(start + leaf[1]!.length);
        const element = /<(\w[\w-]*)>$/.exec(template.xml.slice(0, start))?.[1] ?? '?';
        return {
          name: `#${i} ${template.op} ${template.direction} <${element}>=${JSON.stringify(value)}`,
          xml,
          op: template.op as Operation,
          direction: template.direction,
        };
      });
    const xsd = await validateEnvelopes(cases);
    const disagreements = cases.flatMap((c) => {
      const decoded = c.direction === 'request' ? decodeRequest(OPERATIONS[c.op].service, c.xml, c.op) : decodeResponse(c.op, c.xml);
      const ours = decoded.ok || decoded.problem.kind === 'extra_schema';
      const theirs = xsd.get(c.name)!.length === 0;
      // libxml2 accepts non-base64 text in xsd:base64Binary (it skips characters outside the
      // alphabet); the decoder follows the XSD specification, as Xerces does. Only that difference is allowed.
      const knownLaxness = !ours && theirs && !decoded.ok && decoded.problem.description.endsWith('must be base64');
      return ours === theirs || knownLaxness ? [] : [{ case: c.name, decoder: decoded.ok ? 'accepts' : decoded.problem.description, xsd: xsd.get(c.name) }];
    });
    assert.deepEqual(disagreements, [], `seed ${seed}`);
  });

  it('accepts exactly what the official XSD accepts when an element is removed, repeated or renamed', async () => {
    const mutation = fc.record({ template: fc.constantFrom(...templates), at: fc.nat(), how: fc.constantFrom('remove', 'repeat', 'rename'), other: fc.nat() });
    const cases = fc.sample(mutation, { numRuns: RUNS, seed }).map(({ template, at, how, other }, i) => {
      const body = template.xml.indexOf('<', template.xml.indexOf(':Body>') + 6);
      const starts = [...template.xml.matchAll(/<(\w[\w-]*)>/g)].filter((m) => m.index > body);
      const open = starts[at % starts.length]!;
      const name = open[1]!;
      const end = elementEnd(template.xml, open.index, name);
      const element = template.xml.slice(open.index, end);
      const renamed = starts[other % starts.length]![1]!;
      const replacement =
        how === 'remove'
          ? ''
          : how === 'repeat'
            ? element + element
            : `<${renamed}>${element.slice(name.length + 2, element.length - name.length - 3)}</${renamed}>`;
      const xml = template.xml.slice(0, open.index) + replacement + template.xml.slice(end);
      return {
        name: `#${i} ${template.op} ${template.direction} ${how} <${name}>${how === 'rename' ? ` as <${renamed}>` : ''}`,
        xml,
        op: template.op as Operation,
        direction: template.direction,
      };
    });
    const xsd = await validateEnvelopes(cases);
    const disagreements = cases.flatMap((c) => {
      const decoded = c.direction === 'request' ? decodeRequest(OPERATIONS[c.op].service, c.xml, c.op) : decodeResponse(c.op, c.xml);
      const ours = decoded.ok || decoded.problem.kind === 'extra_schema';
      return ours === (xsd.get(c.name)!.length === 0)
        ? []
        : [{ case: c.name, decoder: decoded.ok ? 'accepts' : decoded.problem.description, xsd: xsd.get(c.name) }];
    });
    assert.deepEqual(disagreements, [], `seed ${seed}`);
  });
});

/** Index just past the end tag matching the start tag at `start` (same-name nesting counted). */
function elementEnd(xml: string, start: number, name: string): number {
  const tags = new RegExp(`<${name}>|</${name}>`, 'g');
  tags.lastIndex = start;
  let depth = 0;
  for (let m = tags.exec(xml); m !== null; m = tags.exec(xml)) {
    depth += m[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return m.index + m[0].length;
  }
  throw new Error(`no end tag for <${name}>`);
}
