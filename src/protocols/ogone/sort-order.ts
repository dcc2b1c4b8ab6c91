/**
 * Sort orders for the names in an SHA string. Only the relative order of names differs between
 * them, never which parameters are hashed.
 */

/**
 * The docs only say "alphabetically", and clients disagree:
 * - `ascii`: byte order of the upper-cased names (PHP ksort, Python sorted, Ruby, Perl);
 * - `underscore-first`: `_` before `.`, digits and letters (ICU root collation, as the Ingenico SDK
 *   does, and as the platform itself was reported to order SCO_CATEGORY before SCORING);
 * - `natural`: ascii, but digit runs compare by value, so ITEMNAME2 precedes ITEMNAME10 (the
 *   "logical" order the guide prescribes for line items from 10 on).
 */
export type SortOrder = 'ascii' | 'underscore-first' | 'natural';

export const SORT_ORDERS: readonly SortOrder[] = Object.freeze(['ascii', 'underscore-first', 'natural']);

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Char weight for `underscore-first`: `_` drops below everything, the rest keep ASCII order. */
function underscoreWeight(code: number): number {
  return code === 0x5f ? -1 : code;
}

function compareUnderscoreFirst(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = underscoreWeight(a.charCodeAt(i)) - underscoreWeight(b.charCodeAt(i));
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function digitRunEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      const ie = digitRunEnd(a, i);
      const je = digitRunEnd(b, j);
      // Compare as decimal strings without leading zeros: no Number overflow on long runs.
      const ra = a.slice(i, ie).replace(/^0+/, '');
      const rb = b.slice(j, je).replace(/^0+/, '');
      if (ra.length !== rb.length) return ra.length - rb.length;
      const d = compareAscii(ra, rb);
      if (d !== 0) return d;
      i = ie;
      j = je;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  const rest = a.length - i - (b.length - j);
  // Equal by value but spelled differently (ITEMNAME01 vs ITEMNAME1): keep the order total.
  return rest !== 0 ? rest : compareAscii(a, b);
}

const COMPARATORS: Readonly<Record<SortOrder, (a: string, b: string) => number>> = Object.freeze({
  ascii: compareAscii,
  'underscore-first': compareUnderscoreFirst,
  natural: compareNatural,
});

/** Comparator on normalized (upper-case) parameter names. */
export function compareFor(order: SortOrder): (a: string, b: string) => number {
  return COMPARATORS[order];
}
