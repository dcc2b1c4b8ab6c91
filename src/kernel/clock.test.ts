import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isoTime } from './clock.ts';

test('isoTime writes what toISOString writes, whatever instants come in whatever order', () => {
  // Instants close together (the kept second is reused), far apart (years of any width, before 1970),
  // fractional, and beyond a Date's range (where both throw).
  const instant = fc.oneof(
    fc.integer({ min: -8.64e15, max: 8.64e15 }),
    fc.integer({ min: 1_764_000_000_000, max: 1_764_000_003_000 }),
    fc.double({ min: -1e16, max: 1e16 }),
    fc.constantFrom(8.64e15, -8.64e15, 8.64e15 + 1, -8.64e15 - 1, -0.5, 999.9, Number.NaN, Number.POSITIVE_INFINITY),
  );
  const iso = (format: (ms: number) => string, ms: number): string => {
    try {
      return format(ms);
    } catch (error) {
      return `threw ${(error as Error).name}`;
    }
  };
  fc.assert(
    fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
      for (const ms of instants)
        assert.equal(
          iso(isoTime, ms),
          iso((t) => new Date(t).toISOString(), ms),
          `at ${ms}`,
        );
    }),
    { numRuns: 2000 },
  );
});

test('isoTime without an argument is the current time', () => {
  const before = Date.now();
  const stamped = Date.parse(isoTime());
  assert.ok(stamped >= before && stamped <= Date.now());
});
