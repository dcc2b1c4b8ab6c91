import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNoticeNumber, type ParsedNoticeNumber } from '../../protocols/pagopa/index.ts';
import { linkRoutingCode, receiptLink, selectLink, type RoutableLink } from './registry.policy.ts';

// Property tests of routing: a table of links (unique per aux digit + code, as the database's
// index keeps them) and a notice number decide the station, with nothing else involved.

const code = fc.stringMatching(/^[0-9]{2}$/);
const aux = fc.constantFrom(0, 1, 2, 3);

/** A link as the database can hold it: a code exactly for aux 0 (application) and aux 3 (segregation). */
const linkArb = fc.record({ auxDigit: aux, code, enabled: fc.boolean(), n: fc.nat() }).map(({ auxDigit, code: c, enabled, n }): RoutableLink => ({
  linkId: `ecl_${String(n).padStart(10, '0')}`,
  auxDigit,
  enabled,
  segregationCode: auxDigit === 3 ? c : null,
  applicationCode: auxDigit === 0 ? c : null,
}));

/** Links with unique routing keys (the unique index) and unique ids. */
const tableArb = fc
  .uniqueArray(linkArb, { selector: (l) => `${l.auxDigit}:${linkRoutingCode(l)}`, maxLength: 12 })
  .map((links) => links.map((l, i) => ({ ...l, linkId: `ecl_${String(i).padStart(4, '0')}` })));

const noticeArb = fc.stringMatching(/^[0-9]{18}$/).map((n) => parseNoticeNumber(n) as ParsedNoticeNumber);

/** The notice's key written independently of the policy: aux digit, and the two digits after it for aux 0 and 3. */
function keyOf(notice: ParsedNoticeNumber): { aux: number; code: string | undefined } {
  const digits = notice.noticeNumber;
  const auxDigit = Number(digits[0]);
  return { aux: auxDigit, code: auxDigit === 0 || auxDigit === 3 ? digits.slice(1, 3) : undefined };
}

const matches = (l: RoutableLink, notice: ParsedNoticeNumber): boolean => {
  const key = keyOf(notice);
  if (l.auxDigit !== key.aux) return false;
  return key.code === undefined || (key.aux === 3 ? l.segregationCode : l.applicationCode) === key.code;
};

test('a link is found iff one matches the notice\u2019s aux digit and code; disabled ones are refused as disabled', () => {
  fc.assert(
    fc.property(tableArb, noticeArb, (links, notice) => {
      const verdict = selectLink(links, notice);
      const candidates = links.filter((l) => matches(l, notice));
      assert.ok(candidates.length <= 1, 'the unique key leaves at most one candidate');
      const [only] = candidates;
      if (only === undefined) assert.deepEqual(verdict, { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA' });
      else if (!only.enabled) assert.deepEqual(verdict, { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_DISABILITATA' });
      else assert.deepEqual(verdict, { ok: true, link: only });
    }),
    { numRuns: 2000 },
  );
});

test('a table that serves every key answers every notice of aux 0–3 with the link of its key; aux 4–9 never route', () => {
  fc.assert(
    fc.property(noticeArb, fc.boolean(), (notice, enabled) => {
      const full: RoutableLink[] = [];
      for (let c = 0; c < 100; c++) {
        const two = String(c).padStart(2, '0');
        full.push({ linkId: `a0_${two}`, auxDigit: 0, applicationCode: two, segregationCode: null, enabled });
        full.push({ linkId: `a3_${two}`, auxDigit: 3, segregationCode: two, applicationCode: null, enabled });
      }
      full.push(
        { linkId: 'a1', auxDigit: 1, segregationCode: null, applicationCode: null, enabled },
        { linkId: 'a2', auxDigit: 2, segregationCode: null, applicationCode: null, enabled },
      );
      const verdict = selectLink(full, notice);
      const { aux, code: c } = keyOf(notice);
      if (aux > 3) return assert.deepEqual(verdict, { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA' });
      if (!enabled) return assert.deepEqual(verdict, { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_DISABILITATA' });
      assert.ok(verdict.ok);
      assert.equal(verdict.link.linkId, c === undefined ? `a${aux}` : `a${aux}_${c}`);
      return undefined;
    }),
    { numRuns: 2000 },
  );
});

test('aux 1 and 2 ignore the digits after the aux digit: every notice of that digit reaches the same link', () => {
  fc.assert(
    fc.property(fc.constantFrom(1, 2), fc.stringMatching(/^[0-9]{17}$/), fc.stringMatching(/^[0-9]{17}$/), (auxDigit, a, b) => {
      const links: RoutableLink[] = [{ linkId: 'ecl_x', auxDigit, segregationCode: null, applicationCode: null, enabled: true }];
      const first = selectLink(links, parseNoticeNumber(`${auxDigit}${a}`) as ParsedNoticeNumber);
      const second = selectLink(links, parseNoticeNumber(`${auxDigit}${b}`) as ParsedNoticeNumber);
      assert.ok(first.ok && second.ok);
      assert.equal(first.link, second.link);
    }),
  );
});

test('never two answers: the verdict does not depend on the order of the links, even were a key duplicated', () => {
  // Any links, duplicated keys included; ids stay unique (they are primary keys).
  const anyLinks = fc.array(linkArb, { maxLength: 10 }).map((links) => links.map((l, i) => ({ ...l, linkId: `${l.linkId}_${i}` })));
  fc.assert(
    fc.property(anyLinks, noticeArb, fc.func(fc.integer()), (links, notice, order) => {
      const shuffled = [...links].sort((x, y) => order(x.linkId) - order(y.linkId) || (x.linkId < y.linkId ? -1 : 1));
      assert.deepEqual(selectLink(shuffled, notice), selectLink(links, notice));
      assert.deepEqual(receiptLink(shuffled), receiptLink(links));
    }),
    { numRuns: 1000 },
  );
});

test('receipts go to the first enabled link by aux digit then code; none enabled is disabled, none at all unknown', () => {
  fc.assert(
    fc.property(tableArb, (links) => {
      const verdict = receiptLink(links);
      const enabled = links.filter((l) => l.enabled).sort((x, y) => x.auxDigit - y.auxDigit || linkRoutingCode(x).localeCompare(linkRoutingCode(y)));
      if (links.length === 0) assert.deepEqual(verdict, { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA' });
      else if (enabled.length === 0) assert.deepEqual(verdict, { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_DISABILITATA' });
      else assert.deepEqual(verdict, { ok: true, link: enabled[0] });
    }),
  );
});
