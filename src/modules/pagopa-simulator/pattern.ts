// Notice-number patterns of the simulator, deliberately small: an exact 18-digit notice number, or
// 0–17 digits followed by `*` (every notice starting with those digits; `*` alone matches all).
// Spaces typed between digit groups are ignored, as notices are often printed in groups of four.

export type Pattern = { kind: 'exact'; digits: string } | { kind: 'prefix'; digits: string };

const EXACT = /^\d{18}$/;
const PREFIX = /^(\d{0,17})\*$/;

/** Canonical text of a typed pattern (spaces removed), or undefined when it is not one. */
export function normalisePattern(typed: string): string | undefined {
  const text = typed.replace(/\s+/g, '');
  return EXACT.test(text) || PREFIX.test(text) ? text : undefined;
}

export function parsePattern(text: string): Pattern | undefined {
  if (EXACT.test(text)) return { kind: 'exact', digits: text };
  const prefix = PREFIX.exec(text);
  return prefix ? { kind: 'prefix', digits: prefix[1] ?? '' } : undefined;
}

export function matchesPattern(pattern: string, noticeNumber: string): boolean {
  const p = parsePattern(pattern);
  if (!p) return false;
  return p.kind === 'exact' ? noticeNumber === p.digits : noticeNumber.startsWith(p.digits);
}

/** True when every notice `later` matches is matched by `earlier` too (so `later` is never reached). */
export function patternCovers(earlier: string, later: string): boolean {
  const a = parsePattern(earlier);
  const b = parsePattern(later);
  if (!a || !b) return false;
  if (a.kind === 'exact') return b.kind === 'exact' && a.digits === b.digits;
  return b.digits.startsWith(a.digits);
}

/** Index of the first pattern matching the notice (the order the EC set), or -1. */
export function firstMatch(patterns: readonly string[], noticeNumber: string): number {
  return patterns.findIndex((p) => matchesPattern(p, noticeNumber));
}

/** For each position, the earlier position whose pattern hides it entirely, if any. */
export function shadowedBy(patterns: readonly string[]): Array<number | undefined> {
  return patterns.map((later, i) => {
    const j = patterns.slice(0, i).findIndex((earlier) => patternCovers(earlier, later));
    return j === -1 ? undefined : j;
  });
}
